// Internals of HttpServer shared by server.cc and session.h: the immutable
// configuration every session reads, and the per-thread worker that owns
// its sessions. Not a public header.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "server/http/http.h"

namespace chainbreak::http::detail {

// Read-only after start: shared by all I/O threads without locking.
struct ServerCore {
  ServerOptions options;
  Handler handler;
  std::optional<boost::asio::ssl::context> ssl;  // set when serving TLS
  std::chrono::steady_clock::duration write_timeout{};
  std::chrono::steady_clock::duration linger_timeout{};
  // Set by stop() before it tells the workers: lets a request that is in a
  // handler at that moment answer "Connection: close".
  std::atomic<bool> stopping{false};
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // The server is stopping: close now when idle, else after this request.
  virtual void on_server_stop() = 0;
  size_t index_in_worker = 0;
};

// One I/O thread: its io_context and the sessions living on it. `sessions`
// and `stopping` are only touched from that thread (or after it has been
// joined), so they need no lock.
struct Worker {
  std::vector<SessionBase*> sessions;
  bool stopping = false;
  boost::asio::io_context ioc{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;

  void add(SessionBase* s) {
    s->index_in_worker = sessions.size();
    sessions.push_back(s);
  }
  void remove(SessionBase* s) {
    const size_t i = s->index_in_worker;
    if (i >= sessions.size() || sessions[i] != s) return;
    sessions[i] = sessions.back();
    sessions[i]->index_in_worker = i;
    sessions.pop_back();
  }
};

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Moves the parsed message into req (reusing req's strings). False when the
// target is malformed (bad form or percent escape).
bool fill_request(BeastRequest& msg, Request& req);

// Resets res to the defaults of a fresh Response, keeping capacity.
void reset_response(Response& res);

// Runs the handler; a throwing handler yields a 500 JSON error (logged).
void run_handler(const Handler& handler, Request& req, Response& res);

// Serialises the status line and headers of res into out; appends the body
// too when it is small. Fixes up what the handler got
// wrong (status out of range, unsafe headers). Returns true when res.body
// must still be written after out (false: inlined or no body). keep_alive
// may be cleared
// (handler asked for Connection: close). head_only: HEAD request.
bool serialize_response(Response& res, bool& keep_alive, bool http10, bool head_only, std::string& out);

// "ip:port" ("[v6]:port").
std::string format_peer(const boost::asio::ip::tcp::endpoint& ep);

}  // namespace chainbreak::http::detail
