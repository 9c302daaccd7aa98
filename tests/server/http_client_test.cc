// http_post against small servers in the test: success, refused
// connections, timeouts, malformed urls and headers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/http/http.h"
#include "server/http_test_support.h"

namespace chainbreak::http {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using testing::start_test_server;

// A listening socket that never accepts: connections complete in the
// kernel's backlog, and nothing is ever answered.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST(HttpClient, PostsJsonWithHeaders) {
  std::mutex mu;
  Request seen;
  auto server = start_test_server([&](Request& req, Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen = req;
    }
    res.status = req.path == "/fail" ? 503 : 201;
    res.body = "{\"ok\":true}";
  });
  ASSERT_TRUE(server);
  const std::string base = "http://127.0.0.1:" + std::to_string(server->port());
  Result<ClientResponse> r =
      http_post(base + "/hook?x=1#frag", "{\"event\":1}", {{"X-Signature", "sig"}}, milliseconds(2000));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().status, 201);
  EXPECT_EQ(r.value().body, "{\"ok\":true}");
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(seen.method, "POST");
    EXPECT_EQ(seen.target, "/hook?x=1");
    EXPECT_EQ(seen.body, "{\"event\":1}");
    ASSERT_NE(seen.header("content-type"), nullptr);
    EXPECT_EQ(*seen.header("content-type"), "application/json");
    ASSERT_NE(seen.header("x-signature"), nullptr);
    EXPECT_EQ(*seen.header("x-signature"), "sig");
    ASSERT_NE(seen.header("host"), nullptr);
    EXPECT_EQ(*seen.header("host"), "127.0.0.1:" + std::to_string(server->port()));
  }
  // An error status is a response, not a failure; a name resolves.
  r = http_post("http://localhost:" + std::to_string(server->port()) + "/fail", "{}", {}, milliseconds(2000));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().status, 503);
  // No path at all: "/".
  r = http_post(base, "{}", {}, milliseconds(2000));
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.target, "/");
}

TEST(HttpClient, RefusedConnectionIsIo) {
  uint16_t port;
  {
    SilentListener l;  // take a free port, then release it
    port = l.port();
  }
  Result<ClientResponse> r = http_post("http://127.0.0.1:" + std::to_string(port) + "/", "{}", {}, milliseconds(2000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIo);
  EXPECT_NE(r.status().message().find("connect"), std::string::npos) << r.status().message();
}

TEST(HttpClient, TimeoutIsIo) {
  SilentListener silent;
  auto t0 = std::chrono::steady_clock::now();
  Result<ClientResponse> r =
      http_post("http://127.0.0.1:" + std::to_string(silent.port()) + "/", "{}", {}, milliseconds(300));
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIo);
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().message();
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(2000));

  // A server that answers too late.
  auto server = start_test_server([](Request&, Response& res) {
    std::this_thread::sleep_for(milliseconds(800));
    res.body = "late";
  });
  ASSERT_TRUE(server);
  t0 = std::chrono::steady_clock::now();
  r = http_post("http://127.0.0.1:" + std::to_string(server->port()) + "/", "{}", {}, milliseconds(300));
  elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIo);
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().message();
  EXPECT_LT(elapsed, milliseconds(700));
}

TEST(HttpClient, MalformedUrlsAndHeaders) {
  for (const char* url : {"", "localhost:80/x", "ftp://host/", "http://", "http:///path", "http://host:99999/",
                          "http://host:0/", "http://host:abc/", "http://user:pw@host/", "http://[::1/",
                          "http://[::1]x/", "http://ho st/", "http://host/pa th"}) {
    Result<ClientResponse> r = http_post(url, "{}", {}, milliseconds(500));
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << url << ": " << r.status().message();
  }
  for (const auto& header : std::vector<std::pair<std::string, std::string>>{
           {"X-A", "v\r\nX-B: injected"}, {"Bad Name", "v"}, {"", "v"}, {"Content-Length", "1"}}) {
    Result<ClientResponse> r = http_post("http://127.0.0.1:1/", "{}", {header}, milliseconds(500));
    ASSERT_FALSE(r.ok()) << header.first;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << header.first;
  }
}

}  // namespace
}  // namespace chainbreak::http
