// /v1/entries/{id}: show, disable, enable, remove (tombstone), vote.
#include "server/api/api_internal.h"
#include "server/api/entry_json.h"

namespace chainbreak::api {

namespace {

// The live (not removed) entry named by the {id} path parameter; nullopt
// with a 400 (bad id), 404 (unknown or removed) or 503 set on res.
std::optional<store::Entry> live_entry(store::Store& st, const http::Request& req, http::Response& res) {
  int64_t id = path_id(req, res, "id");
  if (id == 0) return std::nullopt;
  auto e = st.get_entry(id);
  if (!e.ok()) return send_status(res, e.status()), std::nullopt;
  if (!e.value() || e.value()->removed) {
    http::json_error(res, 404, "not_found", "no live entry " + std::to_string(id), "id");
    return std::nullopt;
  }
  return *e.value();
}

}  // namespace

void Api::Impl::add_entry_routes() {
  route("GET", "/v1/entries/{id}", store::kRoleCurator | store::kRoleReviewer | store::kRoleMatcher,
        [this](Ctx&, http::Request& req, http::Response& res) {
          int64_t id = path_id(req, res, "id");
          if (id == 0) return;
          auto st = engine.store();
          if (!st.ok()) return send_status(res, st.status());
          auto e = st.value()->get_entry(id);
          if (!e.ok()) return send_status(res, e.status());
          if (!e.value()) return http::json_error(res, 404, "not_found", "no entry " + std::to_string(id), "id");
          send_json(res, 200, entry_json(*e.value()));
        });

  for (bool disable : {true, false}) {
    std::string pattern = disable ? "/v1/entries/{id}/disable" : "/v1/entries/{id}/enable";
    route("POST", pattern.c_str(), store::kRoleCurator,
          [this, disable](Ctx& ctx, http::Request& req, http::Response& res) {
            auto st = engine.store();
            if (!st.ok()) return send_status(res, st.status());
            auto e = live_entry(*st.value(), req, res);
            if (!e) return;
            const int64_t id = e->id;
            if (!audited(
                    ctx, res, disable ? "entry.disable" : "entry.enable", "entry:" + std::to_string(id), Json::object(),
                    [&] { return st.value()->set_entry_disabled(id, disable); }, "id")) {
              return;
            }
            (void)engine.refresh();
            e->disabled = disable;
            send_json(res, 200, entry_json(*e));
          });
  }

  route("DELETE", "/v1/entries/{id}", store::kRoleCurator, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    auto st = engine.store();
    if (!st.ok()) return send_status(res, st.status());
    auto e = live_entry(*st.value(), req, res);
    if (!e) return;
    const int64_t id = e->id;
    int64_t ids[] = {id};
    if (!audited(
            ctx, res, "entry.remove", "entry:" + std::to_string(id), Json::object(),
            [&] { return st.value()->remove_entries(ids).status(); }, "id")) {
      return;
    }
    (void)engine.refresh();
    send_json(res, 200, {{"removed", id}});
  });

  route(
      "POST", "/v1/entries/{id}/vote", store::kRoleCurator | store::kRoleReviewer,
      [this](Ctx& ctx, http::Request& req, http::Response& res) {
        auto body = parse_body(req, res);
        if (!body) return;
        int up = 0, down = 0;
        if (body->empty()) return http::json_error(res, 400, "missing_field", "up or down is required", "up");
        for (const auto& [k, v] : body->items()) {
          if ((k != "up" && k != "down") || !v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1000) {
            return http::json_error(res, 400, "invalid_field", k + " must be an integer from 0 to 1000", k);
          }
          (k == "up" ? up : down) = v.get<int>();
        }
        auto st = engine.store();
        if (!st.ok()) return send_status(res, st.status());
        auto before = live_entry(*st.value(), req, res);
        if (!before) return;
        const int64_t id = before->id;
        if (!audited(
                ctx, res, "entry.vote", "entry:" + std::to_string(id), *body,
                [&] { return st.value()->vote(id, up, down); }, "id")) {
          return;
        }
        auto e = st.value()->get_entry(id);
        if (!e.ok() || !e.value()) return send_status(res, e.ok() ? InvalidInput("unknown entry") : e.status());
        send_json(res, 200, entry_json(*e.value()));
      });
}

}  // namespace chainbreak::api
