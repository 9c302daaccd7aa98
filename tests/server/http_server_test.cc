// HttpServer over real loopback sockets: routing, decoding, keep-alive,
// pipelining, chunked bodies, handler failures, concurrency, shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "server/http/http.h"
#include "server/http_test_support.h"

namespace chainbreak::http {
namespace {

using testing::echo_handler;
using testing::get_request;
using testing::RawClient;
using testing::RawResponse;
using testing::start_test_server;
using json = nlohmann::json;

json body_json(const RawResponse& r) { return json::parse(r.body); }

TEST(HttpServer, RoutesWithParamsAnd404And405) {
  Router router;
  router.add("GET", "/v1/banks/{name}", [](Request& req, Response& res) {
    res.body = json{{"name", req.param("name")}, {"path", req.path}}.dump();
  });
  router.add("POST", "/v1/banks", [](Request&, Response& res) { res.status = 201; });
  auto server = start_test_server([&router](Request& req, Response& res) { router.handle(req, res); });
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.connected());

  ASSERT_TRUE(c.send(get_request("/v1/banks/hash%20list%2Fx")));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(*r)["name"], "hash list/x");
  EXPECT_EQ(body_json(*r)["path"], "/v1/banks/hash list/x");
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->header("server"), "chainbreak");
  EXPECT_EQ(r->header("content-length"), std::to_string(r->body.size()));
  EXPECT_TRUE(r->has_header("date"));

  ASSERT_TRUE(c.send(get_request("/v1/nothing")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body_json(*r)["error"]["code"], "not_found");

  ASSERT_TRUE(c.send("DELETE /v1/banks/x HTTP/1.1\r\nHost: a\r\n\r\n"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "GET, HEAD");
  EXPECT_EQ(body_json(*r)["error"]["code"], "method_not_allowed");

  ASSERT_TRUE(c.send("POST /v1/banks HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);

  ASSERT_TRUE(c.send("HEAD /v1/banks/abc HTTP/1.1\r\nHost: a\r\n\r\n"));
  r = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(r->header("content-length"),
            std::to_string(json{{"name", "abc"}, {"path", "/v1/banks/abc"}}.dump().size()));
  // The HEAD response carried no body: the connection is still in sync.
  ASSERT_TRUE(c.send(get_request("/v1/banks/z")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(body_json(*r)["name"], "z");
}

TEST(HttpServer, QueryAndPercentDecoding) {
  auto server = start_test_server(echo_handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.send(get_request("/a%2Fb%20c/d?x=1&y=a+b%2Bc&&flag&e=&z=%E2%9C%93#frag")));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const json j = body_json(*r);
  EXPECT_EQ(j["path"], "/a/b c/d");
  EXPECT_EQ(j["target"], "/a%2Fb%20c/d?x=1&y=a+b%2Bc&&flag&e=&z=%E2%9C%93#frag");
  const json expected = json::array({{"x", "1"}, {"y", "a b+c"}, {"flag", ""}, {"e", ""}, {"z", "\u2713"}});
  EXPECT_EQ(j["query"], expected);
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["headers"]["host"], "localhost");

  // A bad escape is the client's error, and the connection stays usable.
  ASSERT_TRUE(c.send(get_request("/a%zz")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_json(*r)["error"]["code"], "bad_request");
  ASSERT_TRUE(c.send(get_request("/ok?q=%4")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  ASSERT_TRUE(c.send(get_request("/ok")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = start_test_server(echo_handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  const std::string expected_peer = "127.0.0.1:" + std::to_string(c.local_port());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.send(get_request("/n/" + std::to_string(i))));
    std::optional<RawResponse> r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->has_header("connection"));
    const json j = body_json(*r);
    EXPECT_EQ(j["path"], "/n/" + std::to_string(i));
    EXPECT_EQ(j["peer"], expected_peer);  // the same connection every time
    EXPECT_EQ(j["tls"], false);
  }
  // Connection: close is honoured: answered, then closed.
  ASSERT_TRUE(c.send(get_request("/last", "Connection: close\r\n")));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed(2000));
}

TEST(HttpServer, Http10ClosesUnlessKeepAliveAsked) {
  auto server = start_test_server(echo_handler);
  ASSERT_TRUE(server);
  {
    RawClient c(server->port());
    ASSERT_TRUE(c.send("GET /old HTTP/1.0\r\n\r\n"));
    std::optional<RawResponse> r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_TRUE(c.wait_closed(2000));
  }
  RawClient c(server->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    std::optional<RawResponse> r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->header("connection"), "keep-alive");
  }
}

TEST(HttpServer, PipelinedRequestsAnsweredInOrder) {
  auto server = start_test_server(echo_handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  std::string batch;
  for (int i = 0; i < 10; ++i) batch += get_request("/p/" + std::to_string(i));
  batch += "POST /p/post HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  batch += get_request("/p/after");
  ASSERT_TRUE(c.send(batch));
  for (int i = 0; i < 10; ++i) {
    std::optional<RawResponse> r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(body_json(*r)["path"], "/p/" + std::to_string(i));
  }
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(body_json(*r)["body"], "hello");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(body_json(*r)["path"], "/p/after");
}

TEST(HttpServer, ChunkedRequestBody) {
  auto server = start_test_server(echo_handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the body arrives in pieces
  ASSERT_TRUE(c.send("7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n"));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(*r)["body"], "hello, world");
  // Still in sync afterwards.
  ASSERT_TRUE(c.send(get_request("/next")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(body_json(*r)["path"], "/next");
}

TEST(HttpServer, ExpectContinue) {
  auto server = start_test_server(echo_handler);
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.send("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 100);
  ASSERT_TRUE(c.send("abc"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(*r)["body"], "abc");
}

TEST(HttpServer, HandlerExceptionIs500AndServingContinues) {
  std::atomic<int> calls{0};
  auto server = start_test_server([&calls](Request& req, Response& res) {
    ++calls;
    res.body = "partial";
    if (req.path == "/throw") throw std::runtime_error("handler bug");
    if (req.path == "/throw-int") throw 42;
    if (req.path == "/bad-status") res.status = 1000;
    if (req.path == "/bad-header") res.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: x=1");
    res.body = "fine";
  });
  ASSERT_TRUE(server);
  RawClient c(server->port());
  for (const char* path : {"/throw", "/throw-int", "/bad-status"}) {
    ASSERT_TRUE(c.send(get_request(path)));
    std::optional<RawResponse> r = c.read_response();
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 500) << path;
    EXPECT_EQ(body_json(*r)["error"]["code"], "internal") << path;
  }
  ASSERT_TRUE(c.send(get_request("/bad-header")));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("x-evil"));
  EXPECT_FALSE(r->has_header("set-cookie"));
  ASSERT_TRUE(c.send(get_request("/ok")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "fine");
  EXPECT_EQ(calls.load(), 5);
}

TEST(HttpServer, NoContentAndLargeBodies) {
  const std::string big(1 << 20, 'b');
  auto server = start_test_server([&big](Request& req, Response& res) {
    if (req.path == "/204") {
      res.status = 204;
      res.body = "ignored";
    } else {
      res.content_type = "application/octet-stream";
      res.body = big;
    }
  });
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.send(get_request("/204") + get_request("/big")));
  std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->body.empty());
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/octet-stream");
  EXPECT_EQ(r->body, big);
}

TEST(HttpServer, ConcurrentClients) {
  std::atomic<int> calls{0};
  auto server = start_test_server([&calls](Request& req, Response& res) {
    ++calls;
    res.body = req.path;
  });
  ASSERT_TRUE(server);
  constexpr int kThreads = 8, kRequests = 100;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      RawClient c(server->port());
      for (int i = 0; i < kRequests; ++i) {
        const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        // Every tenth request on a fresh connection.
        if (i % 10 == 9) {
          RawClient fresh(server->port());
          if (fresh.send(get_request(path)))
            if (auto r = fresh.read_response(); r && r->status == 200 && r->body == path) ++good;
          continue;
        }
        if (!c.send(get_request(path))) return;
        if (auto r = c.read_response(); r && r->status == 200 && r->body == path) ++good;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(good.load(), kThreads * kRequests);
  EXPECT_EQ(calls.load(), kThreads * kRequests);
}

TEST(HttpServer, GracefulStopFinishesInFlightAndRefusesNew) {
  std::atomic<bool> in_handler{false};
  auto server = start_test_server([&](Request& req, Response& res) {
    if (req.path == "/slow") {
      in_handler = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
    }
    res.body = "done " + req.path;
  });
  ASSERT_TRUE(server);
  const uint16_t port = server->port();
  RawClient idle(port);  // a keep-alive connection with nothing in progress
  ASSERT_TRUE(idle.send(get_request("/first")));
  ASSERT_TRUE(idle.read_response());
  RawClient busy(port);
  ASSERT_TRUE(busy.send(get_request("/slow")));
  while (!in_handler) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  std::atomic<bool> waited{false};
  std::thread waiter([&] {
    server->wait();
    waited = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  server->stop(std::chrono::seconds(10));
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  waiter.join();
  EXPECT_TRUE(waited);
  EXPECT_LT(elapsed, std::chrono::seconds(5));  // did not wait for the idle connection's timeout

  std::optional<RawResponse> r = busy.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done /slow");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(busy.wait_closed(2000));
  EXPECT_TRUE(idle.wait_closed(2000));
  RawClient late(port);
  EXPECT_FALSE(late.connected());
  server->stop(std::chrono::seconds(1));  // idempotent
}

TEST(HttpServer, StopGraceCutsSlowRequest) {
  ServerOptions options;
  options.read_timeout = std::chrono::seconds(30);
  auto server = start_test_server(echo_handler, options);
  ASSERT_TRUE(server);
  RawClient slow(server->port());
  ASSERT_TRUE(slow.send("GET /half HTTP/1.1\r\nHost: a\r\n"));  // never finished
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto t0 = std::chrono::steady_clock::now();
  server->stop(std::chrono::milliseconds(200));
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(elapsed, std::chrono::milliseconds(150));  // it was given its grace
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  EXPECT_TRUE(slow.wait_closed(2000));
}

TEST(HttpServer, DestructorStopsRunningServer) {
  uint16_t port = 0;
  {
    auto server = start_test_server(echo_handler);
    ASSERT_TRUE(server);
    port = server->port();
    RawClient c(port);
    ASSERT_TRUE(c.send(get_request("/x")));
    ASSERT_TRUE(c.read_response());
  }
  RawClient late(port);
  EXPECT_FALSE(late.connected());
}

TEST(HttpServer, StartErrors) {
  auto first = start_test_server(echo_handler);
  ASSERT_TRUE(first);
  ServerOptions taken;
  taken.port = first->port();
  Result<std::unique_ptr<HttpServer>> r = HttpServer::start(taken, echo_handler);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIo);
  EXPECT_NE(r.status().message().find(std::to_string(first->port())), std::string::npos) << r.status().message();

  ServerOptions bad_host;
  bad_host.host = "no such host.invalid";
  bad_host.port = 0;
  r = HttpServer::start(bad_host, echo_handler);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);

  ServerOptions bad_tls;
  bad_tls.port = 0;
  bad_tls.tls_cert_file = "/nonexistent/cert.pem";
  bad_tls.tls_key_file = "/nonexistent/key.pem";
  r = HttpServer::start(bad_tls, echo_handler);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("/nonexistent/cert.pem"), std::string::npos);

  ServerOptions half_tls;
  half_tls.port = 0;
  half_tls.tls_cert_file = "/nonexistent/cert.pem";
  r = HttpServer::start(half_tls, echo_handler);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace chainbreak::http
