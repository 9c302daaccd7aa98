// Helpers for the HTTP layer's tests: a blocking raw-socket client (to send
// exactly the bytes a test wants, malformed or split), a throwaway
// self-signed certificate, a temporary directory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/http.h"

namespace chainbreak::http::testing {

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // Value of the first header with this (lower-case) name, or "" (and has_header false).
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port; reads give up after timeout_ms.
  explicit RawClient(uint16_t port, int timeout_ms = 5000);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  uint16_t local_port() const;
  bool send(std::string_view bytes);
  // Reads one whole response (head_request: no body follows). nullopt when
  // the connection closes or times out first. Bytes after it stay pending.
  std::optional<RawResponse> read_response(bool head_request = false);
  // Waits up to timeout_ms for the server to close; true when it did
  // (orderly or reset) without sending anything more.
  bool wait_closed(int timeout_ms);
  // Everything received until the peer closes or the timeout.
  std::string read_until_close();

 private:
  // recv() once into pending_; false on close, error or timeout.
  bool fill();
  int fd_ = -1;
  std::string pending_;
};

// A GET request with Host, as bytes.
std::string get_request(std::string_view target, std::string_view extra_headers = {});

// A self-signed certificate for "localhost" and 127.0.0.1 (EC P-256),
// written as PEM files into dir.
struct TestCert {
  std::string cert_file;
  std::string key_file;
};
TestCert make_self_signed_cert(const std::string& dir);

// Starts a server on 127.0.0.1, port 0, with the given options (two I/O
// threads unless set); fails the test (and returns null) when it cannot.
std::unique_ptr<HttpServer> start_test_server(Handler handler, ServerOptions options = {});

// A handler answering a JSON echo of the request: method, path, target,
// query (list of [key, value]), headers (object, last wins), body, peer, tls.
void echo_handler(Request& req, Response& res);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace chainbreak::http::testing
