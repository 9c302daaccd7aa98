// HttpServer: one acceptor, N worker threads each running its own
// io_context (no strands, no locks on the request path); accepted
// connections are dealt round-robin to the workers.
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "server/http/http.h"
#include "server/http/server_internal.h"
#include "server/http/session.h"

namespace chainbreak::http {

namespace {

using detail::error_code;
using detail::ServerCore;
using detail::tcp;
using detail::Worker;
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

class ServerImpl;
thread_local const ServerImpl* tl_io_thread_of = nullptr;  // set on I/O threads

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(const ServerOptions& options, Handler handler) {
    core_.options = options;
    core_.handler = std::move(handler);
  }
  ~ServerImpl() override { stop(std::chrono::milliseconds(0)); }
  ServerImpl(const ServerImpl&) = delete;
  ServerImpl& operator=(const ServerImpl&) = delete;

  Status init();
  uint16_t port() const override { return port_; }
  void stop(std::chrono::milliseconds grace) override;
  void wait() override;

 private:
  enum class State { kStarting, kRunning, kStopping, kStopped };

  Status init_tls();
  void do_accept();
  void on_accept(const error_code& ec, tcp::socket socket, Worker& worker);
  void start_session(Worker& worker, tcp::socket socket, std::string peer);
  void run_thread(Worker& worker);
  void initiate_stop();

  ServerCore core_;  // outlives the workers (sessions point to it)
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<tcp::acceptor> acceptor_;  // on workers_[0]; destroyed before it
  std::unique_ptr<asio::steady_timer> accept_retry_;
  size_t next_worker_ = 0;  // only touched by the accepting thread
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;

  std::mutex mu_;
  std::condition_variable cv_;
  State state_ = State::kStarting;  // guarded by mu_
  size_t exited_ = 0;               // threads out of run(); guarded by mu_
  std::atomic<bool> stop_initiated_{false};
};

Status ServerImpl::init_tls() {
  const ServerOptions& o = core_.options;
  if (o.tls_cert_file.empty() && o.tls_key_file.empty()) return Status::Ok();
  if (o.tls_cert_file.empty() || o.tls_key_file.empty())
    return InvalidInput("TLS needs both a certificate file and a key file");
  ssl::context& ctx = core_.ssl.emplace(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  error_code ec;
  ctx.use_certificate_chain_file(o.tls_cert_file, ec);
  if (ec) return InvalidInput("cannot load TLS certificate " + o.tls_cert_file + ": " + ec.message());
  ctx.use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
  if (ec) return InvalidInput("cannot load TLS key " + o.tls_key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    return InvalidInput("TLS key " + o.tls_key_file + " does not match the certificate");
  return Status::Ok();
}

Status ServerImpl::init() {
  const ServerOptions& o = core_.options;
  if (!core_.handler) return InvalidInput("no handler");
  if (o.threads < 0) return InvalidInput("threads must not be negative");
  if (o.read_timeout.count() <= 0 || o.idle_timeout.count() <= 0) return InvalidInput("timeouts must be positive");
  if (o.max_header_bytes == 0) return InvalidInput("max_header_bytes must be positive");
  core_.write_timeout = std::max(o.read_timeout, o.idle_timeout);
  core_.linger_timeout = std::min<std::chrono::milliseconds>(o.read_timeout, std::chrono::seconds(2));
  if (Status st = init_tls(); !st.ok()) return st;

  const unsigned n =
      o.threads > 0 ? static_cast<unsigned>(o.threads) : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    auto worker = std::make_unique<Worker>();
    worker->guard.emplace(worker->ioc.get_executor());
    workers_.push_back(std::move(worker));
  }
  asio::io_context& ioc0 = workers_[0]->ioc;

  error_code ec;
  tcp::endpoint endpoint;
  const asio::ip::address address = asio::ip::make_address(o.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, o.port);
  } else {
    tcp::resolver resolver(ioc0);
    const auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec || results.empty()) return InvalidInput("cannot resolve host '" + o.host + "'");
    endpoint = results.begin()->endpoint();
  }
  const std::string where = o.host + ":" + std::to_string(o.port);
  acceptor_ = std::make_unique<tcp::acceptor>(ioc0);
  acceptor_->open(endpoint.protocol(), ec);
  if (ec) return IoError("cannot open a socket for " + where + ": " + ec.message());
  acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  acceptor_->bind(endpoint, ec);
  if (ec) return IoError("cannot bind " + where + ": " + ec.message());
  acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return IoError("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_->local_endpoint(ec).port();
  if (ec) return IoError("cannot read the bound port of " + where + ": " + ec.message());
  accept_retry_ = std::make_unique<asio::steady_timer>(ioc0);
  do_accept();

  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = State::kRunning;
  }
  try {
    for (auto& worker : workers_) threads_.emplace_back([this, w = worker.get()] { run_thread(*w); });
  } catch (const std::system_error& e) {
    stop(std::chrono::milliseconds(0));
    return Internal(std::string("cannot start the I/O threads: ") + e.what());
  }
  return Status::Ok();
}

void ServerImpl::do_accept() {
  Worker& worker = *workers_[next_worker_];
  next_worker_ = (next_worker_ + 1) % workers_.size();
  acceptor_->async_accept(
      worker.ioc, [this, &worker](error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket), worker); });
}

void ServerImpl::on_accept(const error_code& ec, tcp::socket socket, Worker& worker) {
  if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
  if (ec) {
    // Out of descriptors or memory, or a connection reset before accept():
    // back off briefly rather than spin.
    accept_retry_->expires_after(std::chrono::milliseconds(20));
    accept_retry_->async_wait([this](error_code e) {
      if (!e && acceptor_->is_open()) do_accept();
    });
    return;
  }
  error_code peer_ec;
  const tcp::endpoint remote = socket.remote_endpoint(peer_ec);
  std::string peer = peer_ec ? std::string() : detail::format_peer(remote);
  if (&worker == workers_[0].get()) {
    start_session(worker, std::move(socket), std::move(peer));
  } else {
    asio::post(worker.ioc, [this, &worker, s = std::move(socket), p = std::move(peer)]() mutable {
      start_session(worker, std::move(s), std::move(p));
    });
  }
  do_accept();
}

void ServerImpl::start_session(Worker& worker, tcp::socket socket, std::string peer) {
  if (core_.ssl) {
    std::make_shared<detail::Session<detail::TlsStream>>(worker, core_, std::move(socket), std::move(peer))->start();
  } else {
    std::make_shared<detail::Session<tcp::socket>>(worker, core_, std::move(socket), std::move(peer))->start();
  }
}

void ServerImpl::run_thread(Worker& worker) {
  tl_io_thread_of = this;
  for (;;) {
    try {
      worker.ioc.run();
      break;
    } catch (const std::exception& e) {  // a bug or out of memory in one connection: keep serving
      std::fprintf(stderr, "chainbreak http: I/O thread caught: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "chainbreak http: I/O thread caught a non-standard exception\n");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++exited_;
  cv_.notify_all();
}

void ServerImpl::initiate_stop() {
  if (stop_initiated_.exchange(true)) return;
  core_.stopping.store(true, std::memory_order_relaxed);
  asio::post(workers_[0]->ioc, [this] {
    error_code ec;
    acceptor_->close(ec);
    accept_retry_->cancel();
  });
  for (auto& worker : workers_) {
    asio::post(worker->ioc, [w = worker.get()] {
      w->stopping = true;
      w->guard.reset();  // run() returns once the last session is gone
      const std::vector<detail::SessionBase*> sessions = w->sessions;
      for (detail::SessionBase* s : sessions) s->on_server_stop();
    });
  }
}

void ServerImpl::stop(std::chrono::milliseconds grace) {
  if (tl_io_thread_of == this) {  // cannot join ourselves: start stopping, let another thread finish
    initiate_stop();
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (state_ == State::kStarting) {
    state_ = State::kStopped;
    cv_.notify_all();
    return;
  }
  if (state_ == State::kStopped) return;
  if (state_ == State::kStopping) {
    cv_.wait(lock, [this] { return state_ == State::kStopped; });
    return;
  }
  state_ = State::kStopping;
  lock.unlock();

  initiate_stop();
  lock.lock();
  const bool drained = cv_.wait_for(lock, grace, [this] { return exited_ == threads_.size(); });
  lock.unlock();
  if (!drained)
    for (auto& worker : workers_) worker->ioc.stop();  // cut what is still in progress
  for (std::thread& t : threads_) t.join();
  // Destroying the contexts closes the connections cut at the deadline.
  accept_retry_.reset();
  acceptor_.reset();
  workers_.clear();

  lock.lock();
  state_ = State::kStopped;
  cv_.notify_all();
}

void ServerImpl::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return state_ == State::kStopped; });
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(const ServerOptions& options, Handler handler) {
  try {
    auto server = std::make_unique<ServerImpl>(options, std::move(handler));
    if (Status st = server->init(); !st.ok()) return st;
    return std::unique_ptr<HttpServer>(std::move(server));
  } catch (const std::exception& e) {
    return Internal(std::string("cannot start the HTTP server: ") + e.what());
  }
}

}  // namespace chainbreak::http
