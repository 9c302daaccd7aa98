// Engine: the shared state of one `chainbreak serve` process.
//   - connection pools to the store (banks) and the service store (rules,
//     decisions, tokens, audit), one connection per concurrent user;
//   - the BankSet (every bank's index), kept in step with the store's change
//     log by a follower thread, so several replicas on one PostgreSQL see
//     each other's bank changes within follow_interval (plus the time to
//     apply them); a replica's own writes are applied before its response;
//   - the cached action rules (reloaded by the follower too);
//   - the match-rate alarm, which quarantines a bank whose match rate jumps;
//   - the webhook deliverer thread (outbox in the service store: retries
//     with exponential backoff, survives restarts, one replica per delivery).
//
// Thread-safety: every public member may be called from any thread.
// Errors: Status/Result from the stores (kIo) or bad arguments
// (kInvalidInput); never exceptions.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "banks/bank_set.h"
#include "pipeline/rate_alarm.h"
#include "store/service_store.h"
#include "store/store.h"

namespace chainbreak::pipeline {

// Sends one webhook: POST body with headers to url; returns the HTTP status
// (kIo when the connection failed or timed out). The serve command passes
// http::http_post; tests may pass a recorder.
using PostFn = std::function<Result<int>(const std::string& url, const std::string& body,
                                         const std::vector<std::pair<std::string, std::string>>& headers,
                                         std::chrono::milliseconds timeout)>;

struct EngineOptions {
  std::string location;      // SQLite file path or PostgreSQL conninfo
  std::string snapshot_dir;  // "" = no index snapshots
  std::chrono::milliseconds follow_interval{500};
  bool deliver_webhooks = true;
  std::chrono::milliseconds webhook_poll{250};
  std::chrono::milliseconds webhook_timeout{5'000};
  std::chrono::milliseconds webhook_base_delay{1'000};  // first retry; doubles, capped at 10 min
  int webhook_max_attempts = 8;
  PostFn post;  // required when deliver_webhooks
  AlarmOptions alarm;
  bool alarm_enabled = true;
};

// A pooled connection, returned to the pool when the lease ends.
template <class T>
class Lease {
 public:
  Lease(std::unique_ptr<T> conn, std::function<void(std::unique_ptr<T>)> back)
      : conn_(std::move(conn)), back_(std::move(back)) {}
  Lease(Lease&&) = default;
  ~Lease() {
    if (conn_) back_(std::move(conn_));
  }
  T* operator->() { return conn_.get(); }
  T& operator*() { return *conn_; }

 private:
  std::unique_ptr<T> conn_;
  std::function<void(std::unique_ptr<T>)> back_;
};

struct EngineCounters {
  std::atomic<uint64_t> lookups{0};
  std::atomic<uint64_t> lookup_matches{0};
  std::atomic<uint64_t> decisions{0};
  std::atomic<uint64_t> webhooks_delivered{0};
  std::atomic<uint64_t> webhooks_failed_attempts{0};
  std::atomic<uint64_t> quarantines{0};
  std::atomic<uint64_t> follow_errors{0};
};

class Engine {
 public:
  // Opens both stores, builds/loads the indexes and starts the threads.
  static Result<std::unique_ptr<Engine>> open(const EngineOptions& options);
  ~Engine();  // stops the threads (finishing a delivery in progress)

  Result<Lease<store::Store>> store();
  Result<Lease<store::ServiceStore>> service();

  // Matches with the bank rules of banks::BankSet (see bank_set.h), feeding
  // the rate alarm (a tripped bank is quarantined before this returns).
  // actor names the caller for the audit entry of a quarantine.
  Result<std::vector<banks::Match>> match_pdq(const pdq::Hash256& q, std::span<const std::string> banks,
                                              std::optional<int> threshold);
  Result<std::vector<banks::Match>> match_exact(store::SignalType type, std::span<const uint8_t> digest,
                                                std::span<const std::string> banks);

  // Applies the store's pending changes and reloads rules now (after a
  // local write, so the caller's next request sees it).
  Status refresh();
  // The rules in force (a snapshot; cheap to copy the pointer).
  std::shared_ptr<const std::vector<store::Rule>> rules() const;
  // Clears a bank's alarm state (after a curator lifted its quarantine).
  void reset_alarm(const std::string& bank) { alarm_.reset(bank); }

  // Saves the indexes to the snapshot directory (when one was given and
  // anything changed), for a fast restart.
  Status save_snapshots();
  int64_t seq() const;
  bool ready() const { return ready_.load(); }
  size_t pdq_entries() const;  // live PDQ entries over all banks
  EngineCounters& counters() { return counters_; }
  const EngineOptions& options() const { return options_; }

 private:
  explicit Engine(const EngineOptions& options) : options_(options), alarm_(options.alarm) {}
  Status reload_rules(store::ServiceStore& s);
  void feed_alarm(const std::vector<banks::Match>& matches);
  void follow_loop();
  void deliver_loop();
  void deliver_once();

  EngineOptions options_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<store::Store>> store_pool_;
  std::vector<std::unique_ptr<store::ServiceStore>> service_pool_;

  mutable std::shared_mutex set_mu_;  // shared: matching; exclusive: refresh
  std::unique_ptr<banks::BankSet> set_;
  std::mutex refresh_mu_;  // one refresh at a time
  std::atomic<std::shared_ptr<const std::vector<store::Rule>>> rules_;

  RateAlarm alarm_;
  EngineCounters counters_;
  std::atomic<bool> ready_{false};

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread follower_;
  std::thread deliverer_;
};

// Unix time in microseconds / seconds.
int64_t now_us();
// The signature header value for a webhook body: "t=<unix s>,v1=<hex
// HMAC-SHA256(secret, "<t>.<body>")>". Receivers recompute it and reject
// old timestamps.
std::string webhook_signature(const std::string& secret, int64_t unix_s, const std::string& body);
inline int64_t now_s() { return now_us() / 1'000'000; }

}  // namespace chainbreak::pipeline
