// The server over TLS (a throwaway self-signed certificate), and http_post
// over https with certificate verification.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "server/http/http.h"
#include "server/http_test_support.h"

namespace chainbreak::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;
using json = nlohmann::json;
using testing::echo_handler;
using testing::get_request;
using testing::RawClient;
using testing::start_test_server;

class HttpTls : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = testing::make_self_signed_cert(dir_.path());
    ServerOptions options;
    options.tls_cert_file = cert_.cert_file;
    options.tls_key_file = cert_.key_file;
    server_ = start_test_server(echo_handler, options);
    ASSERT_TRUE(server_);
  }

  // GETs the targets over one TLS connection; the bodies as JSON.
  std::vector<json> tls_get(const std::vector<std::string>& targets) {
    asio::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(cert_.cert_file);
    ctx.set_verify_mode(ssl::verify_peer);
    ssl::stream<asio::ip::tcp::socket> stream(ioc, ctx);
    stream.set_verify_callback(ssl::host_name_verification("localhost"));
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    stream.handshake(ssl::stream_base::client);
    std::vector<json> out;
    boost::beast::flat_buffer buffer;
    for (const std::string& target : targets) {
      bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
      req.set(bhttp::field::host, "localhost");
      bhttp::write(stream, req);
      bhttp::response<bhttp::string_body> res;
      bhttp::read(stream, buffer, res);
      EXPECT_EQ(res.result_int(), 200u);
      EXPECT_TRUE(res.keep_alive());
      out.push_back(json::parse(res.body()));
    }
    return out;
  }

  testing::TempDir dir_;
  testing::TestCert cert_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpTls, RequestsOverTlsWithKeepAlive) {
  const std::vector<json> bodies = tls_get({"/one?x=1", "/two"});
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0]["path"], "/one");
  EXPECT_EQ(bodies[0]["tls"], true);
  EXPECT_EQ(bodies[1]["path"], "/two");
  EXPECT_EQ(bodies[0]["peer"], bodies[1]["peer"]);  // one connection
  EXPECT_EQ(bodies[0]["peer"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
}

TEST_F(HttpTls, PlainHttpOnTlsPortIsDroppedAndServingContinues) {
  RawClient plain(server_->port(), 3000);
  ASSERT_TRUE(plain.send(get_request("/plain")));
  EXPECT_FALSE(plain.read_response());  // no HTTP answer: the handshake failed
  const std::vector<json> bodies = tls_get({"/after"});
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0]["path"], "/after");
}

TEST_F(HttpTls, HttpPostVerifiesTheCertificate) {
  const std::string url = "https://localhost:" + std::to_string(server_->port()) + "/hook";
  // Not in the system store: refused.
  unsetenv("SSL_CERT_FILE");
  Result<ClientResponse> r = http_post(url, "{}", {}, std::chrono::seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIo);
  EXPECT_NE(r.status().message().find("TLS handshake"), std::string::npos) << r.status().message();

  // Trusted through OpenSSL's SSL_CERT_FILE: accepted, by name and by IP.
  setenv("SSL_CERT_FILE", cert_.cert_file.c_str(), 1);
  r = http_post(url, "{\"a\":1}", {{"X-Sig", "s"}}, std::chrono::seconds(5));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().status, 200);
  json j = json::parse(r.value().body);
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["body"], "{\"a\":1}");
  EXPECT_EQ(j["tls"], true);
  EXPECT_EQ(j["headers"]["x-sig"], "s");
  EXPECT_EQ(j["headers"]["host"], "localhost:" + std::to_string(server_->port()));

  r = http_post("https://127.0.0.1:" + std::to_string(server_->port()) + "/ip", "{}", {}, std::chrono::seconds(5));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(json::parse(r.value().body)["path"], "/ip");
  unsetenv("SSL_CERT_FILE");
}

}  // namespace
}  // namespace chainbreak::http
