// One connection of HttpServer (plain TCP or TLS), living on one worker's
// thread: read a request (idle timeout until its first byte, then the read
// timeout for the whole of it), run the handler, write the response, and
// again while keep-alive holds. Internal header, included by server.cc.
//
// Timeouts use one timer per session that is re-armed lazily: moving a
// deadline later only updates deadline_ (no timer operation per request);
// when the timer fires early it re-arms itself for the new deadline.
#pragma once

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "server/http/http_internal.h"
#include "server/http/server_internal.h"

namespace chainbreak::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using TlsStream = asio::ssl::stream<tcp::socket>;

template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(Worker& worker, ServerCore& core, tcp::socket socket, std::string peer)
      : worker_(worker), core_(core), stream_(make_stream(std::move(socket), core)), timer_(worker.ioc) {
    req_.peer = std::move(peer);
    req_.tls = kTls;
  }
  ~Session() override { worker_.remove(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    worker_.add(this);
    error_code ec;
    socket().set_option(tcp::no_delay(true), ec);
    if (worker_.stopping) return close();
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      set_deadline(core_.options.read_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](error_code e) {
        if (self->phase_ == Phase::kClosed) return;
        if (e) return self->close();
        self->next_request();
      });
    } else {
      next_request();
    }
  }

  void on_server_stop() override {
    if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake || phase_ == Phase::kLinger) close();
  }

 private:
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kLinger, kClosed };
  using clock = std::chrono::steady_clock;
  static constexpr size_t kReadSize = 16 * 1024;
  static constexpr size_t kKeepCapacity = 64 * 1024;  // larger buffers are released after use

  static Stream make_stream(tcp::socket socket, ServerCore& core) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *core.ssl);
    } else {
      (void)core;
      return socket;
    }
  }
  tcp::socket& socket() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  void next_request() {
    if (worker_.stopping) return close();
    parser_.emplace();
    const size_t header_limit = std::min<size_t>(core_.options.max_header_bytes, std::numeric_limits<uint32_t>::max());
    parser_->header_limit(static_cast<uint32_t>(header_limit));
    parser_->body_limit(static_cast<uint64_t>(core_.options.max_body_bytes));
    timed_out_ = false;
    if (buffer_.size() != 0) return read_header();  // pipelined: the next request is here already
    phase_ = Phase::kIdle;
    set_deadline(core_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadSize), [self = this->shared_from_this()](error_code ec, size_t n) {
      if (self->phase_ == Phase::kClosed) return;
      if (ec) return self->close();
      self->buffer_.commit(n);
      self->read_header();
    });
  }

  void read_header() {
    phase_ = Phase::kReading;
    set_deadline(core_.options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_, [self = this->shared_from_this()](error_code ec, size_t) {
      if (self->phase_ == Phase::kClosed) return;
      if (ec) return self->on_read_error(ec);
      self->on_header();
    });
  }

  void on_header() {
    if (parser_->is_done()) return handle();
    const BeastRequest& msg = parser_->get();
    const auto expect = msg.find(bhttp::field::expect);
    if (msg.version() >= 11 && expect != msg.end() &&
        iequals(std::string_view(expect->value().data(), expect->value().size()), "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](error_code ec, size_t) {
                          if (self->phase_ == Phase::kClosed) return;
                          if (ec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](error_code ec, size_t) {
      if (self->phase_ == Phase::kClosed) return;
      if (ec) return self->on_read_error(ec);
      self->handle();
    });
  }

  void on_read_error(const error_code& ec) {
    if (timed_out_) return respond_and_close(408, "request_timeout", "request not received within the time limit");
    if (ec == bhttp::error::header_limit)
      return respond_and_close(431, "headers_too_large", "request headers over the size limit");
    if (ec == bhttp::error::body_limit)
      return respond_and_close(413, "body_too_large", "request body over the size limit");
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return close();
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
      return respond_and_close(400, "bad_request", "malformed request: " + ec.message());
    close();  // the connection failed: nobody to answer
  }

  void respond_and_close(int status, std::string_view code, const std::string& message) {
    reset_response(res_);
    json_error(res_, status, code, message);
    keep_alive_ = false;
    write_response(false, false);
  }

  void handle() {
    phase_ = Phase::kHandling;
    BeastRequest& msg = parser_->get();
    keep_alive_ = msg.keep_alive() && !worker_.stopping;
    const bool http10 = msg.version() < 11;
    const bool head_only = msg.method() == bhttp::verb::head;
    reset_response(res_);
    if (fill_request(msg, req_)) {
      run_handler(core_.handler, req_, res_);
      if (core_.stopping.load(std::memory_order_relaxed)) keep_alive_ = false;
    } else {
      json_error(res_, 400, "bad_request", "malformed request target");
    }
    if (res_.defer) return defer_response(http10, head_only);
    if (req_.body.capacity() > kKeepCapacity) std::string().swap(req_.body);
    write_response(http10, head_only);
  }

  // Response::defer: answer when the handler's resume() says so, on this
  // session's thread; the work guard keeps the worker (and the server's
  // shutdown) waiting for it.
  void defer_response(bool http10, bool head_only) {
    auto defer = std::move(res_.defer);
    res_.defer = nullptr;
    auto work =
        std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(worker_.ioc.get_executor());
    defer([self = this->shared_from_this(), work, http10, head_only] {
      asio::post(self->worker_.ioc, [self, work, http10, head_only] {
        if (self->phase_ == Phase::kClosed) return;
        if (self->core_.stopping.load(std::memory_order_relaxed)) self->keep_alive_ = false;
        if (self->req_.body.capacity() > kKeepCapacity) std::string().swap(self->req_.body);
        self->write_response(http10, head_only);
      });
    });
  }

  void write_response(bool http10, bool head_only) {
    const bool separate_body = serialize_response(res_, keep_alive_, http10, head_only, out_);
    phase_ = Phase::kWriting;
    set_deadline(core_.write_timeout);
    auto done = [self = this->shared_from_this()](error_code ec, size_t) {
      if (self->phase_ == Phase::kClosed) return;
      if (ec) return self->close();
      self->on_written();
    };
    if (separate_body) {
      const std::array<asio::const_buffer, 2> buffers{asio::buffer(out_), asio::buffer(res_.body)};
      asio::async_write(stream_, buffers, std::move(done));
    } else {
      asio::async_write(stream_, asio::buffer(out_), std::move(done));
    }
  }

  void on_written() {
    if (res_.body.capacity() > kKeepCapacity) std::string().swap(res_.body);
    if (out_.capacity() > kKeepCapacity) std::string().swap(out_);
    if (!keep_alive_ || worker_.stopping) return linger_close();
    next_request();
  }

  // Closing right away with unread request bytes pending makes the kernel
  // send a reset, which can destroy the response before the client reads
  // it (an early 413). So: stop sending, drain what arrives for a short
  // while, then close.
  void linger_close() {
    phase_ = Phase::kLinger;
    error_code ec;
    socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    // Shutting down: linger briefly, the server is waiting for us.
    if (worker_.stopping) {
      set_deadline(std::min<clock::duration>(core_.linger_timeout, std::chrono::milliseconds(100)));
    } else {
      set_deadline(core_.linger_timeout);
    }
    linger_read();
  }

  void linger_read() {
    socket().async_read_some(buffer_.prepare(kReadSize), [self = this->shared_from_this()](error_code ec, size_t) {
      if (self->phase_ == Phase::kClosed) return;
      if (ec) return self->close();
      self->linger_read();
    });
  }

  void close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    timer_.cancel();
    error_code ec;
    socket().shutdown(tcp::socket::shutdown_both, ec);
    socket().close(ec);
  }

  template <class Duration>
  void set_deadline(Duration d) {
    deadline_ = clock::now() + std::chrono::duration_cast<clock::duration>(d);
    if (!timer_pending_ || deadline_ < timer_expiry_) arm_timer();
  }

  void arm_timer() {
    timer_expiry_ = deadline_;
    timer_pending_ = true;
    timer_.expires_at(deadline_);  // cancels a wait in progress (it sees a stale generation)
    timer_.async_wait([self = this->shared_from_this(), generation = ++timer_generation_](error_code ec) {
      self->on_timer(ec, generation);
    });
  }

  void on_timer(const error_code& ec, uint64_t generation) {
    if (generation != timer_generation_) return;
    timer_pending_ = false;
    if (ec || phase_ == Phase::kClosed) return;
    if (clock::now() < deadline_) return arm_timer();
    if (phase_ == Phase::kReading) {
      // Part of a request arrived but not all of it in time: stop reading;
      // the failed read answers 408.
      timed_out_ = true;
      error_code ignored;
      socket().cancel(ignored);
      socket().shutdown(tcp::socket::shutdown_receive, ignored);
      return;
    }
    close();  // idle, handshake, writing or lingering past the deadline
  }

  Worker& worker_;
  ServerCore& core_;
  Stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request req_;
  Response res_;
  std::string out_;
  Phase phase_ = Phase::kIdle;
  clock::time_point deadline_{};
  clock::time_point timer_expiry_{};
  uint64_t timer_generation_ = 0;
  bool timer_pending_ = false;
  bool timed_out_ = false;
  bool keep_alive_ = false;
};

}  // namespace chainbreak::http::detail
