// /v1/hash, /v1/lookup (GET single, POST batch) and /v1/match (hash, match
// and act in one call).
#include <algorithm>

#include "banks/hex.h"
#include "pipeline/pipeline.h"
#include "server/api/api_internal.h"
#include "server/api/case_desk.h"
#include "server/api/content.h"

namespace chainbreak::api {

namespace {

Json signal_json(const pipeline::Signal& s) {
  Json j = {{"signal_type", store::signal_type_name(s.type)}, {"signal", s.hex}};
  if (s.quality >= 0) j["quality"] = s.quality;
  return j;
}

Json matches_json(const std::vector<banks::Match>& ms) {
  Json a = Json::array();
  for (const auto& m : ms) a.push_back(pipeline::match_json(m));
  return a;
}

// Banks named by ?banks=a,b or a JSON "banks" array.
bool banks_from_json(const Json& body, http::Response& res, std::vector<std::string>* out) {
  if (!body.contains("banks")) return true;
  const Json& b = body["banks"];
  if (!b.is_array()) {
    http::json_error(res, 400, "invalid_field", "banks must be an array of bank names", "banks");
    return false;
  }
  for (size_t i = 0; i < b.size(); ++i) {
    if (!b[i].is_string()) {
      http::json_error(res, 400, "invalid_field", "bank names are strings", "banks[" + std::to_string(i) + "]");
      return false;
    }
    out->push_back(b[i].get<std::string>());
  }
  return true;
}

}  // namespace

Result<std::vector<banks::Match>> lookup_one(pipeline::Engine& engine, const pipeline::Signal& s,
                                             std::span<const std::string> banks, std::optional<int> threshold) {
  if (s.type == store::SignalType::kPdq) {
    auto h = pdq::Hash256::from_hex(s.hex);
    if (!h.ok()) return h.status();
    return engine.match_pdq(h.value(), banks, threshold);
  }
  std::vector<uint8_t> bytes = ::chainbreak::banks::hex_bytes(s.hex);
  if (bytes.empty()) return InvalidInput("signal is not hex");
  return engine.match_exact(s.type, bytes, banks);
}

void Api::Impl::add_match_routes() {
  route("POST", "/v1/hash", store::kRoleHasher, [this](Ctx&, http::Request& req, http::Response& res) {
    auto content = upload_bytes(req, res, options.max_upload_bytes);
    if (!content) return;
    auto sigs = hash_content(*content, options.pdq);
    if (!sigs.ok()) {
      http::json_error(res, 400, "invalid_content", "cannot hash the upload: " + sigs.status().message(), "content");
      return;
    }
    Json a = Json::array();
    for (const auto& s : sigs.value()) a.push_back(signal_json(s));
    send_json(res, 200, {{"signals", a}});
  });

  route("GET", "/v1/lookup", store::kRoleMatcher, [this](Ctx&, http::Request& req, http::Response& res) {
    auto type = req.query_param("signal_type");
    auto value = req.query_param("signal");
    if (!value) return http::json_error(res, 400, "missing_parameter", "signal is required", "signal");
    auto sig = pipeline::parse_signal(type ? *type : "pdq", *value);
    if (!sig.ok()) {
      bool bad_type = sig.status().message().rfind("unknown signal_type", 0) == 0;
      return http::json_error(res, 400, "invalid_signal", sig.status().message(), bad_type ? "signal_type" : "signal");
    }
    int64_t threshold = -1;
    if (!query_int(req, res, "threshold", 0, 256, &threshold)) return;
    std::vector<std::string> names = split_list(req.query_param("banks").value_or(""));
    auto r = lookup_one(engine, sig.value(), names,
                        threshold >= 0 ? std::optional<int>(static_cast<int>(threshold)) : std::nullopt);
    if (!r.ok()) return send_status(res, r.status(), "banks");
    auto verdict = pipeline::evaluate(*engine.rules(), r.value());
    send_json(res, 200,
              {{"signal_type", store::signal_type_name(sig.value().type)},
               {"signal", sig.value().hex},
               {"matches", matches_json(r.value())},
               {"outcome", verdict.outcome}});
  });

  route("POST", "/v1/lookup", store::kRoleMatcher, [this](Ctx&, http::Request& req, http::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    if (!body->contains("signals") || !(*body)["signals"].is_array()) {
      return http::json_error(res, 400, "invalid_field", "signals must be an array", "signals");
    }
    const Json& in = (*body)["signals"];
    if (in.size() > options.max_batch) {
      return http::json_error(res, 413, "too_large",
                              "at most " + std::to_string(options.max_batch) + " signals per request", "signals");
    }
    std::vector<std::string> names;
    if (!banks_from_json(*body, res, &names)) return;
    std::optional<int> threshold;
    if (body->contains("threshold")) {
      const Json& t = (*body)["threshold"];
      if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > 256) {
        return http::json_error(res, 400, "invalid_field", "threshold must be an integer from 0 to 256", "threshold");
      }
      threshold = t.get<int>();
    }
    // Validate everything before looking anything up.
    std::vector<pipeline::Signal> sigs;
    for (size_t i = 0; i < in.size(); ++i) {
      std::string field = "signals[" + std::to_string(i) + "]";
      const Json& s = in[i];
      if (!s.is_object() || !s.contains("signal") || !s["signal"].is_string() ||
          (s.contains("signal_type") && !s["signal_type"].is_string())) {
        return http::json_error(res, 400, "invalid_field",
                                "each signal is an object with string signal and signal_type", field);
      }
      auto sig = pipeline::parse_signal(s.value("signal_type", "pdq"), s["signal"].get<std::string>());
      if (!sig.ok()) return http::json_error(res, 400, "invalid_signal", sig.status().message(), field + ".signal");
      sigs.push_back(std::move(sig.value()));
    }
    Json results = Json::array();
    auto rules = engine.rules();
    for (const auto& s : sigs) {
      auto r = lookup_one(engine, s, names, threshold);
      if (!r.ok()) return send_status(res, r.status(), "banks");
      results.push_back({{"signal_type", store::signal_type_name(s.type)},
                         {"signal", s.hex},
                         {"matches", matches_json(r.value())},
                         {"outcome", pipeline::evaluate(*rules, r.value()).outcome}});
    }
    send_json(res, 200, {{"results", results}});
  });

  // Hash-and-match-and-act. JSON body {"content_id","signals":[..],"banks",
  // "act"} or an upload (raw body or multipart) with ?content_id=.
  route("POST", "/v1/match", store::kRoleMatcher, [this](Ctx& ctx, http::Request& req, http::Response& res) {
    pipeline::ContentRequest cr;
    cr.actor = ctx.who.name;
    // JSON when it says so, or when untyped and starting with '{' (no image
    // format starts that way); anything else is an upload.
    const std::string* ct = req.header("content-type");
    bool json = ct != nullptr ? ct->rfind("application/json", 0) == 0 : (!req.body.empty() && req.body[0] == '{');
    if (json) {
      auto body = parse_body(req, res);
      if (!body) return;
      if (body->contains("content_id")) {
        if (!(*body)["content_id"].is_string() || (*body)["content_id"].get<std::string>().size() > 256) {
          return http::json_error(res, 400, "invalid_field", "content_id must be a string of at most 256 bytes",
                                  "content_id");
        }
        cr.content_id = (*body)["content_id"].get<std::string>();
      }
      if (body->contains("act")) {
        if (!(*body)["act"].is_boolean()) {
          return http::json_error(res, 400, "invalid_field", "act must be true or false", "act");
        }
        cr.act = (*body)["act"].get<bool>();
      }
      if (!banks_from_json(*body, res, &cr.banks)) return;
      if (!body->contains("signals") || !(*body)["signals"].is_array() || (*body)["signals"].empty()) {
        return http::json_error(res, 400, "invalid_field", "signals must be a non-empty array", "signals");
      }
      const Json& in = (*body)["signals"];
      if (in.size() > 64) return http::json_error(res, 413, "too_large", "at most 64 signals per content", "signals");
      for (size_t i = 0; i < in.size(); ++i) {
        std::string field = "signals[" + std::to_string(i) + "]";
        const Json& s = in[i];
        if (!s.is_object() || !s.contains("signal") || !s["signal"].is_string() ||
            (s.contains("signal_type") && !s["signal_type"].is_string())) {
          return http::json_error(res, 400, "invalid_field",
                                  "each signal is an object with string signal and signal_type", field);
        }
        auto sig = pipeline::parse_signal(s.value("signal_type", "pdq"), s["signal"].get<std::string>());
        if (!sig.ok()) return http::json_error(res, 400, "invalid_signal", sig.status().message(), field + ".signal");
        cr.signals.push_back(std::move(sig.value()));
      }
    } else {
      if (!ctx.who.has(store::kRoleHasher)) {
        return http::json_error(res, 403, "forbidden", "uploads need the hasher role as well as matcher");
      }
      auto content = upload_bytes(req, res, options.max_upload_bytes);
      if (!content) return;
      auto sigs = hash_content(*content, options.pdq);
      if (!sigs.ok()) {
        return http::json_error(res, 400, "invalid_content", "cannot hash the upload: " + sigs.status().message(),
                                "content");
      }
      cr.signals = std::move(sigs.value());
      cr.content_id = std::string(req.query_param("content_id").value_or(""));
      if (cr.content_id.size() > 256) {
        return http::json_error(res, 400, "invalid_parameter", "content_id must be at most 256 bytes", "content_id");
      }
      cr.banks = split_list(req.query_param("banks").value_or(""));
      if (auto act = req.query_param("act")) {
        if (*act == "false" || *act == "0") {
          cr.act = false;
        } else if (*act != "true" && *act != "1") {
          return http::json_error(res, 400, "invalid_parameter", "act must be true or false", "act");
        }
      }
    }
    auto r = pipeline::process(engine, cr);
    if (!r.ok()) return send_status(res, r.status(), "banks");
    Json sigs = Json::array();
    Json matches = Json::array();
    for (size_t i = 0; i < r.value().signals.size(); ++i) {
      sigs.push_back(signal_json(r.value().signals[i]));
      for (const auto& m : r.value().matches[i]) {
        Json mj = pipeline::match_json(m);
        mj["query_signal_type"] = store::signal_type_name(r.value().signals[i].type);
        matches.push_back(std::move(mj));
      }
    }
    Json rules = Json::array();
    for (const auto& rule : r.value().verdict.fired) {
      rules.push_back({{"id", rule.id}, {"name", rule.name}, {"action", store::action_name(rule.action)}});
    }
    Json out = {{"content_id", cr.content_id},
                {"signals", sigs},
                {"matches", matches},
                {"outcome", r.value().verdict.outcome},
                {"rules", rules}};
    out["decision_id"] = r.value().decision ? Json(r.value().decision->id) : Json(nullptr);
    if (!r.value().verdict.quarantined_banks.empty()) out["quarantined_banks"] = r.value().verdict.quarantined_banks;
    const bool wants_case = std::any_of(r.value().verdict.fired.begin(), r.value().verdict.fired.end(),
                                        [](const store::Rule& x) { return x.action == store::ActionKind::kCase; });
    if (!wants_case || !r.value().decision || cases == nullptr) {
      if (wants_case) out["case_id"] = nullptr;  // reports and cases are off on this server
      return send_json(res, 200, out);
    }
    // A rule asked for a case: the answer waits until the case report is
    // committed (it joins an open case of the same picture, or opens one),
    // so an acknowledged decision never lacks its case.
    store::NewReport detection = detection_report(r.value(), r.value().decision->id);
    res.defer = [this, detection = std::move(detection), out = std::move(out),
                 &res](std::function<void()> resume) mutable {
      cases->submit(std::move(detection), "", "",
                    [&res, out = std::move(out), resume = std::move(resume)](Result<store::IntakeResult> got) mutable {
                      if (got.ok()) {
                        out["case_id"] = got.value().case_id;
                        send_json(res, 200, out);
                      } else {
                        http::json_error(
                            res, 503, "unavailable",
                            "the decision is recorded but its case could not be opened: " + got.status().message());
                      }
                      resume();
                    });
    };
  });
}

}  // namespace chainbreak::api
