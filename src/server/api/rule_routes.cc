// /v1/rules: the action rules (match -> action).
#include <algorithm>

#include "server/api/api_internal.h"
#include "server/api/entry_json.h"

namespace chainbreak::api {

void Api::Impl::add_rule_routes() {
  route("GET", "/v1/rules", store::kRoleCurator | store::kRoleReviewer | store::kRoleAuditor,
        [this](Ctx&, http::Request&, http::Response& res) {
          auto sv = engine.service();
          if (!sv.ok()) return send_status(res, sv.status());
          auto rules = sv.value()->list_rules();
          if (!rules.ok()) return send_status(res, rules.status());
          Json a = Json::array();
          for (const auto& r : rules.value()) a.push_back(rule_json(r));
          send_json(res, 200, {{"rules", a}});
        });

  route("POST", "/v1/rules", store::kRoleCurator, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    for (const char* f : {"name", "action"}) {
      if (!body->contains(f)) return http::json_error(res, 400, "missing_field", std::string(f) + " is required", f);
    }
    store::Rule r;
    if (!rule_from_json(*body, &r, res)) return;
    auto sv = engine.service();
    if (!sv.ok()) return send_status(res, sv.status());
    store::Rule created;
    Json intent = rule_json(r);
    intent.erase("id");
    intent.erase("created_at");
    if (!audited(
            ctx, res, "rule.create", "rule:" + r.name, intent,
            [&] {
              auto c = sv.value()->create_rule(r);
              if (c.ok()) created = c.value();
              return c.status();
            },
            "rule")) {
      return;
    }
    (void)engine.refresh();
    send_json(res, 201, rule_json(created));
  });

  route("PATCH", "/v1/rules/{id}", store::kRoleCurator, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    int64_t id = path_id(req, res, "id");
    if (id == 0) return;
    auto body = parse_body(req, res);
    if (!body) return;
    auto sv = engine.service();
    if (!sv.ok()) return send_status(res, sv.status());
    auto rules = sv.value()->list_rules();
    if (!rules.ok()) return send_status(res, rules.status());
    const store::Rule* found = nullptr;
    for (const auto& r : rules.value()) {
      if (r.id == id) found = &r;
    }
    if (found == nullptr) return http::json_error(res, 404, "not_found", "no rule " + std::to_string(id), "id");
    store::Rule r = *found;
    if (!rule_from_json(*body, &r, res)) return;
    Json detail = rule_json(r);
    if (!audited(
            ctx, res, "rule.update", "rule:" + std::to_string(id), detail, [&] { return sv.value()->update_rule(r); },
            "rule")) {
      return;
    }
    (void)engine.refresh();
    send_json(res, 200, detail);
  });

  route("DELETE", "/v1/rules/{id}", store::kRoleCurator, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    int64_t id = path_id(req, res, "id");
    if (id == 0) return;
    auto sv = engine.service();
    if (!sv.ok()) return send_status(res, sv.status());
    auto rules = sv.value()->list_rules();
    if (!rules.ok()) return send_status(res, rules.status());
    if (std::none_of(rules.value().begin(), rules.value().end(), [id](const store::Rule& r) { return r.id == id; })) {
      return http::json_error(res, 404, "not_found", "no rule " + std::to_string(id), "id");
    }
    if (!audited(
            ctx, res, "rule.delete", "rule:" + std::to_string(id), Json::object(),
            [&] { return sv.value()->delete_rule(id); }, "id")) {
      return;
    }
    (void)engine.refresh();
    send_json(res, 200, {{"deleted", id}});
  });
}

}  // namespace chainbreak::api
