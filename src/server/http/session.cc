// The non-template parts of a session: request conversion, the handler
// call, response serialisation.
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <exception>

#include "server/http/http_internal.h"
#include "server/http/server_internal.h"

namespace chainbreak::http::detail {

namespace {

namespace http = boost::beast::http;

constexpr size_t kInlineBody = 16 * 1024;

std::string_view to_std(boost::beast::string_view s) { return {s.data(), s.size()}; }

void assign_lower(std::string& out, std::string_view in) {
  out.resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) out[i] = ascii_lower(in[i]);
}

void append_number(std::string& out, uint64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

// "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", formatted once per second per thread.
std::string_view date_line() {
  thread_local std::time_t cached_second = -1;
  thread_local char line[64];
  thread_local size_t length = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    length = std::strftime(line, sizeof line, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    cached_second = now;
  }
  return {line, length};
}

}  // namespace

bool fill_request(BeastRequest& msg, Request& req) {
  req.method.assign(to_std(msg.method_string()));
  req.target.assign(to_std(msg.target()));
  size_t used = 0;
  for (const auto& field : msg) {
    if (used == req.headers.size()) req.headers.emplace_back();
    auto& [name, value] = req.headers[used++];
    assign_lower(name, to_std(field.name_string()));
    value.assign(to_std(field.value()));
  }
  req.headers.resize(used);
  req.body = std::move(msg.body());
  req.path_params.clear();
  return parse_target(req.target, req.path, req.query);
}

void reset_response(Response& res) {
  res.status = 200;
  res.content_type.assign("application/json");
  res.headers.clear();
  res.body.clear();
  res.defer = nullptr;
}

void run_handler(const Handler& handler, Request& req, Response& res) {
  try {
    handler(req, res);
    return;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chainbreak http: handler threw: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "chainbreak http: handler threw a non-standard exception\n");
  }
  reset_response(res);
  json_error(res, 500, "internal", "internal error");
}

bool serialize_response(Response& res, bool& keep_alive, bool http10, bool head_only, std::string& out) {
  if (res.status < 200 || res.status > 599) {
    std::fprintf(stderr, "chainbreak http: handler returned status %d\n", res.status);
    reset_response(res);
    json_error(res, 500, "internal", "internal error");
  }
  const bool no_body = res.status == 204 || res.status == 304;
  out.clear();
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<uint64_t>(res.status));
  out.push_back(' ');
  const std::string_view reason = to_std(http::obsolete_reason(static_cast<http::status>(res.status)));
  if (reason.empty() || reason.front() != '<') out.append(reason);
  out.append("\r\nServer: chainbreak\r\n");
  out.append(date_line());
  if (!res.content_type.empty() && is_safe_header_value(res.content_type)) {
    out.append("Content-Type: ");
    out.append(res.content_type);
    out.append("\r\n");
  }
  if (!no_body) {
    out.append("Content-Length: ");
    append_number(out, res.body.size());
    out.append("\r\n");
  }
  for (const auto& [name, value] : res.headers) {
    if (!is_token(name) || !is_safe_header_value(value)) continue;  // never split a response
    if (iequals(name, "connection")) {
      if (iequals(value, "close")) keep_alive = false;
      continue;
    }
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding")) continue;
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  if (no_body || head_only || res.body.empty()) return false;
  if (res.body.size() <= kInlineBody) {
    out.append(res.body);
    return false;
  }
  return true;
}

std::string format_peer(const boost::asio::ip::tcp::endpoint& ep) {
  boost::asio::ip::address addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
  std::string s;
  if (addr.is_v6()) s.push_back('[');
  s.append(addr.to_string());
  if (addr.is_v6()) s.push_back(']');
  s.push_back(':');
  append_number(s, ep.port());
  return s;
}

}  // namespace chainbreak::http::detail
