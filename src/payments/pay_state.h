// A Screener whose decisions and redress events are journaled in a state
// directory (DIR/journal.log, DIR/snapshot.bin), and the journal replay.
//
// Durability: screen_line() queues the journal record; commit() writes and
// fdatasyncs every queued record. A caller acknowledges decisions (prints
// them, answers a request) only after commit() returned ok, so a crash
// (kill -9, power cut) loses no acknowledged decision. open() loads the
// snapshot, re-screens the journal after it (with the rules journaled at
// the time) and drops a torn final record; then it journals a session
// record with the rules and payment-id digests now in effect.
//
// Thread-safety: one thread at a time (commit_pipelined's writer thread is
// internal), except commit_shared(), which concurrent callers use as it says. One process per state directory
// (open() takes an exclusive lock; a second writer gets kUnsupported).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "payments/engine.h"
#include "payments/journal.h"

namespace chainbreak::payments {

// Parses a line and screens it, appending the decision line (or an error
// decision) to out, without a newline. Empty lines are the caller's
// business. Returns true when the line was a transaction.
bool screen_line(Screener& s, TxParser& p, std::string_view line, uint64_t line_no, std::string& out);

struct LineRef {
  std::string_view text;
  uint64_t line_no = 0;
};

// Screens batches of lines with one parser per batch slot, so that the
// Screener can overlap their memory accesses (Screener::screen_batch).
class LineScreener {
 public:
  explicit LineScreener(Screener& s);
  ~LineScreener();
  // For each line in order: appends its decision line and a newline to out,
  // then calls done(i, decision without the newline). Lines longer than
  // 1 MiB get an error decision.
  void run(std::span<const LineRef> lines, std::string& out, const std::function<void(size_t, std::string_view)>& done);

 private:
  Screener& s_;
  std::vector<std::unique_ptr<TxParser>> parsers_;
  std::vector<Transaction> txs_;
  std::vector<size_t> tx_line_;
};

struct StateOptions {
  std::string dir;
  Options screener;
  bool read_only = false;               // stats: no lock, no session record, no snapshot
  uint64_t snapshot_every = 1'000'000;  // transactions between snapshots
};

class PaymentState {
 public:
  // Errors: kIo (directory, journal, snapshot unreadable), kInvalidInput
  // (corrupt snapshot, a journaled rules text that no longer parses),
  // kUnsupported (directory in use).
  static Result<std::unique_ptr<PaymentState>> open(StateOptions o);
  ~PaymentState();

  Screener& screener() { return *screener_; }
  uint64_t recovered_records() const { return recovered_; }
  bool dropped_torn_record() const { return torn_; }

  // Screens one input line: appends the decision to out and queues the
  // journal record (raw line + decision).
  void screen_line(std::string_view line, uint64_t line_no, std::string& out);
  // The same for a batch (decision lines end with a newline here).
  void screen_lines(std::span<const LineRef> lines, std::string& out);
  // Batches screened or queued so far (read under the screening lock): the
  // sequence number commit_async() waits for.
  uint64_t queued_batches() const { return queued_batches_; }
  // Group commit (see above); writes a snapshot when snapshot_every
  // transactions passed since the last one. Errors: kIo.
  Status commit();
  // Pipelined group commit for a stream (chainbreak pay screen): hands the
  // queued records and *ack (the output that acknowledges them; swapped for
  // an empty buffer) to a writer thread, which writes and fdatasyncs the
  // records and only then calls write_ack(ack). Screening the next batch
  // thus overlaps the disk flush, and nothing is acknowledged before it is
  // durable. Waits while the previous batch is in flight (one batch of
  // look-ahead); writes a snapshot, after draining, when one is due. Without
  // a journal (read-only) it calls write_ack at once. Errors: kIo from the
  // journal, or write_ack's error, reported by this call or by drain().
  Status commit_pipelined(std::string* ack, std::function<Status(const std::string&)> write_ack);
  // Waits until no batch is in flight. Errors: as commit_pipelined.
  Status drain();
  // Group commit for concurrent callers (the service). A caller screens
  // (or queues a redress) under its own lock, *screen_mu, notes
  // queued_batches() before releasing it, and calls commit_async(seq, ...)
  // after: a flusher thread takes every queued record (briefly under
  // *screen_mu), fdatasyncs them outside it, then calls done(status) for
  // every caller whose batch that flush covered, so concurrent requests
  // share one fdatasync and no caller's thread waits on the disk. Writes a
  // snapshot when one is due and nothing is queued. screen_mu must be the
  // same mutex on every call and outlive this object's last call. done runs
  // on the flusher thread (or at once, with the error, once a flush failed:
  // a failed flush is sticky, the records it held are not on disk); every
  // done is called before the destructor returns. Errors given to done: kIo.
  void commit_async(uint64_t seq, std::mutex& screen_mu, std::function<void(Status)> done);
  // commit_async, waiting for done. Not while holding *screen_mu.
  Status commit_shared(std::mutex& screen_mu);
  // Applies a redress event and queues its journal record when it applied
  // (commit with commit_shared()). Errors: as redress().
  Status redress_queued(const RedressEvent& e);
  // Applies a redress event; journals and commits it when it applied.
  // Not for callers that use commit_shared() (use redress_queued()).
  Status redress(const RedressEvent& e);
  // Drains, commits and writes a snapshot (clean exit).
  Status close();

 private:
  PaymentState() = default;
  StateOptions opt_;
  std::unique_ptr<Screener> screener_;
  std::unique_ptr<JournalWriter> journal_;
  TxParser parser_;
  std::unique_ptr<LineScreener> lines_;
  std::string decision_;
  uint64_t since_snapshot_ = 0, recovered_ = 0;
  bool torn_ = false;
  struct Pipe;
  std::unique_ptr<Pipe> pipe_;
  struct Flusher;
  std::unique_ptr<Flusher> flusher_;
  std::once_flag flusher_once_;
  uint64_t queued_batches_ = 0;  // under the screening lock
  Status save_snapshot();
};

// The session record's payload, and back.
std::string session_payload(const RuleSet& rules, const std::vector<Digest>& ids);
Status parse_session(std::string_view payload, RuleSet* rules, std::vector<Digest>* ids);

struct ReplayReport {
  uint64_t screens = 0, redress = 0, sessions = 0;
  bool identical = true;
  uint64_t first_diff_record = 0;  // 1-based record number in the journal
  uint64_t line = 0;               // its input line number
  std::string expected, got;       // the journaled and the recomputed decision
  bool torn = false;
};
// Re-screens every journaled input with fresh state (rules from the
// journal's session records, or override_rules when given) and compares
// the decisions. Errors: kIo, kInvalidInput (bad journal content).
Result<ReplayReport> replay_journal(const std::string& dir, const RuleSet* override_rules);

}  // namespace chainbreak::payments
