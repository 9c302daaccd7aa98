#include "server/http_test_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace chainbreak::http::testing {

namespace bhttp = boost::beast::http;

std::string RawResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

bool RawResponse::has_header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return true;
  return false;
}

RawClient::RawClient(uint16_t port, int timeout_ms) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

uint16_t RawClient::local_port() const {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.sin_port);
}

bool RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawClient::fill() {
  char buf[16384];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return false;
  pending_.append(buf, static_cast<size_t>(n));
  return true;
}

std::optional<RawResponse> RawClient::read_response(bool head_request) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.skip(head_request);
  parser.body_limit(1ull << 30);
  for (;;) {
    if (!pending_.empty()) {
      boost::system::error_code ec;
      const size_t used = parser.put(boost::asio::buffer(pending_), ec);
      pending_.erase(0, used);
      if (ec && ec != bhttp::error::need_more) return std::nullopt;
      // A 100 Continue is a complete message of its own.
      if (parser.is_done()) break;
      if (!ec && used > 0) continue;
    }
    if (!fill()) return std::nullopt;
  }
  RawResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& field : parser.get()) {
    std::string name(field.name_string().data(), field.name_string().size());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value().data(), field.value().size()));
  }
  out.body = std::move(parser.get().body());
  return out;
}

bool RawClient::wait_closed(int timeout_ms) {
  if (!pending_.empty()) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  const ssize_t n = ::recv(fd_, &c, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

std::string RawClient::read_until_close() {
  while (fill()) {
  }
  return std::move(pending_);
}

std::string get_request(std::string_view target, std::string_view extra_headers) {
  std::string r = "GET ";
  r.append(target);
  r.append(" HTTP/1.1\r\nHost: localhost\r\n");
  r.append(extra_headers);
  r.append("\r\n");
  return r;
}

TestCert make_self_signed_cert(const std::string& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) throw std::runtime_error("EVP_EC_gen failed");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                   std::pair{NID_key_usage, "critical,digitalSignature,keyCertSign"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) throw std::runtime_error("X509V3_EXT_conf_nid failed");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert, key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");

  TestCert out{dir + "/cert.pem", dir + "/key.pem"};
  FILE* f = std::fopen(out.cert_file.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(out.key_file.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

std::unique_ptr<HttpServer> start_test_server(Handler handler, ServerOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  if (options.threads == 0) options.threads = 2;
  Result<std::unique_ptr<HttpServer>> r = HttpServer::start(options, std::move(handler));
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return nullptr;
  EXPECT_NE(r.value()->port(), 0);
  return std::move(r).value();
}

void echo_handler(Request& req, Response& res) {
  nlohmann::json query = nlohmann::json::array();
  for (const auto& [k, v] : req.query) query.push_back({k, v});
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [k, v] : req.headers) headers[k] = v;
  nlohmann::json j = {{"method", req.method}, {"path", req.path}, {"target", req.target}, {"query", query},
                      {"headers", headers},   {"body", req.body}, {"peer", req.peer},     {"tls", req.tls}};
  res.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "chainbreak-http-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace chainbreak::http::testing
