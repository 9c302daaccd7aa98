// url_decode, json_error, Request accessors and Router, without sockets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/http/http.h"

namespace chainbreak::http {
namespace {

TEST(HttpUtil, UrlDecode) {
  EXPECT_EQ(url_decode("a%20b+c", true), "a b c");
  EXPECT_EQ(url_decode("a%20b+c", false), "a b+c");
  EXPECT_EQ(url_decode("%41%42%2f%2F", false), "AB//");
  EXPECT_EQ(url_decode("%00x", false), std::string("\0x", 2));
  EXPECT_EQ(url_decode("", false), "");
  EXPECT_EQ(url_decode("%", false), std::nullopt);
  EXPECT_EQ(url_decode("%4", false), std::nullopt);
  EXPECT_EQ(url_decode("ab%4", false), std::nullopt);
  EXPECT_EQ(url_decode("%G1", false), std::nullopt);
  EXPECT_EQ(url_decode("%1G", false), std::nullopt);
}

TEST(HttpUtil, JsonError) {
  Response res;
  json_error(res, 422, "invalid_signal", "bad \"hex\"", "signal");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(res.content_type, "application/json");
  const nlohmann::json j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["error"]["code"], "invalid_signal");
  EXPECT_EQ(j["error"]["message"], "bad \"hex\"");
  EXPECT_EQ(j["error"]["field"], "signal");

  json_error(res, 404, "not_found", "no \xff\xfe utf8");  // invalid UTF-8 is replaced, not thrown on
  const nlohmann::json k = nlohmann::json::parse(res.body);
  EXPECT_EQ(k["error"]["code"], "not_found");
  EXPECT_FALSE(k["error"].contains("field"));
}

TEST(HttpUtil, RequestAccessors) {
  Request req;
  req.headers = {{"content-type", "text/plain"}, {"x-a", "1"}, {"x-a", "2"}};
  req.query = {{"k", "v"}, {"e", ""}, {"k", "w"}};
  req.path_params = {{"name", "bank1"}};
  ASSERT_NE(req.header("Content-Type"), nullptr);
  EXPECT_EQ(*req.header("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(*req.header("x-a"), "1");
  EXPECT_EQ(req.header("x-b"), nullptr);
  EXPECT_EQ(req.query_param("k"), "v");
  EXPECT_EQ(req.query_param("e"), "");
  EXPECT_EQ(req.query_param("K"), std::nullopt);
  EXPECT_EQ(req.param("name"), "bank1");
  EXPECT_EQ(req.param("other"), "");
}

Request make_request(std::string method, std::string target) {
  Request req;
  req.method = std::move(method);
  req.target = std::move(target);
  return req;
}

TEST(HttpRouter, MatchesLiteralAndPlaceholders) {
  Router router;
  std::string seen;
  router.add("GET", "/v1/banks", [&](Request&, Response& res) { res.body = seen = "list"; });
  router.add("GET", "/v1/banks/{name}",
             [&](Request& req, Response& res) { res.body = seen = "bank:" + std::string(req.param("name")); });
  router.add("GET", "/v1/banks/{name}/entries/{id}", [&](Request& req, Response&) {
    seen = std::string(req.param("name")) + "/" + std::string(req.param("id"));
  });
  router.add("POST", "/v1/banks/{name}", [&](Request&, Response&) { seen = "post"; });

  Response res;
  Request a = make_request("GET", "/v1/banks");
  router.handle(a, res);
  EXPECT_EQ(seen, "list");
  Request b = make_request("GET", "/v1/banks/x%20y?q=1");
  router.handle(b, res);
  EXPECT_EQ(seen, "bank:x y");
  Request c = make_request("GET", "/v1/banks/a%2Fb/entries/7");  // encoded '/' stays in its segment
  router.handle(c, res);
  EXPECT_EQ(seen, "a/b/7");
  Request d = make_request("POST", "/v1/banks/z");
  router.handle(d, res);
  EXPECT_EQ(seen, "post");
  Request e = make_request("HEAD", "/v1/banks/z");  // HEAD is served by GET
  router.handle(e, res);
  EXPECT_EQ(seen, "bank:z");
}

TEST(HttpRouter, NotFoundAndMethodNotAllowed) {
  Router router;
  bool called = false;
  router.add("GET", "/v1/banks/{name}", [&](Request&, Response&) { called = true; });
  router.add("PUT", "/v1/banks/{name}", [&](Request&, Response&) { called = true; });

  for (const char* target : {"/v1/banks/", "/v1/banks", "/v1/banks/a/b", "/v1", "/", "/v1/bank/x"}) {
    Request req = make_request("GET", target);
    Response res;
    router.handle(req, res);
    EXPECT_EQ(res.status, 404) << target;
    EXPECT_EQ(nlohmann::json::parse(res.body)["error"]["code"], "not_found") << target;
  }
  Request req = make_request("DELETE", "/v1/banks/a");
  Response res;
  router.handle(req, res);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(nlohmann::json::parse(res.body)["error"]["code"], "method_not_allowed");
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].first, "Allow");
  EXPECT_EQ(res.headers[0].second, "GET, HEAD, PUT");
  EXPECT_FALSE(called);
}

TEST(HttpRouter, FirstMatchWinsAndRootPattern) {
  Router router;
  std::string seen;
  router.add("GET", "/v1/banks/default", [&](Request&, Response&) { seen = "literal"; });
  router.add("GET", "/v1/banks/{name}", [&](Request&, Response&) { seen = "param"; });
  router.add("GET", "/", [&](Request&, Response&) { seen = "root"; });
  Response res;
  Request a = make_request("GET", "/v1/banks/default");
  router.handle(a, res);
  EXPECT_EQ(seen, "literal");
  Request b = make_request("GET", "/v1/banks/other");
  router.handle(b, res);
  EXPECT_EQ(seen, "param");
  Request c = make_request("GET", "/?x=1");
  router.handle(c, res);
  EXPECT_EQ(seen, "root");
  Request d = make_request("GET", "/v1/banks/%zz");
  Response bad;
  router.handle(d, bad);
  EXPECT_EQ(bad.status, 400);
}

}  // namespace
}  // namespace chainbreak::http
