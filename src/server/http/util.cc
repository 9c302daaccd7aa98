// Request accessors, JSON errors, percent-decoding and target parsing.
#include <nlohmann/json.hpp>

#include "server/http/http.h"
#include "server/http/http_internal.h"

namespace chainbreak::http {

namespace detail {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view raw_path(std::string_view target) {
  if (target.empty()) return {};
  if (target.front() != '/') {
    // absolute-form: scheme "://" authority path
    const size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
    for (char c : target.substr(0, scheme_end))
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
            c == '.'))
        return {};
    target.remove_prefix(scheme_end + 3);
    const size_t slash = target.find_first_of("/?#");
    if (slash == std::string_view::npos || target[slash] != '/') return "/";
    target.remove_prefix(slash);
  }
  const size_t end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

bool url_decode_into(std::string_view s, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool parse_target(std::string_view target, std::string& path, std::vector<std::pair<std::string, std::string>>& query) {
  size_t used = 0;
  if (target == "*") {
    path.clear();
    path.push_back('*');  // not assign("*"): GCC 12 -Wrestrict false positive
    query.clear();
    return true;
  }
  const std::string_view raw = raw_path(target);
  if (raw.empty() || !url_decode_into(raw, false, path)) return false;
  const size_t q = target.find('?');
  if (q != std::string_view::npos) {
    std::string_view rest = target.substr(q + 1);
    const size_t hash = rest.find('#');
    if (hash != std::string_view::npos) rest = rest.substr(0, hash);
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string_view item = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      if (item.empty()) continue;
      const size_t eq = item.find('=');
      if (used == query.size()) query.emplace_back();
      auto& [key, value] = query[used++];
      if (!url_decode_into(item.substr(0, eq), true, key)) return false;
      if (eq == std::string_view::npos) {
        value.clear();
      } else if (!url_decode_into(item.substr(eq + 1), true, value)) {
        return false;
      }
    }
  }
  query.resize(used);
  return true;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  }
  return true;
}

bool is_safe_header_value(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

}  // namespace detail

const std::string* Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (detail::iequals(key, name)) return &value;
  return nullptr;
}

std::optional<std::string_view> Request::query_param(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
  const auto it = path_params.find(name);
  return it == path_params.end() ? std::string_view{} : std::string_view(it->second);
}

void json_error(Response& res, int status, std::string_view code, std::string_view message, std::string_view field) {
  nlohmann::json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  res.status = status;
  res.content_type = "application/json";
  // Messages may quote client input: invalid UTF-8 is replaced, never thrown on.
  res.body = nlohmann::json{{"error", std::move(error)}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  if (!detail::url_decode_into(s, plus_is_space, out)) return std::nullopt;
  return out;
}

}  // namespace chainbreak::http
