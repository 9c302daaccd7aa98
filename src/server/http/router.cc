// Router: method + path pattern -> handler; 404 and 405 as JSON errors.
#include <string>
#include <string_view>
#include <vector>

#include "server/http/http.h"
#include "server/http/http_internal.h"

namespace chainbreak::http {

namespace {

// Splits "/a/b" into {"a", "b"} ("/" into {""}); the views point into path.
void split_path(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
}

bool is_placeholder(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route route;
  route.method = std::move(method);
  std::vector<std::string_view> parts;
  split_path(pattern, parts);
  route.segments.assign(parts.begin(), parts.end());
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

void Router::handle(Request& req, Response& res) const {
  // Split the raw path, then decode segment by segment: an encoded '/'
  // ("%2F") stays inside its segment.
  thread_local std::vector<std::string_view> raw_segments;
  thread_local std::vector<std::string> decoded_storage;
  thread_local std::vector<std::string_view> segments;
  split_path(detail::raw_path(req.target), raw_segments);
  segments.clear();
  if (decoded_storage.size() < raw_segments.size()) decoded_storage.resize(raw_segments.size());
  for (size_t i = 0; i < raw_segments.size(); ++i) {
    if (raw_segments[i].find_first_of("%") == std::string_view::npos) {
      segments.push_back(raw_segments[i]);
      continue;
    }
    if (!detail::url_decode_into(raw_segments[i], false, decoded_storage[i])) {
      json_error(res, 400, "bad_request", "malformed percent-encoding in the path");
      return;
    }
    segments.push_back(decoded_storage[i]);
  }

  std::string allow;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& pattern = route.segments[i];
      match = is_placeholder(pattern) ? !segments[i].empty() : pattern == segments[i];
    }
    if (!match) continue;
    if (route.method == req.method || (req.method == "HEAD" && route.method == "GET")) {
      req.path_params.clear();
      for (size_t i = 0; i < segments.size(); ++i) {
        const std::string& pattern = route.segments[i];
        if (is_placeholder(pattern))
          req.path_params.emplace(pattern.substr(1, pattern.size() - 2), std::string(segments[i]));
      }
      route.handler(req, res);
      return;
    }
    // The path matches under another method: remember it for Allow.
    auto add_allow = [&allow](std::string_view m) {
      size_t pos = 0;
      while (pos < allow.size()) {
        const size_t comma = allow.find(", ", pos);
        const std::string_view existing = std::string_view(allow).substr(pos, comma - pos);
        if (existing == m) return;
        if (comma == std::string::npos) break;
        pos = comma + 2;
      }
      if (!allow.empty()) allow += ", ";
      allow += m;
    };
    add_allow(route.method);
    if (route.method == "GET") add_allow("HEAD");
  }
  if (allow.empty()) {
    json_error(res, 404, "not_found", "no such resource");
    return;
  }
  json_error(res, 405, "method_not_allowed", "method " + req.method + " is not allowed here");
  res.headers.emplace_back("Allow", std::move(allow));
}

}  // namespace chainbreak::http
