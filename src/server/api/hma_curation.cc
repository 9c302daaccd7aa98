// The HMA 2.0 curation routes (/c): banks and their content, signal and
// content types, exchanges (none), with HMA's shapes (see docs/HMA.md).
#include "server/api/hma_internal.h"

namespace chainbreak::api {

using namespace hma;  // NOLINT: this file is HMA's vocabulary

void Api::Impl::add_hma_curation_routes() {
  const uint32_t kRead = store::kRoleMatcher | store::kRoleCurator;

  // ---- Curation: configuration ----------------------------------------------
  route("GET", "/c/signal_type", kRead, [](Ctx&, http::Request&, http::Response& res) {
    Json out = Json::array();
    for (const auto& t : kTypes) out.push_back({{"enabled_ratio", 1.0}, {"name", t.name}});
    send_json(res, 200, out);
  });
  route("GET", "/c/content_type", kRead, [](Ctx&, http::Request&, http::Response& res) {
    send_json(res, 200, Json::array({{{"enabled", true}, {"name", "photo"}}, {{"enabled", true}, {"name", "video"}}}));
  });
  // Exchanges are not implemented: none is installed or configured.
  route("GET", "/c/exchanges", kRead,
        [](Ctx&, http::Request&, http::Response& res) { send_json(res, 200, Json::array()); });
  route("GET", "/c/exchanges/apis", kRead,
        [](Ctx&, http::Request&, http::Response& res) { send_json(res, 200, Json::array()); });
  route("GET", "/c/exchange/{name}", kRead, [](Ctx&, http::Request& req, http::Response& res) {
    message(res, 404, "Exchange '" + std::string(req.param("name")) + "' not found");
  });
  route("POST", "/c/exchanges", store::kRoleCurator, [](Ctx&, http::Request&, http::Response& res) {
    message(res, 400, "No such exchange type: chainbreak has no exchanges; import lists with `chainbreak bank import`");
  });

  // ---- Curation: banks --------------------------------------------------------
  // The named bank; nullopt with res set (404 with not_found).
  auto find_bank = [this](http::Response& res, std::string_view name,
                          const std::string& not_found) -> std::optional<store::Bank> {
    auto st = engine.store();
    if (!st.ok()) return unavailable(res, st.status()), std::nullopt;
    auto b = st.value()->find_bank(name);
    if (!b.ok()) return unavailable(res, b.status()), std::nullopt;
    if (!b.value() && !not_found.empty()) message(res, 404, not_found);
    return b.value();
  };
  auto bank_404 = [](std::string_view name) { return "bank '" + std::string(name) + "' not found"; };

  route("GET", "/c/banks", kRead, [this](Ctx&, http::Request&, http::Response& res) {
    auto st = engine.store();
    if (!st.ok()) return unavailable(res, st.status());
    auto banks = st.value()->list_banks();
    if (!banks.ok()) return unavailable(res, banks.status());
    Json out = Json::array();
    for (const auto& b : banks.value()) out.push_back(bank_json(b));
    send_json(res, 200, out);
  });

  route("GET", "/c/bank/{name}", kRead, [find_bank, bank_404](Ctx&, http::Request& req, http::Response& res) {
    auto b = find_bank(res, req.param("name"), bank_404(req.param("name")));
    if (b) send_json(res, 200, bank_json(*b));
  });

  route("POST", "/c/banks", store::kRoleCurator, [this, find_bank](Ctx& ctx, http::Request& req, http::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return invalid(res, "body", "model_type", "Input should be a valid dictionary");
    if (!body.contains("name")) return invalid(res, "name", "missing", "Field required");
    if (!body["name"].is_string()) return invalid(res, "name", "string_type", "Input should be a valid string");
    std::optional<double> r;
    if (!read_ratio(body, res, &r)) return;
    store::Bank b;
    b.name = body["name"].get<std::string>();
    b.enabled = r.value_or(1.0) > 0;
    if (!bank_name_ok(b.name)) return message(res, 400, "Bank names must be UPPER_WITH_UNDERSCORE");
    auto existing = find_bank(res, b.name, "");
    if (res.status >= 400) return;
    if (existing) return message(res, 403, "Bank already exists");
    if (!audit(ctx, res, "bank.create", "bank:" + b.name, {{"via", "hma"}, {"enabled", b.enabled}})) return;
    {
      auto st = engine.store();
      if (!st.ok()) return unavailable(res, st.status());
      auto created = st.value()->create_bank(b);
      if (!created.ok()) return store_error(res, created.status());
      b = created.value();
    }
    (void)engine.refresh();
    send_json(res, 201, bank_json(b));
  });

  route("PUT", "/c/bank/{name}", store::kRoleCurator,
        [this, find_bank](Ctx& ctx, http::Request& req, http::Response& res) {
          Json body = Json::parse(req.body, nullptr, false);
          if (!body.is_object()) return invalid(res, "body", "model_type", "Input should be a valid dictionary");
          bool rename = body.contains("name") && !body["name"].is_null();
          if (rename && !body["name"].is_string())
            return invalid(res, "name", "string_type", "Input should be a valid string");
          std::optional<double> r;
          if (!read_ratio(body, res, &r)) return;
          auto found = find_bank(res, req.param("name"), "Bank not found");
          if (!found) return;
          store::Bank b = *found;
          if (rename) {
            b.name = body["name"].get<std::string>();
            if (!bank_name_ok(b.name)) return message(res, 400, "Bank names must be UPPER_WITH_UNDERSCORE");
            if (b.name != found->name) {
              auto clash = find_bank(res, b.name, "");
              if (res.status >= 400) return;
              if (clash) return message(res, 403, "Bank name already exists");
            }
          }
          if (r) {
            b.enabled = *r > 0;
            if (b.enabled) b.disabled_until = 0;  // enabling through HMA also ends a temporary disable
          }
          if (!audit(ctx, res, "bank.update", "bank:" + found->name,
                     {{"via", "hma"}, {"name", b.name}, {"enabled", b.enabled}})) {
            return;
          }
          {
            auto st = engine.store();
            if (!st.ok()) return unavailable(res, st.status());
            Status u = st.value()->update_bank(b);
            if (!u.ok()) return store_error(res, u);
          }
          (void)engine.refresh();
          send_json(res, 200, bank_json(b));
        });

  route("DELETE", "/c/bank/{name}", store::kRoleCurator,
        [this, find_bank](Ctx& ctx, http::Request& req, http::Response& res) {
          auto b = find_bank(res, req.param("name"), "");
          if (res.status >= 400) return;
          if (b) {  // HMA: deleting a missing bank succeeds too
            if (!audit(ctx, res, "bank.delete", "bank:" + b->name, {{"via", "hma"}})) return;
            auto st = engine.store();
            if (!st.ok()) return unavailable(res, st.status());
            Status d = st.value()->delete_bank(b->id);
            if (!d.ok()) return store_error(res, d);
          }
          (void)engine.refresh();
          message(res, 200, "Done");
        });

  // ---- Curation: content ------------------------------------------------------
  // Adds one entry per signal (HMA's _bank_add_signals); the first entry's
  // id is the content id.
  auto add_signals = [this](Ctx& ctx, http::Response& res, const store::Bank& bank,
                            const std::vector<std::pair<std::string, Json>>& given, const Json& md, const Json& note) {
    if (given.empty()) return message(res, 400, "No signals given");
    std::vector<store::Entry> entries;
    Json sigs = Json::object();
    for (const auto& [name, v] : given) {
      const HmaType* t = find_type(name);
      if (t == nullptr) return message(res, 400, "No such signal type " + name);
      std::string err;
      auto hex = validate_signal(*t, v, &err);
      if (!hex) return message(res, 400, "Invalid " + name + " signal: " + err);
      store::Entry e;
      e.type = t->type;
      e.value = *hex;
      Json extra = Json::object();
      if (name != store::signal_type_name(t->type)) extra["hma_signal_type"] = name;
      if (!md.is_null()) extra["hma_metadata"] = md;
      if (md.is_object() && md.contains("content_id") && md["content_id"].is_string()) e.external_id = md["content_id"];
      if (!note.is_null()) extra["hma_note"] = note;
      if (!extra.empty()) e.metadata_json = dump(extra);
      sigs[name] = *hex;
      entries.push_back(std::move(e));
    }
    if (!audit(ctx, res, "entries.add", "bank:" + bank.name, {{"via", "hma"}, {"signals", sigs}})) return;
    std::vector<int64_t> ids;
    {
      auto st = engine.store();
      if (!st.ok()) return unavailable(res, st.status());
      auto added = st.value()->add_entries(bank.id, entries);
      if (!added.ok()) return store_error(res, added.status());
      ids = added.value();
    }
    (void)engine.refresh();
    Json out = {{"id", ids.at(0)}, {"signals", sigs}};
    if (ids.size() > 1) out["chainbreak_entry_ids"] = ids;
    send_json(res, 200, out);
  };

  route("POST", "/c/bank/{name}/signal", store::kRoleCurator,
        [find_bank, bank_404, add_signals](Ctx& ctx, http::Request& req, http::Response& res) {
          auto bank = find_bank(res, req.param("name"), bank_404(req.param("name")));
          if (!bank) return;
          Json body = Json::parse(req.body, nullptr, false);
          if (!body.is_object()) return message(res, 400, "the request body must be a JSON object");
          Json note;
          if (!check_note(body.value("note", Json()), res, &note)) return;
          body.erase("note");
          std::vector<std::pair<std::string, Json>> given;
          for (auto it = body.begin(); it != body.end(); ++it) given.emplace_back(it.key(), *it);
          add_signals(ctx, res, *bank, given, nullptr, note);
        });

  route("POST", "/c/bank/{name}/content", store::kRoleCurator,
        [this, find_bank, bank_404, add_signals](Ctx& ctx, http::Request& req, http::Response& res) {
          auto bank = find_bank(res, req.param("name"), bank_404(req.param("name")));
          if (!bank) return;
          Json md, note;
          const std::string* ct = req.header("content-type");
          Form f;
          if (ct != nullptr && ct->rfind("application/json", 0) == 0) {
            Json body = Json::parse(req.body, nullptr, false);
            if (body.is_discarded()) return message(res, 400, "Failed to decode JSON object");
            if (body.is_object()) {
              if (!check_metadata(body.value("metadata", Json()), res, &md)) return;
              if (!check_note(body.value("note", Json()), res, &note)) return;
            }
          } else {
            if (!read_form(req, res, options.max_upload_bytes, &f)) return;
            if (auto m = f.fields.find("metadata"); m != f.fields.end()) {
              Json raw = Json::parse(m->second, nullptr, false);
              if (raw.is_discarded()) return message(res, 400, "metadata form field must be valid JSON");
              if (!check_metadata(raw, res, &md)) return;
            }
            if (auto n = f.fields.find("note"); n != f.fields.end() && !check_note(Json(n->second), res, &note)) return;
          }
          auto url = req.query_param("url");
          if (url && !url->empty()) return message(res, 400, kNoUrl);
          if (!f.has_file) return message(res, 400, "Neither `url` nor multipart file upload was received");
          auto sigs = hash_form(req, res, f, options.pdq, false);
          if (!sigs) return;
          std::vector<std::pair<std::string, Json>> given;
          for (const auto& [t, v] : *sigs) given.emplace_back(t->name, Json(v));
          add_signals(ctx, res, *bank, given, md, note);
        });

  // The path's bank (404 when missing) and its live entry (nullopt when
  // missing, removed or in another bank).
  auto find_content = [this, find_bank, bank_404](http::Request& req, http::Response& res, store::Bank* bank,
                                                  std::optional<store::Entry>* entry) {
    auto b = find_bank(res, req.param("name"), bank_404(req.param("name")));
    if (!b) return false;
    *bank = *b;
    int64_t id = parse_id(req.param("id"));
    if (id < 0) return true;
    auto st = engine.store();
    if (!st.ok()) return unavailable(res, st.status()), false;
    auto e = st.value()->get_entry(id);
    if (!e.ok()) return unavailable(res, e.status()), false;
    if (e.value() && !e.value()->removed && e.value()->bank_id == b->id) *entry = e.value();
    return true;
  };
  auto content_404 = [](http::Request& req) { return "content '" + std::string(req.param("id")) + "' not found"; };

  route("GET", "/c/bank/{name}/content/{id}", kRead,
        [find_content, content_404](Ctx&, http::Request& req, http::Response& res) {
          store::Bank bank;
          std::optional<store::Entry> e;
          if (!find_content(req, res, &bank, &e)) return;
          if (!e) return message(res, 404, content_404(req));
          auto flag = [&req](std::string_view key, const char* dflt) {
            std::string v(req.query_param(key).value_or(dflt));
            std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
            return v == "true";
          };
          HmaExtra x = extra_of(*e);
          Json out = {{"bank", bank_json(bank)},
                      {"disable_until_ts", e->disabled ? 0 : 1},
                      {"id", e->id},
                      {"original_media_uri", nullptr}};
          if (flag("include_signals", "false")) out["signals"] = {{x.type_name, e->value}};
          if (flag("include_metadata", "true") && !x.metadata.is_null()) {
            Json md = {{"collab", nullptr}, {"content_id", nullptr}, {"content_uri", nullptr}, {"json", nullptr}};
            md.update(x.metadata);
            out["metadata"] = md;
          }
          if (!x.note.is_null()) out["note"] = x.note;
          send_json(res, 200, out);
        });

  route("PUT", "/c/bank/{name}/content/{id}", store::kRoleCurator,
        [this, find_content, content_404](Ctx& ctx, http::Request& req, http::Response& res) {
          store::Bank bank;
          std::optional<store::Entry> e;
          if (!find_content(req, res, &bank, &e)) return;
          if (!e) return message(res, 404, content_404(req));
          Json body = Json::parse(req.body, nullptr, false);
          if (!body.is_object()) return message(res, 400, "the request body must be a JSON object");
          HmaExtra x = extra_of(*e);
          Json ts = e->disabled ? 0 : 1;
          bool disable = e->disabled;
          if (body.contains("disable_until_ts")) {
            auto v = lax_int(body["disable_until_ts"]);
            if (!v) return message(res, 400, "Invalid int: '" + dump(body["disable_until_ts"]) + "'");
            if (*v < 0) return message(res, 400, "disable_until_ts must be a non-negative integer");
            if (*v > pipeline::now_s() + 5 * 365 * 86400) {
              return message(res, 400, "disable_until_ts must be less than 5 years in the future");
            }
            ts = *v;
            disable = *v == 0 || *v > pipeline::now_s();  // 0 disabled, 1 enabled, else disabled until then
          }
          if (body.contains("note")) {
            Json note;
            if (!check_note(body["note"], res, &note)) return;
            if (note != x.note) return message(res, 400, "chainbreak cannot change the note of banked content");
          }
          if (disable != e->disabled) {
            std::string target = "entry:" + std::to_string(e->id);
            if (!audit(ctx, res, disable ? "entry.disable" : "entry.enable", target, {{"via", "hma"}})) return;
            auto st = engine.store();
            if (!st.ok()) return unavailable(res, st.status());
            Status s = st.value()->set_entry_disabled(e->id, disable);
            if (!s.ok()) return store_error(res, s);
          }
          (void)engine.refresh();
          send_json(res, 200,
                    {{"bank", bank_json(bank)},
                     {"collab_metadata", Json::object()},
                     {"disable_until_ts", ts},
                     {"id", e->id},
                     {"note", x.note},
                     {"original_media_uri", nullptr},
                     {"user_metadata", x.metadata}});
        });

  route("DELETE", "/c/bank/{name}/content/{id}", store::kRoleCurator,
        [this, find_content, content_404](Ctx& ctx, http::Request& req, http::Response& res) {
          store::Bank bank;
          std::optional<store::Entry> e;
          if (!find_content(req, res, &bank, &e)) return;
          if (parse_id(req.param("id")) < 0) return message(res, 404, content_404(req));  // HMA's <int:...>
          int64_t deleted = 0;
          if (e) {
            if (!audit(ctx, res, "entry.remove", "entry:" + std::to_string(e->id), {{"via", "hma"}})) return;
            auto st = engine.store();
            if (!st.ok()) return unavailable(res, st.status());
            int64_t id = e->id;
            auto n = st.value()->remove_entries(std::span<const int64_t>(&id, 1));
            if (!n.ok()) return store_error(res, n.status());
            deleted = n.value();
          }
          (void)engine.refresh();
          send_json(res, 200, {{"deleted", deleted}});
        });
}

}  // namespace chainbreak::api
