// Response::defer over real loopback sockets: a deferred answer does not
// hold its I/O thread, is sent with whatever the handler's code set before
// resume(), keeps the connection usable, and a graceful stop waits for it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "server/http/http.h"
#include "server/http_test_support.h"

namespace chainbreak::http {
namespace {

using testing::get_request;
using testing::RawClient;
using testing::start_test_server;

// Finishes deferred requests from other threads after a delay.
struct Resumer {
  std::mutex mu;
  std::vector<std::thread> threads;
  ~Resumer() {
    for (std::thread& t : threads) t.join();
  }
  Handler handler(std::chrono::milliseconds delay) {
    return [this, delay](Request& req, Response& res) {
      if (req.path != "/defer") {
        res.body = "now " + req.path;
        return;
      }
      res.body = "not yet";
      res.defer = [this, delay, &res](std::function<void()> resume) {
        std::lock_guard<std::mutex> l(mu);
        threads.emplace_back([delay, &res, resume = std::move(resume)] {
          std::this_thread::sleep_for(delay);
          res.status = 202;
          res.body = "resumed";
          resume();
        });
      };
    };
  }
};

TEST(HttpDefer, DeferredAnswerDoesNotHoldTheIoThread) {
  // The deferred request is resumed only once the other connection has its
  // answer (or after 5 s, which fails the test): with one I/O thread, that
  // answer can only come while the deferred request waits.
  std::mutex mu;
  std::condition_variable cv;
  bool quick_answered = false, resumed_by_flag = false;
  std::thread resumer;
  ServerOptions o;
  o.threads = 1;
  auto server = start_test_server(
      [&](Request& req, Response& res) {
        if (req.path != "/defer") {
          res.body = "now " + req.path;
          return;
        }
        res.body = "not yet";
        res.defer = [&](std::function<void()> resume) {
          resumer = std::thread([&, resume = std::move(resume)] {
            {
              std::unique_lock<std::mutex> l(mu);
              resumed_by_flag = cv.wait_for(l, std::chrono::seconds(5), [&] { return quick_answered; });
            }
            res.status = 202;
            res.body = "resumed";
            resume();
          });
        };
      },
      o);
  ASSERT_TRUE(server);
  RawClient slow(server->port()), quick(server->port());
  ASSERT_TRUE(slow.send(get_request("/defer")));
  ASSERT_TRUE(quick.send(get_request("/other")));
  auto q = quick.read_response();
  {
    std::lock_guard<std::mutex> l(mu);
    quick_answered = true;
  }
  cv.notify_all();
  ASSERT_TRUE(q);
  EXPECT_EQ(q->body, "now /other");
  auto s = slow.read_response();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, 202);
  EXPECT_EQ(s->body, "resumed");  // what the code set before resume()
  // The connection stays usable after a deferred answer.
  ASSERT_TRUE(slow.send(get_request("/again")));
  auto again = slow.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "now /again");
  resumer.join();
  EXPECT_TRUE(resumed_by_flag) << "the other connection was answered only after the deferred request";
}

TEST(HttpDefer, ManyDeferredRequestsAllAnswered) {
  Resumer resumer;
  auto server = start_test_server(resumer.handler(std::chrono::milliseconds(5)));
  ASSERT_TRUE(server);
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      RawClient k(server->port());
      for (int i = 0; i < 25; ++i) {
        if (!k.send(get_request("/defer"))) return;
        if (auto r = k.read_response(); r && r->status == 202 && r->body == "resumed") ++good;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(good.load(), 100);
}

TEST(HttpDefer, GracefulStopWaitsForDeferredAnswer) {
  Resumer resumer;
  auto server = start_test_server(resumer.handler(std::chrono::milliseconds(300)));
  ASSERT_TRUE(server);
  RawClient c(server->port());
  ASSERT_TRUE(c.send(get_request("/defer")));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  server->stop(std::chrono::seconds(10));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "resumed");
  EXPECT_EQ(r->header("connection"), "close");
}

}  // namespace
}  // namespace chainbreak::http
