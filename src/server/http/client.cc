// http_post: a blocking webhook client. Every step runs asynchronously on
// a private io_context under one absolute deadline (beast::tcp_stream
// expiry), so the whole call is bounded by the timeout.
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <optional>
#include <string>

#include "server/http/http.h"
#include "server/http/http_internal.h"

namespace chainbreak::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using clock = std::chrono::steady_clock;

constexpr uint64_t kMaxResponseBody = 8 * 1024 * 1024;

struct Url {
  bool https = false;
  std::string host;  // without brackets for IPv6
  uint16_t port = 0;
  std::string target;
  std::string host_header;
};

Result<Url> parse_url(std::string_view url) {
  Url u;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return InvalidInput("url has no scheme");
  const std::string_view scheme = url.substr(0, scheme_end);
  if (detail::iequals(scheme, "https")) {
    u.https = true;
  } else if (!detail::iequals(scheme, "http")) {
    return InvalidInput("url scheme must be http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view target = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (authority.find('@') != std::string_view::npos) return InvalidInput("url must not carry credentials");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidInput("url has a malformed IPv6 host");
    u.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidInput("url has a malformed host");
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) return InvalidInput("url has no host");
  for (char c : u.host)
    if (static_cast<unsigned char>(c) <= 32 || c == '/' || c == '\\' || c == 127)
      return InvalidInput("url has a malformed host");
  u.port = u.https ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || value == 0 || value > 65535)
      return InvalidInput("url has a malformed port");
    u.port = static_cast<uint16_t>(value);
  }
  u.target = target.empty() ? "/" : std::string(target);
  if (u.target.front() == '?') u.target.insert(0, "/");
  for (char c : u.target)
    if (static_cast<unsigned char>(c) <= 32 || c == 127)
      return InvalidInput("url path has a space or control character");
  u.host_header = std::string(authority);
  return u;
}

// One request on a private io_context; run() returns when it is over.
class Post {
 public:
  Post(const Url& url, bhttp::request<bhttp::string_body>& request, clock::time_point deadline)
      : url_(url), request_(request), deadline_(deadline), resolver_(ioc_), resolve_timer_(ioc_) {}

  Result<ClientResponse> run() {
    resolve_timer_.expires_at(deadline_);
    resolve_timer_.async_wait([this](error_code ec) {
      if (!ec) resolver_.cancel();
    });
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port), [this](error_code ec, tcp::resolver::results_type results) {
          resolve_timer_.cancel();
          if (ec) {
            fail(ec == asio::error::operation_aborted ? "timed out resolving " + url_.host
                                                      : "cannot resolve " + url_.host + ": " + ec.message());
            return;
          }
          if (url_.https) {
            start_tls(std::move(results));
          } else {
            plain_.emplace(ioc_);
            connect(*plain_, std::move(results));
          }
        });
    ioc_.run();
    if (!error_.empty()) return IoError(error_);
    ClientResponse out;
    out.status = static_cast<int>(parser_.get().result_int());
    out.body = std::move(parser_.get().body());
    return out;
  }

 private:
  std::string where() const { return url_.host + ":" + std::to_string(url_.port); }

  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  std::string describe(const error_code& ec, std::string_view step) {
    if (ec == beast::error::timeout) return "timed out " + std::string(step) + " " + where();
    return std::string(step) + " " + where() + " failed: " + ec.message();
  }

  void start_tls(tcp::resolver::results_type results) {
    tls_ctx_.emplace(ssl::context::tls_client);
    tls_ctx_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    error_code ec;
    tls_ctx_->set_default_verify_paths(ec);
    if (ec) return fail("cannot load the system certificate store: " + ec.message());
    tls_ctx_->set_verify_mode(ssl::verify_peer);
    tls_.emplace(ioc_, *tls_ctx_);
    tls_->set_verify_callback(ssl::host_name_verification(url_.host));
    error_code addr_ec;
    asio::ip::make_address(url_.host, addr_ec);
    if (addr_ec && SSL_set_tlsext_host_name(tls_->native_handle(), url_.host.c_str()) != 1)  // SNI for names only
      return fail("cannot set the TLS server name");
    connect(*tls_, std::move(results));
  }

  template <class Stream>
  void connect(Stream& stream, tcp::resolver::results_type results) {
    beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
    tcp.expires_at(deadline_);
    tcp.async_connect(results, [this, &stream](error_code ec, const tcp::endpoint&) {
      if (ec) return fail(describe(ec, "connecting to"));
      if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        write(stream);
      } else {
        beast::get_lowest_layer(stream).expires_at(deadline_);
        stream.async_handshake(ssl::stream_base::client, [this, &stream](error_code e) {
          if (e) return fail(describe(e, "TLS handshake with"));
          write(stream);
        });
      }
    });
  }

  template <class Stream>
  void write(Stream& stream) {
    beast::get_lowest_layer(stream).expires_at(deadline_);
    bhttp::async_write(stream, request_, [this, &stream](error_code ec, size_t) {
      if (ec) return fail(describe(ec, "sending to"));
      parser_.body_limit(kMaxResponseBody);
      beast::get_lowest_layer(stream).expires_at(deadline_);
      bhttp::async_read(stream, buffer_, parser_, [this](error_code e, size_t) {
        if (e) return fail(describe(e, "reading the response of"));
        // Connection: close was sent; dropping the streams closes the socket.
      });
    });
  }

  const Url& url_;
  bhttp::request<bhttp::string_body>& request_;
  clock::time_point deadline_;
  asio::io_context ioc_{1};
  tcp::resolver resolver_;
  asio::steady_timer resolve_timer_;
  std::optional<ssl::context> tls_ctx_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<ssl::stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
  std::string error_;
};

}  // namespace

Result<ClientResponse> http_post(const std::string& url, const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 std::chrono::milliseconds timeout) {
  std::vector<std::pair<std::string, std::string>> all = headers;
  const bool typed =
      std::any_of(all.begin(), all.end(), [](const auto& h) { return detail::iequals(h.first, "content-type"); });
  if (!typed) all.emplace_back("Content-Type", "application/json");
  return http_request("POST", url, body, all, timeout);
}

Result<ClientResponse> http_request(const std::string& method, const std::string& url, const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::chrono::milliseconds timeout) {
  const clock::time_point deadline = clock::now() + timeout;
  if (method.empty() || !detail::is_token(method)) return InvalidInput("method '" + method + "' is not a token");
  if (method == "HEAD") return Unsupported("HEAD requests are not supported (no response body to read)");
  Result<Url> parsed = parse_url(url);
  if (!parsed.ok()) return parsed.status();
  const Url& u = parsed.value();
  try {
    bhttp::request<bhttp::string_body> request;
    request.method_string(method);
    request.target(u.target);
    request.version(11);
    request.set(bhttp::field::host, u.host_header);
    request.set(bhttp::field::user_agent, "chainbreak");
    request.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : headers) {
      if (!detail::is_token(name)) return InvalidInput("header name '" + name + "' is not a token");
      if (!detail::is_safe_header_value(value)) return InvalidInput("header " + name + " has a line break or NUL");
      if (detail::iequals(name, "content-length") || detail::iequals(name, "transfer-encoding") ||
          detail::iequals(name, "host") || detail::iequals(name, "connection"))
        return InvalidInput("header " + name + " is set by the client");
      request.set(name, value);
    }
    request.body() = body;
    const bool bodiless = method == "GET" || method == "DELETE";
    if (!(bodiless && body.empty())) request.prepare_payload();
    Post post(u, request, deadline);
    return post.run();
  } catch (const std::exception& e) {  // allocation or OpenSSL setup failure
    return IoError(std::string("request failed: ") + e.what());
  }
}

}  // namespace chainbreak::http
