// RFC 4180 CSV: a tokenizer for one record at a time over a byte window,
// and the matching field writer. Internal to lists/ (tested directly).
//
// Reading: fields are separated by ',' and records end with LF or CRLF. A
// field that starts with '"' is quoted: it ends at the next '"' not
// doubled ("" stands for one quote) and may hold commas, CR and LF; after
// its closing quote only ',' or the end of the record may follow. A '"'
// inside an unquoted field is kept as data (as Python's csv module does).
// A CR not followed by LF is data.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace chainbreak::lists {

// The fields of one record. Views point into the input window or into this
// object's storage (quoted fields with doubled quotes); valid until the
// next parse or until the window changes.
struct CsvFields {
  std::vector<std::string_view> fields;
  std::deque<std::string> storage;  // reused; a deque keeps views valid as it grows
  size_t used_storage = 0;
};

enum class CsvStatus {
  kRecord,    // *fields filled; *consumed bytes include the terminator
  kNeedMore,  // the record does not end inside `in` and !eof: read more
  kError,     // *reason set; *consumed = bytes to skip to resynchronise
};

// Parses the record at the start of `in`. eof says that nothing follows
// `in`. *newlines = line terminators consumed (for line numbers), also on
// error. A record longer than max_bytes, an unterminated quoted field and
// a character after a closing quote are errors; then *consumed reaches to
// the end of the record's first line, so that one bad quote costs one
// line, not the rest of the file.
CsvStatus parse_csv_record(std::string_view in, bool eof, size_t max_bytes, CsvFields* out, size_t* consumed,
                           size_t* newlines, std::string* reason);

// Appends one field, quoted only when it contains ',', '"', CR or LF (the
// minimal quoting of Python's csv.writer), quotes doubled.
void append_csv_field(std::string_view field, std::string* out);

}  // namespace chainbreak::lists
