// /v1/decisions (every read audit-logged), /v1/audit, /v1/tokens.
#include <algorithm>

#include "pipeline/pipeline.h"
#include "server/api/api_internal.h"

namespace chainbreak::api {

namespace {

Json audit_json(const store::AuditEntry& e) {
  Json j = {{"seq", e.seq},       {"time_us", e.time_us},     {"actor", e.actor}, {"action", e.action},
            {"target", e.target}, {"prev_hash", e.prev_hash}, {"hash", e.hash}};
  if (!e.detail_json.empty()) {
    Json d = Json::parse(e.detail_json, nullptr, false);
    j["detail"] = d.is_discarded() ? Json(e.detail_json) : d;
  }
  return j;
}

Json delivery_json(const store::WebhookDelivery& d) {
  return {{"id", d.id},
          {"rule_id", d.rule_id},
          {"url", d.url},
          {"attempts", d.attempts},
          {"state", d.state},
          {"next_attempt_us", d.next_attempt_us},
          {"last_error", d.last_error}};
}

constexpr uint32_t kReadDecisions = store::kRoleReviewer | store::kRoleAuditor;

}  // namespace

void Api::Impl::add_record_routes() {
  route("GET", "/v1/decisions", kReadDecisions, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    int64_t before = 0, limit = 50;
    if (!query_int(req, res, "before", 0, INT64_MAX / 2, &before) || !query_int(req, res, "limit", 1, 1000, &limit)) {
      return;
    }
    std::string content_id(req.query_param("content_id").value_or(""));
    auto sv = engine.service();
    if (!sv.ok()) return send_status(res, sv.status());
    auto list = sv.value()->list_decisions(before, limit, content_id);
    if (!list.ok()) return send_status(res, list.status());
    Json a = Json::array();
    for (const auto& d : list.value()) a.push_back(pipeline::decision_json(d));
    Json detail = {{"count", a.size()}};
    if (!content_id.empty()) detail["content_id"] = content_id;
    if (!a.empty()) detail["ids"] = {a.front()["id"], a.back()["id"]};
    if (!audit(ctx, res, "decision.list", "decisions", detail)) return;
    Json out = {{"decisions", a}};
    out["next_before"] = static_cast<int64_t>(a.size()) == limit ? a.back()["id"] : Json(nullptr);
    send_json(res, 200, out);
  });

  route("GET", "/v1/decisions/{id}", kReadDecisions, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    int64_t id = path_id(req, res, "id");
    if (id == 0) return;
    auto sv = engine.service();
    if (!sv.ok()) return send_status(res, sv.status());
    auto d = sv.value()->get_decision(id);
    if (!d.ok()) return send_status(res, d.status());
    if (!d.value()) return http::json_error(res, 404, "not_found", "no decision " + std::to_string(id), "id");
    auto deliveries = sv.value()->deliveries_for(id);
    if (!deliveries.ok()) return send_status(res, deliveries.status());
    if (!audit(ctx, res, "decision.read", "decision:" + std::to_string(id))) return;
    Json j = pipeline::decision_json(*d.value());
    Json w = Json::array();
    for (const auto& x : deliveries.value()) w.push_back(delivery_json(x));
    j["webhooks"] = w;
    send_json(res, 200, j);
  });

  route("GET", "/v1/audit", store::kRoleAuditor, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    int64_t after = 0, limit = 100;
    if (!query_int(req, res, "after", 0, INT64_MAX / 2, &after) || !query_int(req, res, "limit", 1, 1000, &limit)) {
      return;
    }
    auto sv = engine.service();
    if (!sv.ok()) return send_status(res, sv.status());
    auto list = sv.value()->audit_since(after, limit);
    if (!list.ok()) return send_status(res, list.status());
    Json a = Json::array();
    for (const auto& e : list.value()) a.push_back(audit_json(e));
    // Reading the audit log is itself audited (after the read, so the
    // entries returned are the ones that existed when asked).
    if (!audit(ctx, res, "audit.read", "audit", {{"after", after}, {"count", a.size()}})) return;
    send_json(res, 200, {{"entries", a}});
  });

  route("GET", "/v1/tokens", store::kRoleAdmin, [this](Ctx&, http::Request&, http::Response& res) {
    auto sv = engine.service();
    if (!sv.ok()) return send_status(res, sv.status());
    auto list = sv.value()->list_tokens();
    if (!list.ok()) return send_status(res, list.status());
    Json a = Json::array();
    for (const auto& t : list.value()) {
      Json roles = Json::array();
      for (uint32_t r = 1; r <= store::kRoleAuditor; r <<= 1) {
        if (t.roles & r) roles.push_back(store::role_name(static_cast<store::Role>(r)));
      }
      a.push_back(
          {{"id", t.id}, {"name", t.name}, {"roles", roles}, {"created_at", t.created_at}, {"revoked", t.revoked}});
    }
    send_json(res, 200, {{"tokens", a}});
  });

  route("POST", "/v1/tokens", store::kRoleAdmin, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    if (!body->contains("name") || !(*body)["name"].is_string()) {
      return http::json_error(res, 400, "missing_field", "name is required (string)", "name");
    }
    if (!body->contains("roles") || !(*body)["roles"].is_array() || (*body)["roles"].empty()) {
      return http::json_error(res, 400, "missing_field", "roles must be a non-empty array", "roles");
    }
    store::ApiToken t;
    t.name = (*body)["name"].get<std::string>();
    for (size_t i = 0; i < (*body)["roles"].size(); ++i) {
      const Json& r = (*body)["roles"][i];
      uint32_t bit = r.is_string() ? store::parse_role(r.get<std::string>()) : 0;
      if (bit == 0) {
        return http::json_error(res, 400, "invalid_field",
                                "unknown role (hasher, matcher, curator, reviewer, admin, auditor)",
                                "roles[" + std::to_string(i) + "]");
      }
      t.roles |= bit;
    }
    std::string secret = pipeline::new_token_secret();
    t.secret_hash = pipeline::token_secret_hash(secret);
    auto sv = engine.service();
    if (!sv.ok()) return send_status(res, sv.status());
    if (!audited(
            ctx, res, "token.create", "token:" + t.name, {{"roles", (*body)["roles"]}},
            [&] { return sv.value()->create_token(t).status(); }, "name")) {
      return;
    }
    send_json(res, 201, {{"name", t.name}, {"token", secret}, {"roles", (*body)["roles"]}});
  });

  route("DELETE", "/v1/tokens/{name}", store::kRoleAdmin, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    auto sv = engine.service();
    if (!sv.ok()) return send_status(res, sv.status());
    std::string name(req.param("name"));
    auto tokens = sv.value()->list_tokens();
    if (!tokens.ok()) return send_status(res, tokens.status());
    if (std::none_of(tokens.value().begin(), tokens.value().end(),
                     [&](const store::ApiToken& t) { return t.name == name && !t.revoked; })) {
      return http::json_error(res, 404, "not_found", "no active token named '" + name + "'", "name");
    }
    if (!audited(
            ctx, res, "token.revoke", "token:" + name, Json::object(), [&] { return sv.value()->revoke_token(name); },
            "name")) {
      return;
    }
    send_json(res, 200, {{"revoked", name}});
  });
}

}  // namespace chainbreak::api
