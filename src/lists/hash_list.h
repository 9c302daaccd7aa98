// Streaming readers and writers for the hash-list formats chainbreak
// imports and exports:
//   plain      one hash per line (hex), optionally followed by tab-separated
//              fields: external id, then key=value metadata; '#' comments
//              and blank lines skipped;
//   hma-csv    the CSV python-threatexchange / HMA write and read for bank
//              content and datasets (see docs/FORMATS.md for the columns);
//   ncmec-xml  NCMEC hash-sharing API v2 entries (<queryResult>/<images>|
//              <videos>/<image>|<video> with <fingerprints>: MD5, SHA1, PDQ;
//              other fingerprint types are counted and skipped; entries
//              marked deleted become deletions).
// Readers stream (memory bounded by one record, not by the file) and report
// each malformed record with its line number and reason; the caller decides
// whether to stop (--strict) or skip and count.
//
// Thread-safety: a reader or writer is used by one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"
#include "util/result.h"

namespace chainbreak::lists {

enum class Format { kPlain, kHmaCsv, kNcmecXml };
// "plain", "hma-csv", "ncmec-xml"; nullopt when unknown.
std::optional<Format> parse_format(std::string_view name);
const char* format_name(Format f);

// One record of a list: a signal to add, or a deletion of that signal.
struct Record {
  bool deletion = false;
  store::Entry entry;  // type, value (lowercase hex), provenance fields;
                       // id/bank_id/removed unset
  uint64_t line = 0;   // 1-based line where the record starts
};

// A malformed record: where and why. Reading continues after it.
struct RecordError {
  uint64_t line = 0;       // 1-based
  std::string field;       // the field at fault ("hash", "id", "classification", ...), may be empty
  std::string reason;      // e.g. "expected 64 hex digits, got 63"
};

class Reader {
 public:
  virtual ~Reader() = default;
  // Next record. Returns true with *out filled, false at end of input, or
  // fills *error and returns true with error->reason non-empty and *out
  // untouched when the record is malformed (the caller may go on).
  // An unreadable input (I/O error, XML not well-formed so that nothing
  // after it can be trusted) is a non-ok Result: stop there.
  virtual Result<bool> next(Record* out, RecordError* error) = 0;
  // Bytes consumed so far (for a progress bar).
  virtual uint64_t bytes_read() const = 0;
};

// Opens a reader over a file ("-" = standard input). default_type is the
// signal type for formats that do not name it per record (plain lists);
// formats that name it per record ignore it. kIo when the file cannot be
// opened.
Result<std::unique_ptr<Reader>> open_reader(const std::string& path, Format format,
                                            store::SignalType default_type);

class Writer {
 public:
  virtual ~Writer() = default;
  virtual Status write(const store::Entry& entry) = 0;
  virtual Status finish() = 0;  // closing element, flush
};
// Writes to out (not owned, must outlive the writer).
Result<std::unique_ptr<Writer>> open_writer(std::FILE* out, Format format);

}  // namespace chainbreak::lists
