// The append-only decision journal: framed records
//   u32 payload length | u8 type | payload | u64 XXH3-64(length, type, payload)
// A record that is cut short or whose checksum fails ends the journal (a
// crash mid-write): scanning stops there and a writer truncates it away.
//
// Thread-safety: a JournalWriter is used by one thread (or by two, split as
// take()/write_durable() below says); scanning is independent of writers
// (it reads what is on disk).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace chainbreak::payments {

enum class RecordType : uint8_t {
  kSession = 1,  // rules text and payment-id digests in effect from here on
  kScreen = 2,   // input line number, raw line, decision line
  kRedress = 3,  // a redress event (JSON)
};

struct JournalScan {
  uint64_t valid_end = 0;  // offset after the last intact record
  uint64_t records = 0;
  bool torn = false;  // bytes after valid_end did not form a record
};

// Calls fn(type, payload, end offset) for each intact record starting at
// offset from; fn returns false to stop. A missing file is an empty journal.
// Errors: kIo (unreadable), or whatever fn stops with via its Status.
Result<JournalScan> scan_journal(const std::string& path, uint64_t from,
                                 const std::function<Status(RecordType, std::string_view, uint64_t)>& fn);

class JournalWriter {
 public:
  // Opens (creating) path for appending after truncating it to valid_end,
  // and takes an exclusive lock on it. Errors: kIo, kUnsupported when another
  // process holds the lock ("in use").
  static Result<std::unique_ptr<JournalWriter>> open(const std::string& path, uint64_t valid_end);
  ~JournalWriter();

  // Queues one record (payload = the concatenation of the parts).
  void append(RecordType type, std::string_view a, std::string_view b = {}, std::string_view c = {});
  // Writes the queued records and fdatasyncs: on return they survive a
  // crash. Errors: kIo.
  Status commit();
  uint64_t committed() const { return committed_; }
  size_t pending_bytes() const { return buf_.size(); }

  // The two halves of commit(), for a writer thread that flushes one batch
  // while the next is being queued: take() moves the queued records into
  // *into (which it clears first; its capacity is reused for the next
  // batch) and write_durable(batch) writes and fdatasyncs a taken batch.
  // Batches must be written in the order taken; take() and append() belong
  // to one thread, write_durable() to one (other) thread, and committed()
  // is only exact when no batch is in flight. Errors: kIo.
  void take(std::string* into);
  Status write_durable(const std::string& batch);

 private:
  JournalWriter() = default;
  std::string path_;
  int fd_ = -1;
  std::atomic<uint64_t> committed_{0};
  std::string buf_;
};

}  // namespace chainbreak::payments
