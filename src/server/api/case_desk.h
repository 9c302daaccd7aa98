// CaseDesk: the case store as the service uses it (docs/CASES.md).
//   - a pool of CaseStore connections for the console's reads and writes;
//   - the intake group commit: public reports queued by concurrent requests
//     are written by one thread in one transaction (one fsync for the lot),
//     and each request is answered only after that commit, so a receipt
//     code is never handed out for a report that a crash could lose;
//   - near-duplicates: a report whose file's PDQ hash is within
//     pdq_threshold bits of a file in an open case joins that case (an
//     in-memory list of the open cases' PDQ hashes, loaded from the store
//     and reloaded every pdq_refresh_seconds so that cases opened by other
//     replicas are seen; reports of one batch are split so that a
//     near-duplicate of an earlier report in the batch joins its case);
//   - uploaded files go to the evidence vault (encrypted, audited;
//     src/custody/vault.h) on that thread before their report's commit,
//     with the retention given to open(); a file is never kept in clear.
//
// Thread-safety: every public member may be called from any thread.
// Ownership: owns its connections and its thread; the destructor commits
// what is queued, then stops.
// Errors: Status/Result (the store's kIo, kInvalidInput naming the field).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "custody/vault.h"
#include "pipeline/engine.h"
#include "signals/pdq/hash256.h"
#include "store/case_store.h"
#include "util/result.h"

namespace chainbreak::api {

struct IntakeCounters {
  std::atomic<uint64_t> reports{0};  // acknowledged reports
  std::atomic<uint64_t> commits{0};  // intake transactions
};

class CaseDesk {
 public:
  struct Options {
    std::string location;                    // the service store's location
    std::string key_dir;                     // "" = custody::resolve_key_dir's default
    int64_t retention_seconds = 90 * 86400;  // of uploaded evidence
    size_t max_batch = 512;                  // reports per transaction at most
    int pdq_threshold = 31;                  // near-duplicate distance (bits, 0..63; -1: off)
    int64_t pdq_refresh_seconds = 10;        // reload of the open cases' PDQ hashes
    int64_t max_pdqs = 1'000'000;            // open-case PDQ hashes kept in memory at most
  };
  // Opens the intake thread's connections (creating the tables) and the
  // evidence key (created on first use), and starts the thread. Errors:
  // the stores', the key directory's (kInvalidInput for PostgreSQL
  // without one).
  static Result<std::unique_ptr<CaseDesk>> open(const Options& options);
  ~CaseDesk();
  CaseDesk(const CaseDesk&) = delete;
  CaseDesk& operator=(const CaseDesk&) = delete;

  using Done = std::function<void(Result<store::IntakeResult>)>;
  // Queues r for the next group commit; done runs on the intake thread once
  // r is committed (or failed: kInvalidInput names "reports[0].<field>" for
  // r alone, kIo when the store failed). r was checked by the caller, but a
  // report the store refuses never fails the others in its batch.
  // file: the uploaded bytes ("" when none), stored in the vault first (its
  // name and media type from file_name and r.media_type).
  void submit(store::NewReport r, std::string file, std::string file_name, Done done);

  // An evidence item's bytes for a reviewer (decrypted and checked; an
  // audited "evidence.view"). Errors: the vault's (kInvalidInput for an
  // unknown or purged id).
  Result<custody::Evidence> read_evidence(int64_t id, std::string_view actor);
  // The same for handing the file to recipient (an authority: a report
  // to NCMEC), audited as "evidence.export" naming the recipient.
  Result<custody::Evidence> export_evidence(int64_t id, std::string_view actor, std::string_view recipient);

  // Sets or releases an evidence item's legal hold (audited by the vault
  // as "evidence.legal_hold"). Errors: the vault's (kInvalidInput for an
  // unknown or purged id).
  Status set_legal_hold(int64_t id, bool hold, std::string_view actor);
  // Keeps the items no longer than now: their retention moves to now
  // (audited "evidence.retention" with the reason), then these items are
  // purged (audited "evidence.purge"; no other item, due or not); items
  // under a legal hold keep their bytes until it is released. Returns the
  // ids purged. Errors: the vault's; items already purged are skipped.
  Result<std::vector<int64_t>> release_evidence(std::span<const int64_t> ids, std::string_view reason,
                                                std::string_view actor);

  // The vault rows of these items (retention, legal hold, purged), in the
  // same order; an unknown id gives a record with id 0. No audit entry: no
  // bytes are read. Errors: the store's.
  Result<std::vector<store::EvidenceRecord>> evidence_records(std::span<const int64_t> ids);

  // A pooled connection (opened on demand).
  Result<pipeline::Lease<store::CaseStore>> store();
  const IntakeCounters& counters() const { return counters_; }

 private:
  struct Item {
    store::NewReport report;
    std::string file, file_name;
    Done done;
  };
  explicit CaseDesk(Options o) : options_(std::move(o)) {}
  // A vault over connections of its own (for the console's evidence work).
  struct VaultSession {
    std::unique_ptr<store::ServiceStore> audit;
    std::unique_ptr<store::CustodyStore> custody;
    std::optional<custody::Vault> vault;
  };
  Result<std::unique_ptr<VaultSession>> open_vault();
  void intake_loop();
  // Puts the batch's files in the vault (a failed one answers its report
  // at once and drops it), then commits the reports.
  void store_files(std::vector<Item>& batch);
  void commit(std::vector<Item>& batch);
  // One transaction for batch[begin, end) (one by one when a report is
  // refused); remembers the PDQ hashes of what it stored.
  void commit_range(std::vector<Item>& batch, size_t begin, size_t end);
  // The open case whose file is nearest r's PDQ within the threshold (0:
  // none). Reloads the list when it is older than pdq_refresh_seconds.
  int64_t near_case(const pdq::Hash256& h);
  void reload_pdqs();

  Options options_;
  std::optional<custody::EvidenceKey> key_;  // set by open(); immutable after
  // The intake thread's connections and vault.
  std::unique_ptr<store::CaseStore> writer_;
  std::unique_ptr<store::ServiceStore> audit_;
  std::unique_ptr<store::CustodyStore> custody_;
  std::unique_ptr<custody::Vault> vault_;
  // The open cases' PDQ hashes (intake thread only) and when loaded.
  std::vector<std::pair<pdq::Hash256, int64_t>> pdqs_;
  std::chrono::steady_clock::time_point pdqs_loaded_{};

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<store::CaseStore>> pool_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::thread thread_;
  IntakeCounters counters_;
};

}  // namespace chainbreak::api
