// A small, production-grade HTTP/1.1 server and client on Boost.Beast/Asio,
// knowing nothing of chainbreak's domain:
//   - HttpServer: asynchronous, N I/O threads, keep-alive, optional TLS
//     (OpenSSL), limits on header size, body size and request time, idle
//     timeouts for slow or silent clients, graceful shutdown;
//   - Router: method + path pattern ("/v1/banks/{name}") -> handler, with
//     404/405 as JSON errors;
//   - parse_multipart: multipart/form-data bodies (RFC 7578);
//   - http_post: a blocking client for webhooks (http and https, timeouts).
//
// Errors the server answers by itself, always as JSON
// {"error":{"code":..,"message":..}} and never with a 5xx: malformed
// request 400, headers over the limit 431, body over the limit 413 (decided
// from Content-Length before reading the body, or while reading a chunked
// one), request not complete within the read timeout 408 (then the
// connection is closed). A handler that throws gets a 500 with a JSON error
// (a bug, logged to stderr), never a crash.
//
// Privacy: the peer address is given to handlers only for rate limiting;
// the server itself logs no addresses.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace chainbreak::http {

struct Request {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // as received, e.g. "/v1/lookup?signal=ab%20"
  std::string path;    // percent-decoded path without the query
  // Query parameters percent-decoded ('+' is a space), in order; a key
  // without '=' has an empty value.
  std::vector<std::pair<std::string, std::string>> query;
  // Header names lower-cased; values as received, in order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string peer;  // "ip:port"; never stored by chainbreak
  bool tls = false;
  // Filled by Router::handle from the pattern's {placeholders}, decoded.
  std::map<std::string, std::string, std::less<>> path_params;

  // First header with this name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  // First query parameter with this key, or nullopt.
  std::optional<std::string_view> query_param(std::string_view key) const;
  // The {name} captured by the route; "" when absent.
  std::string_view param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // Set by a handler whose answer must wait (a disk flush, say) without
  // holding its I/O thread: after the handler returns, the server calls
  // defer(resume) instead of answering, and sends the response as it then
  // stands once resume() is called (exactly once, from any thread). Until
  // then the handler's code may still change the response; after it, not.
  // The connection stays open (and the server's shutdown waits) meanwhile.
  std::function<void(std::function<void()> resume)> defer;
};

// Sets res to a JSON error: {"error":{"code":code,"message":message}} plus
// "field":field when field is not empty. code is a short stable token
// ("invalid_signal", "not_found", ...).
void json_error(Response& res, int status, std::string_view code, std::string_view message,
                std::string_view field = {});

// Handlers run on an I/O thread, one request at a time per connection; they
// may block briefly (hashing an upload) but should not wait on the network.
using Handler = std::function<void(Request&, Response&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (see HttpServer::port)
  int threads = 0;       // I/O threads; 0 = std::thread::hardware_concurrency()
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 64 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{30'000};  // to receive one whole request
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait for the next one
  std::string tls_cert_file;                       // PEM; TLS when both are set
  std::string tls_key_file;
};

class HttpServer {
 public:
  // Binds and starts the I/O threads; returns once accepting. Errors: kIo
  // when the address cannot be bound (message names it), kInvalidInput for
  // a bad host or an unreadable TLS certificate/key.
  static Result<std::unique_ptr<HttpServer>> start(const ServerOptions& options, Handler handler);
  virtual ~HttpServer() = default;  // stops (as stop(0)) if still running

  virtual uint16_t port() const = 0;  // the bound port
  // Stops accepting, lets requests in progress finish (up to grace), closes
  // idle keep-alive connections, joins the threads. Idempotent; callable
  // from any thread except an I/O thread (e.g. a signal-watching thread).
  virtual void stop(std::chrono::milliseconds grace) = 0;
  // Blocks until stop() has completed.
  virtual void wait() = 0;
};

// Routes by method and path. Patterns are literal segments and {name}
// segments matching one non-empty path segment; the first pattern that
// matches wins. No match: 404 not_found; path matches but not the method:
// 405 method_not_allowed with an Allow header. Both JSON errors.
class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  void handle(Request& req, Response& res) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// One part of a multipart/form-data body. Views point into the body passed
// to parse_multipart, which must outlive them.
struct Part {
  std::string name;          // from Content-Disposition
  std::string filename;      // "" when not a file
  std::string content_type;  // as sent; "" when the part has no Content-Type
  std::string_view data;
};
// Parses a multipart/form-data body given the request's Content-Type header
// value (which carries the boundary). kInvalidInput with a precise reason
// (no boundary, missing closing boundary, part without Content-Disposition,
// header over 8 KiB, more than max_parts parts) on any malformed body.
Result<std::vector<Part>> parse_multipart(std::string_view content_type, std::string_view body, size_t max_parts = 64);

struct ClientResponse {
  int status = 0;
  std::string body;
};
// POSTs body to url ("http://host[:port]/path" or "https://...", certificate
// verified against the system store) and returns the response. kIo for
// connection failures and timeouts (message says which), kInvalidInput for
// a malformed url. Blocking; for background delivery threads.
Result<ClientResponse> http_post(const std::string& url, const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 std::chrono::milliseconds timeout);

// Sends one request with any method ("GET", "POST", "PUT", ... upper case
// token; not HEAD) to url and returns the response, like http_post but
// without a default Content-Type: the caller passes it in headers when
// there is a body. An empty body on GET/DELETE is sent without
// Content-Length. Errors: kInvalidInput for a malformed url, method or
// header; kUnsupported for HEAD; kIo for connection failures and timeouts
// (message says which). The response body is limited to 8 MiB (kIo
// beyond). Blocking; thread-safe (no shared state).
Result<ClientResponse> http_request(const std::string& method, const std::string& url, const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::chrono::milliseconds timeout);

// Percent-decodes s ('+' as space when plus_is_space); nullopt on a bad
// escape.
std::optional<std::string> url_decode(std::string_view s, bool plus_is_space);

}  // namespace chainbreak::http
