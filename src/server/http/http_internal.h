// Internals of the HTTP layer shared between its .cc files (not a public
// header): target parsing, case-insensitive helpers, header validation.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chainbreak::http::detail {

// ASCII lower-casing and case-insensitive equality.
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool iequals(std::string_view a, std::string_view b);

// The raw (still percent-encoded) path of a request target: the
// origin-form's path, or the path of an absolute-form target
// ("http://host/p?q" -> "/p"), without query and fragment. "" when the
// target has no path starting with '/'.
std::string_view raw_path(std::string_view target);

// Percent-decodes s into out (reusing its capacity); false on a bad escape.
bool url_decode_into(std::string_view s, bool plus_is_space, std::string& out);

// Fills path (decoded) and query (decoded, reusing the vector's strings)
// from target. False when the target is not origin-form, absolute-form or
// "*", or has a bad percent escape.
bool parse_target(std::string_view target, std::string& path, std::vector<std::pair<std::string, std::string>>& query);

// RFC 9110 token (header names, methods).
bool is_token(std::string_view s);
// A header value that can be written as is: no CR, LF or NUL.
bool is_safe_header_value(std::string_view s);

}  // namespace chainbreak::http::detail
