#include "lists/csv.h"

#include <algorithm>
#include <cstring>

namespace chainbreak::lists {
namespace {

size_t count_newlines(std::string_view s, size_t n) {
  return static_cast<size_t>(std::count(s.data(), s.data() + n, '\n'));
}

// End of the first physical line of `in` (after its LF), or in.size().
size_t first_line_end(std::string_view in) {
  const size_t nl = in.find('\n');
  return nl == std::string_view::npos ? in.size() : nl + 1;
}

CsvStatus error(std::string_view in, std::string text, size_t* consumed, size_t* newlines, std::string* reason) {
  *consumed = first_line_end(in);
  *newlines = count_newlines(in, *consumed);
  *reason = std::move(text);
  return CsvStatus::kError;
}

}  // namespace

CsvStatus parse_csv_record(std::string_view in, bool eof, size_t max_bytes, CsvFields* out, size_t* consumed,
                           size_t* newlines, std::string* reason) {
  out->fields.clear();
  out->used_storage = 0;
  const size_t n = in.size();
  const char* d = in.data();
  auto need_more = [&]() {
    if (n > max_bytes)
      return error(in, "record longer than " + std::to_string(max_bytes) + " bytes", consumed, newlines, reason);
    return CsvStatus::kNeedMore;
  };
  auto done = [&](size_t end) {
    if (end > max_bytes)
      return error(in, "record longer than " + std::to_string(max_bytes) + " bytes", consumed, newlines, reason);
    *consumed = end;
    *newlines = count_newlines(in, end);
    return CsvStatus::kRecord;
  };
  size_t i = 0;
  for (;;) {
    if (i < n && d[i] == '"') {
      const size_t start = i + 1;
      size_t j = start;
      bool doubled = false;
      for (;;) {
        const void* q = j < n ? std::memchr(d + j, '"', n - j) : nullptr;
        if (q == nullptr) {
          if (!eof) return need_more();
          return error(in, "unterminated quoted field", consumed, newlines, reason);
        }
        j = static_cast<size_t>(static_cast<const char*>(q) - d);
        if (j + 1 >= n && !eof) return need_more();  // is the next byte a second quote?
        if (j + 1 < n && d[j + 1] == '"') {
          doubled = true;
          j += 2;
          continue;
        }
        break;
      }
      std::string_view value(d + start, j - start);
      if (doubled) {
        if (out->used_storage == out->storage.size()) out->storage.emplace_back();
        std::string& s = out->storage[out->used_storage++];
        s.clear();
        for (size_t k = 0; k < value.size(); ++k) {
          s.push_back(value[k]);
          if (value[k] == '"') ++k;  // skip the second of a doubled quote
        }
        value = s;
      }
      out->fields.push_back(value);
      i = j + 1;
      if (i >= n) return done(n);  // eof right after the closing quote
      if (d[i] == ',') {
        ++i;
        continue;
      }
      if (d[i] == '\n') return done(i + 1);
      if (d[i] == '\r') {
        if (i + 1 >= n && !eof) return need_more();
        if (i + 1 >= n) return done(n);
        if (d[i + 1] == '\n') return done(i + 2);
      }
      return error(in, "unexpected character after a closing quote (a quote inside a quoted field is written \"\")",
                   consumed, newlines, reason);
    }
    size_t j = i;
    while (j < n && d[j] != ',' && d[j] != '\n') ++j;
    if (j >= n && !eof) return need_more();
    std::string_view value(d + i, j - i);
    if (j < n && d[j] == '\n' && !value.empty() && value.back() == '\r') value.remove_suffix(1);
    out->fields.push_back(value);
    if (j >= n) return done(n);
    if (d[j] == '\n') return done(j + 1);
    i = j + 1;  // after ','
  }
}

void append_csv_field(std::string_view field, std::string* out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace chainbreak::lists
