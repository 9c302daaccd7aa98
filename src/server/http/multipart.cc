// multipart/form-data (RFC 7578, framing of RFC 2046 section 5.1.1).
#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/http.h"
#include "server/http/http_internal.h"

namespace chainbreak::http {

namespace {

constexpr size_t kMaxPartHeaderBytes = 8 * 1024;
constexpr size_t kMaxBoundary = 70;

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

// Parses `; name=value` parameters (value a token or a quoted-string) after
// a media type or disposition type; calls on_param(lower-cased name, value).
// False on malformed syntax.
bool parse_params(std::string_view s, const std::function<void(const std::string&, const std::string&)>& on_param) {
  size_t i = 0;
  std::string name;
  std::string value;
  for (;;) {
    while (i < s.size() && is_ows(s[i])) ++i;
    if (i == s.size()) return true;
    if (s[i] != ';') return false;
    ++i;
    while (i < s.size() && is_ows(s[i])) ++i;
    if (i == s.size()) return true;  // a trailing ';' is tolerated
    name.clear();
    while (i < s.size() && is_token_char(s[i])) name.push_back(detail::ascii_lower(s[i++]));
    if (name.empty()) return false;
    while (i < s.size() && is_ows(s[i])) ++i;
    if (i == s.size() || s[i] != '=') return false;
    ++i;
    while (i < s.size() && is_ows(s[i])) ++i;
    value.clear();
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char c = s[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (i == s.size()) return false;
          c = s[i++];
        }
        if (c == '\r' || c == '\n' || c == '\0') return false;
        value.push_back(c);
      }
      if (!closed) return false;
    } else {
      while (i < s.size() && is_token_char(s[i])) value.push_back(s[i++]);
      if (value.empty()) return false;
    }
    on_param(name, value);
  }
}

// Splits "type/subtype; params" into the lower-cased type and the rest.
std::string_view media_type(std::string_view value, std::string_view* params) {
  const size_t semi = value.find(';');
  *params = semi == std::string_view::npos ? std::string_view{} : value.substr(semi);
  return trim(value.substr(0, semi));
}

// Parses a part's header block (lines separated by CRLF, no final CRLF).
Status parse_part_headers(std::string_view block, Part& part) {
  bool has_disposition = false;
  bool has_name = false;
  while (!block.empty()) {
    const size_t eol = block.find("\r\n");
    const std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || !detail::is_token(line.substr(0, colon)))
      return InvalidInput("malformed part header line");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (detail::iequals(name, "content-disposition")) {
      if (has_disposition) return InvalidInput("part with two Content-Disposition headers");
      has_disposition = true;
      std::string_view params;
      if (!detail::iequals(media_type(value, &params), "form-data"))
        return InvalidInput("part Content-Disposition is not form-data");
      const bool ok = parse_params(params, [&](const std::string& key, const std::string& v) {
        if (key == "name" && !has_name) {
          part.name = v;
          has_name = true;
        } else if (key == "filename" && part.filename.empty()) {
          part.filename = v;
        }
      });
      if (!ok) return InvalidInput("malformed part Content-Disposition");
    } else if (detail::iequals(name, "content-type")) {
      part.content_type = std::string(value);
    }
  }
  if (!has_disposition) return InvalidInput("part without Content-Disposition");
  if (!has_name) return InvalidInput("part without a name");
  return Status::Ok();
}

}  // namespace

Result<std::vector<Part>> parse_multipart(std::string_view content_type, std::string_view body, size_t max_parts) {
  std::string_view params;
  if (!detail::iequals(media_type(content_type, &params), "multipart/form-data"))
    return InvalidInput("Content-Type is not multipart/form-data");
  std::string boundary;
  bool has_boundary = false;
  const bool params_ok = parse_params(params, [&](const std::string& key, const std::string& value) {
    if (key == "boundary" && !has_boundary) {
      boundary = value;
      has_boundary = true;
    }
  });
  if (!params_ok) return InvalidInput("malformed Content-Type parameters");
  if (!has_boundary) return InvalidInput("no boundary in Content-Type");
  if (boundary.empty() || boundary.size() > kMaxBoundary) return InvalidInput("boundary must have 1 to 70 characters");

  // "\r\n--boundary" ends every part; the first delimiter may also start the
  // body (no preamble).
  const std::string delimiter = "\r\n--" + boundary;
  const std::boyer_moore_horspool_searcher searcher(delimiter.begin(), delimiter.end());
  auto find_delimiter = [&](size_t from) -> size_t {
    const auto it = std::search(body.begin() + static_cast<std::ptrdiff_t>(from), body.end(), searcher);
    return it == body.end() ? std::string_view::npos : static_cast<size_t>(it - body.begin());
  };

  size_t pos;  // just after a delimiter
  if (body.substr(0, delimiter.size() - 2) == std::string_view(delimiter).substr(2)) {
    pos = delimiter.size() - 2;
  } else {
    const size_t found = find_delimiter(0);
    if (found == std::string_view::npos) return InvalidInput("no opening boundary in the body");
    pos = found + delimiter.size();
  }

  std::vector<Part> parts;
  for (;;) {
    if (body.size() - pos < 2) return InvalidInput("missing closing boundary");
    if (body.substr(pos, 2) == "--") return parts;         // close delimiter; the epilogue is ignored
    while (pos < body.size() && is_ows(body[pos])) ++pos;  // transport padding
    if (body.substr(pos, 2) != "\r\n") {
      if (pos >= body.size()) return InvalidInput("missing closing boundary");
      return InvalidInput("malformed boundary line");
    }
    pos += 2;
    if (parts.size() == max_parts) return InvalidInput("more than " + std::to_string(max_parts) + " parts");

    // Header block: lines up to an empty line.
    std::string_view block;
    if (body.substr(pos, 2) == "\r\n") {
      pos += 2;
    } else {
      const std::string_view window = body.substr(pos, kMaxPartHeaderBytes + 4);
      const size_t end = window.find("\r\n\r\n");
      if (end == std::string_view::npos) {
        if (window.size() > kMaxPartHeaderBytes) return InvalidInput("part header over 8 KiB");
        return InvalidInput("unterminated part header");
      }
      if (end > kMaxPartHeaderBytes) return InvalidInput("part header over 8 KiB");
      block = window.substr(0, end);
      pos += end + 4;
    }
    Part part;
    Status st = parse_part_headers(block, part);
    if (!st.ok()) return InvalidInput(st.message() + " (part " + std::to_string(parts.size() + 1) + ")");

    // The data runs up to the next delimiter (possibly right here: empty).
    const size_t end = find_delimiter(pos);
    if (end == std::string_view::npos) return InvalidInput("missing closing boundary");
    part.data = body.substr(pos, end - pos);
    parts.push_back(std::move(part));
    pos = end + delimiter.size();
  }
}

}  // namespace chainbreak::http
