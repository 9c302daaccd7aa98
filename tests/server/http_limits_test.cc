// What the server answers by itself: 400, 408, 413, 431, and silent clients.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/http/http.h"
#include "server/http_test_support.h"

namespace chainbreak::http {
namespace {

using testing::get_request;
using testing::RawClient;
using testing::RawResponse;
using testing::start_test_server;
using json = nlohmann::json;
using std::chrono::milliseconds;

struct Counting {
  std::atomic<int> calls{0};
  Handler handler() {
    return [this](Request& req, Response& res) {
      ++calls;
      res.body = std::to_string(req.body.size());
    };
  }
};

std::string error_code_of(const RawResponse& r) { return json::parse(r.body)["error"]["code"]; }

TEST(HttpLimits, BodyOverLimitDecidedFromContentLength) {
  Counting counting;
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = start_test_server(counting.handler(), options);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  // Only the head is sent: the answer cannot depend on reading the body.
  ASSERT_TRUE(c.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n"));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(error_code_of(*r), "body_too_large");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed(3000));
  EXPECT_EQ(counting.calls.load(), 0);

  // At the limit exactly: served.
  RawClient ok(server->port());
  ASSERT_TRUE(ok.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'x')));
  r = ok.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1024");
}

TEST(HttpLimits, ChunkedBodyOverLimit) {
  Counting counting;
  ServerOptions options;
  options.max_body_bytes = 1000;
  auto server = start_test_server(counting.handler(), options);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  std::string request = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "12c\r\n" + std::string(300, 'y') + "\r\n";  // 1200 bytes
  request += "0\r\n\r\n";
  ASSERT_TRUE(c.send(request));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.wait_closed(3000));
  EXPECT_EQ(counting.calls.load(), 0);
}

TEST(HttpLimits, HeadersOverLimit) {
  Counting counting;
  ServerOptions options;
  options.max_header_bytes = 1024;
  auto server = start_test_server(counting.handler(), options);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.send(get_request("/h", "X-Big: " + std::string(2000, 'h') + "\r\n")));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(error_code_of(*r), "headers_too_large");
  EXPECT_TRUE(c.wait_closed(3000));

  RawClient small(server->port());
  ASSERT_TRUE(small.send(get_request("/h", "X-Small: " + std::string(500, 'h') + "\r\n")));
  r = small.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(counting.calls.load(), 1);
}

TEST(HttpLimits, SlowClientGets408AfterReadTimeout) {
  Counting counting;
  ServerOptions options;
  options.read_timeout = milliseconds(300);
  auto server = start_test_server(counting.handler(), options);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send("GET /slow HTTP/1.1\r\nHost: a\r\n"));  // half a request
  std::optional<RawResponse> r = c.read_response();
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(error_code_of(*r), "request_timeout");
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(2000));
  EXPECT_TRUE(c.wait_closed(3000));

  // A body trickling in too slowly is cut the same way.
  RawClient body(server->port());
  ASSERT_TRUE(body.send("POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"));
  r = body.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(counting.calls.load(), 0);

  // A client that keeps sending a byte at a time still must finish in time.
  RawClient drip(server->port());
  const std::string request = get_request("/drip");
  bool answered = false;
  for (size_t i = 0; i < request.size() && !answered; ++i) {
    if (!drip.send(request.substr(i, 1))) break;
    std::this_thread::sleep_for(milliseconds(40));
    answered = i * 40 > 1000;
  }
  r = drip.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
}

TEST(HttpLimits, SilentConnectionClosedAfterIdleTimeout) {
  Counting counting;
  ServerOptions options;
  options.idle_timeout = milliseconds(300);
  auto server = start_test_server(counting.handler(), options);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_closed(3000));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(250));

  // Also between keep-alive requests.
  RawClient k(server->port());
  ASSERT_TRUE(k.send(get_request("/1")));
  ASSERT_TRUE(k.read_response());
  std::this_thread::sleep_for(milliseconds(100));
  ASSERT_TRUE(k.send(get_request("/2")));  // within the idle timeout: still open
  ASSERT_TRUE(k.read_response());
  EXPECT_TRUE(k.wait_closed(3000));
  EXPECT_EQ(counting.calls.load(), 2);
}

TEST(HttpLimits, MalformedRequestsAre400) {
  static constexpr char kBinary[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 binary\r\n\r\n";
  Counting counting;
  auto server = start_test_server(counting.handler());
  ASSERT_TRUE(server);
  for (const std::string& bad :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), std::string("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
        std::string("GET noslash HTTP/1.1\r\nHost: a\r\n\r\n"), std::string(kBinary, sizeof kBinary - 1)}) {
    RawClient c(server->port());
    ASSERT_TRUE(c.send(bad));
    std::optional<RawResponse> r = c.read_response();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(error_code_of(*r), "bad_request") << bad;
  }
  EXPECT_EQ(counting.calls.load(), 0);
  // A client that connects and leaves is no error at all.
  { RawClient gone(server->port()); }
  RawClient c(server->port());
  ASSERT_TRUE(c.send(get_request("/still-up")));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace chainbreak::http
