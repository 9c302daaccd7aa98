// Field codecs shared by the list formats: hex hashes, signal type names,
// timestamps, numbers, and the metadata JSON object. Internal to lists/.
// Every parser takes a string_view and either fills its output and returns
// true, or returns false (with a reason where the caller reports one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store.h"
#include "util/result.h"

namespace chainbreak::lists {

// Limits that keep memory bounded on hostile input.
inline constexpr size_t kMaxFieldBytes = 64 * 1024;     // one id, value or fingerprint
inline constexpr size_t kMaxRecordBytes = 1024 * 1024;  // one line / CSV record

// Hex digits of a value of type t: pdq 64, md5 32, sha1 40, sha256 64.
size_t hex_length(store::SignalType t);
// "pdq", "md5", "sha1", "sha256" (local copies of the store's helpers so
// that lists/ does not link the store library).
const char* type_name(store::SignalType t);
// Case-insensitive; our names above only; nullopt otherwise.
std::optional<store::SignalType> parse_type_name(std::string_view name);

// Checks that `in` is exactly hex_length(t) hex digits (either case) and
// writes them lowercase to *out (assigned, capacity reused). On failure
// returns false with *reason like "expected 64 hex digits, got 63" or
// "not hex: 'g' at position 5"; *out is then unspecified.
bool normalize_hex(std::string_view in, store::SignalType t, std::string* out, std::string* reason);
// True when `in` is lowercase hex of t's length (what writers accept).
bool is_canonical_hex(std::string_view in, store::SignalType t);

// Parses unix seconds ("-?[0-9]+") or RFC 3339 ("2024-05-01T12:00:00Z",
// optional fraction (dropped), offset Z or +hh:mm or +hhmm; 't' or ' '
// accepted for 'T', 'z' for 'Z'). Years 0000-9999.
bool parse_time(std::string_view in, int64_t* out);
// Appends RFC 3339 UTC ("2024-05-01T12:00:00Z") for years 0000-9999, unix
// seconds otherwise (both read back by parse_time).
void append_time(int64_t unix_seconds, std::string* out);

bool parse_int64(std::string_view in, int64_t* out);
bool parse_int32(std::string_view in, int32_t* out);
// A finite number in [0, 1].
bool parse_confidence(std::string_view in, double* out);
// Shortest text that reads back to the same double.
void append_double(double v, std::string* out);

// Sets every field of *e to its default, clearing the strings but keeping
// their storage (readers fill the caller's Record again and again).
void reset_entry(store::Entry* e);

// Removes leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

// Builds Entry::metadata_json: a compact JSON object with keys sorted
// (the same text nlohmann::json::dump() gives), "" when empty. String
// members come from add(); merge() adds the members of a JSON object text.
// Reused across records (clear() keeps capacity).
class MetadataBuilder {
 public:
  void clear();
  bool empty() const { return count_ == 0 && merged_.empty(); }
  // Adds a string member; false when the key is already present.
  bool add(std::string_view key, std::string_view value);
  // Adds every member of `json` (must be a JSON object). Returns false with
  // *reason when it is not valid JSON, not an object, or repeats a key.
  bool merge(std::string_view json, std::string* reason);
  // Writes the object to *out ("" when empty). Returns false with *reason
  // when two sources gave the same key.
  bool finish(std::string* out, std::string* reason);

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;  // first count_ in use
  size_t count_ = 0;
  std::vector<size_t> order_;
  std::vector<std::string> merged_;  // JSON object texts given to merge()
};

// Appends `s` as a JSON string literal (with quotes) escaped the way
// nlohmann::json::dump() does for ASCII; bytes >= 0x80 are passed through.
void append_json_string(std::string_view s, std::string* out);

}  // namespace chainbreak::lists
