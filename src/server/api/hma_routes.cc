// The HMA 2.0 (OpenMediaMatch) compatible routes: /status, /site-map, /h, /m
// and /c with HMA's request and response shapes, status codes and
// {"message": ...} error bodies, so an HMA client works unchanged. The
// mapping and every difference are in docs/HMA.md.
#include "server/api/hma_internal.h"

namespace chainbreak::api {

using namespace hma;  // NOLINT: this file is HMA's vocabulary

void Api::Impl::add_hma_routes() {
  // ---- Core ---------------------------------------------------------------
  auto status = [this](Ctx&, http::Request&, http::Response& res) {
    res.status = engine.ready() ? 200 : 503;
    res.content_type = "text/html; charset=utf-8";  // Flask's default for a str
    res.body = engine.ready() ? "I-AM-ALIVE" : "INDEX-NOT-LOADED";
  };
  route("GET", "/status", 0, status);
  route("GET", "/status/live", 0, [](Ctx&, http::Request&, http::Response& res) {
    res.status = 200;
    res.content_type = "text/html; charset=utf-8";
    res.body = "I-AM-ALIVE";
  });
  route("GET", "/site-map", 0, [](Ctx&, http::Request&, http::Response& res) {
    std::vector<std::string> r = {"/c/bank/<bank_name>",
                                  "/c/bank/<bank_name>/content",
                                  "/c/bank/<bank_name>/content/<int:content_id>",
                                  "/c/bank/<bank_name>/signal",
                                  "/c/banks",
                                  "/c/content_type",
                                  "/c/exchange/<string:exchange_name>",
                                  "/c/exchanges",
                                  "/c/exchanges/apis",
                                  "/c/signal_type",
                                  "/h/hash",
                                  "/m/compare",
                                  "/m/index/status",
                                  "/m/lookup",
                                  "/m/raw_lookup",
                                  "/site-map",
                                  "/status",
                                  "/status/live"};
    std::sort(r.begin(), r.end());
    send_json(res, 200, r);
  });

  // ---- Hashing ------------------------------------------------------------
  route("GET", "/h/hash", store::kRoleHasher, [](Ctx&, http::Request& req, http::Response& res) {
    if (!req.query_param("url")) return invalid(res, "url", "missing", "Field required");
    message(res, 400, kNoUrl);
  });
  route("POST", "/h/hash", store::kRoleHasher, [this](Ctx&, http::Request& req, http::Response& res) {
    Form f;
    if (!read_form(req, res, options.max_upload_bytes, &f)) return;
    auto sigs = hash_form(req, res, f, options.pdq, false);
    if (!sigs) return;
    Json out = Json::object();
    for (const auto& [t, v] : *sigs) out[t->name] = v;
    send_json(res, 200, out);
  });

  // ---- Matching -----------------------------------------------------------
  // Validates (type, signal) as HMA's query_index does; false with res set.
  auto check = [this](http::Response& res, std::string_view type, const Json& signal, const HmaType** t,
                      std::string* hex) {
    *t = find_type(type);
    if (*t == nullptr) return message(res, 400, "No such SignalType '" + std::string(type) + "'"), false;
    std::string err;
    auto v = validate_signal(**t, signal, &err);
    if (!v) return message(res, 400, "invalid signal: " + err), false;
    if (!engine.ready()) return message(res, 503, "index not yet ready"), false;
    *hex = *v;
    return true;
  };

  route("GET", "/m/raw_lookup", store::kRoleMatcher, [this, check](Ctx&, http::Request& req, http::Response& res) {
    auto sig = req.query_param("signal");
    auto type = req.query_param("signal_type");
    if (!sig || !type) return invalid(res, !sig ? "signal" : "signal_type", "missing", "Field required");
    bool with_distance = false;
    if (!query_bool(req, res, "include_distance", &with_distance)) return;
    const HmaType* t = nullptr;
    std::string hex;
    if (!check(res, *type, Json(std::string(*sig)), &t, &hex)) return;
    auto r = match(engine, *t, hex);
    if (!r.ok()) return unavailable(res, r.status());
    auto f = bank_filter(req);
    Json ms = Json::array();
    for (const auto& m : r.value()) {
      if (!wanted(f, m.bank)) continue;
      if (with_distance) {
        ms.push_back({{"bank_content_id", m.entry_id}, {"distance", distance(*t, m)}});
      } else {
        ms.push_back(m.entry_id);
      }
    }
    send_json(res, 200, {{"matches", ms}});
  });

  route("GET", "/m/lookup", store::kRoleMatcher, [this, check](Ctx&, http::Request& req, http::Response& res) {
    bool ignored = false;  // no coin flip in chainbreak (docs/HMA.md)
    if (!query_bool(req, res, "bypass_coinflip", &ignored)) return;
    auto url = req.query_param("url");
    if (url && !url->empty()) return message(res, 400, kNoUrl);
    auto sig = req.query_param("signal");
    auto type = req.query_param("signal_type");
    if (!sig || !type || sig->empty() || type->empty()) {
      return message(res, 400, "Either url or both signal and signal_type are required");
    }
    const HmaType* t = nullptr;
    std::string hex;
    if (!check(res, *type, Json(std::string(*sig)), &t, &hex)) return;
    auto r = match(engine, *t, hex);
    if (!r.ok()) return unavailable(res, r.status());
    send_json(res, 200, by_bank(*t, r.value(), bank_filter(req)));
  });

  route("POST", "/m/lookup", store::kRoleMatcher, [this, check](Ctx& ctx, http::Request& req, http::Response& res) {
    if (!ctx.who.has(store::kRoleHasher)) return message(res, 403, "Hashing is disabled, missing role");
    Form f;
    if (!read_form(req, res, options.max_upload_bytes, &f)) return;
    auto sigs = hash_form(req, res, f, options.pdq, true);
    if (!sigs) return;
    auto filter = bank_filter(req);
    Json out = Json::object();
    for (const auto& [t, v] : *sigs) {
      if (v.empty()) {  // a PDQ of too low quality matches nothing
        out[t->name] = Json::object();
        continue;
      }
      const HmaType* checked = nullptr;
      std::string hex;
      if (!check(res, t->name, Json(v), &checked, &hex)) return;
      auto r = match(engine, *t, hex);
      if (!r.ok()) return unavailable(res, r.status());
      out[t->name] = by_bank(*t, r.value(), filter);
    }
    send_json(res, 200, out);
  });

  route("GET", "/m/index/status", store::kRoleMatcher, [this](Ctx&, http::Request& req, http::Response& res) {
    auto only = req.query_param("signal_type");
    if (only && find_type(*only) == nullptr) {
      return message(res, 400, "No such signal type '" + std::string(*only) + "'");
    }
    Json out = Json::object();
    for (const auto& t : kTypes) {
      if (only && *only != t.name) continue;
      bool ready = engine.ready();
      size_t size = t.type == SignalType::kPdq ? engine.pdq_entries() : 0;  // digest counts are not tracked
      out[t.name] = {{"present", ready}, {"built_to", ready ? pipeline::now_s() : -1}, {"size", size}};
    }
    send_json(res, 200, out);
  });

  route("POST", "/m/compare", store::kRoleMatcher, [](Ctx&, http::Request& req, http::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return message(res, 400, "Request input was not a dict");
    Json out = Json::object();
    for (auto it = body.begin(); it != body.end(); ++it) {
      const std::string& name = it.key();
      if (!it->is_array()) return message(res, 400, "Comparison hashes for " + name + " was not a list");
      if (it->size() != 2) return message(res, 400, "Comparison hash list length must be exactly 2");
      const HmaType* t = find_type(name);
      if (t == nullptr) return message(res, 400, "No such SignalType '" + name + "'");
      std::string err;
      auto a = validate_signal(*t, (*it)[0], &err);
      auto b = a ? validate_signal(*t, (*it)[1], &err) : std::nullopt;
      if (!b) return message(res, 400, "Invalid " + name + " hash: " + err);
      if (t->type == SignalType::kPdq) {
        int d = pdq::hamming_distance(pdq::Hash256::from_hex(*a).value(), pdq::Hash256::from_hex(*b).value());
        out[name] = Json::array({d <= 31, {{"distance", d}}});  // PDQ_CONFIDENT_MATCH_THRESHOLD
      } else {
        out[name] = Json::array({*a == *b, Json::object()});
      }
    }
    send_json(res, 200, out);
  });

  add_hma_curation_routes();
}

}  // namespace chainbreak::api
