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
// docs/FORMATS.md states every format exactly as read and written.
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
  // Only with deletion: the list names the entry by external id alone (an
  // NCMEC deleted entry without fingerprints, a plain "-<TAB>id" line);
  // entry.value is then empty and entry.type meaningless, entry.external_id
  // (and source_org when known) say what to delete.
  bool by_external_id = false;
  store::Entry entry;  // type, value (lowercase hex), provenance fields;
                       // id/bank_id/removed unset
  uint64_t line = 0;   // 1-based line where the record starts
};

// A malformed record: where and why. Reading continues after it.
struct RecordError {
  uint64_t line = 0;   // 1-based
  std::string field;   // the field at fault ("hash", "id", "classification", ...), may be empty
  std::string reason;  // e.g. "expected 64 hex digits, got 63"
};

class Reader {
 public:
  virtual ~Reader() = default;
  // Next record. Returns true with *out filled (and error->reason
  // cleared), false at end of input, or fills *error and returns true with
  // error->reason non-empty and *out untouched when the record is
  // malformed (the caller may go on).
  // Every field of *out is overwritten on success; passing the same Record
  // each time lets the reader reuse its strings' storage.
  // An unreadable input (I/O error, XML not well-formed so that nothing
  // after it can be trusted) is a non-ok Result: stop there.
  virtual Result<bool> next(Record* out, RecordError* error) = 0;
  // Bytes consumed so far (for a progress bar).
  virtual uint64_t bytes_read() const = 0;
  // Well-formed items of signal types chainbreak does not hold (NCMEC PDNA,
  // TMK, ...; CSV rows of type url, raw_text, ...), skipped without error.
  virtual uint64_t skipped() const = 0;
};

// Opens a reader over a file ("-" = standard input). default_type is the
// signal type for formats that do not name it per record (plain lists);
// formats that name it per record ignore it. kIo when the file cannot be
// opened.
Result<std::unique_ptr<Reader>> open_reader(const std::string& path, Format format, store::SignalType default_type);
// The same over an open stream (not owned; must outlive the reader; read
// from its current position until EOF; not closed).
std::unique_ptr<Reader> open_reader(std::FILE* in, Format format, store::SignalType default_type);
// The same over bytes in memory (not copied: data must outlive the reader).
// For tests and the fuzzer.
std::unique_ptr<Reader> open_reader_from_memory(std::string_view data, Format format, store::SignalType default_type);

class Writer {
 public:
  virtual ~Writer() = default;
  // Writes one entry (an addition); nothing is written when it fails.
  // kInvalidInput when the value is not hex of its type's length, when
  // metadata_json is neither empty nor a JSON object, or when the format
  // cannot hold the entry as given (plain: a second signal type in one
  // file; ncmec-xml: neither external id nor store id, text XML 1.0 cannot
  // carry); kUnsupported for sha256 in ncmec-xml; kIo when the stream
  // refuses (message with the system's reason).
  virtual Status write(const store::Entry& entry) = 0;
  // Writes a record: an addition as write(), or a deletion. kUnsupported
  // for a deletion in a format that cannot carry one (hma-csv).
  virtual Status write_record(const Record& record) = 0;
  // Closing element, flush; kIo on a write error. Call once, last; a writer
  // destroyed without finish() may leave output incomplete.
  virtual Status finish() = 0;
};
// Writes to out (not owned, must outlive the writer). Output is buffered
// inside the writer; nothing is guaranteed on `out` before finish().
// ncmec-xml buffers entries in two temporary files (images, videos) until
// finish() because the section start tags carry the count and the latest
// timestamp; kIo when those cannot be created.
Result<std::unique_ptr<Writer>> open_writer(std::FILE* out, Format format);

}  // namespace chainbreak::lists
