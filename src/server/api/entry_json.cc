#include "server/api/entry_json.h"

#include "pipeline/pipeline.h"

namespace chainbreak::api {

namespace {
bool bad(http::Response& res, const std::string& field, const std::string& what) {
  http::json_error(res, 400, "invalid_field", field + " " + what, field);
  return false;
}
}  // namespace

Json entry_json(const store::Entry& e) {
  Json j = {{"id", e.id},
            {"bank_id", e.bank_id},
            {"signal_type", store::signal_type_name(e.type)},
            {"signal", e.value},
            {"external_id", e.external_id},
            {"source_org", e.source_org},
            {"classification", e.classification},
            {"legal_basis", e.legal_basis},
            {"added_at", e.added_at},
            {"expires_at", e.expires_at},
            {"confidence", e.confidence},
            {"up_votes", e.up_votes},
            {"down_votes", e.down_votes},
            {"disabled", e.disabled},
            {"removed", e.removed}};
  if (e.removed) j["removed_at"] = e.removed_at;
  if (!e.metadata_json.empty()) {
    Json m = Json::parse(e.metadata_json, nullptr, false);
    if (!m.is_discarded()) j["metadata"] = m;
  }
  return j;
}

Json rule_json(const store::Rule& r) {
  Json j = {{"id", r.id},
            {"name", r.name},
            {"bank", r.bank},
            {"classification", r.classification},
            {"max_distance", r.max_distance},
            {"action", store::action_name(r.action)},
            {"enabled", r.enabled},
            {"priority", r.priority},
            {"created_at", r.created_at}};
  if (r.action == store::ActionKind::kWebhook) {
    j["webhook_url"] = r.webhook_url;
    j["webhook_signed"] = !r.webhook_secret.empty();  // the secret is never returned
  }
  return j;
}

bool entry_from_json(const Json& j, const std::string& where, store::Entry* e, http::Response& res) {
  if (!j.is_object()) return bad(res, where, "must be an object");
  if (!j.contains("signal") || !j["signal"].is_string()) return bad(res, where + ".signal", "is required (hex string)");
  std::string type = "pdq";
  if (j.contains("signal_type")) {
    if (!j["signal_type"].is_string()) return bad(res, where + ".signal_type", "must be a string");
    type = j["signal_type"].get<std::string>();
  }
  auto sig = pipeline::parse_signal(type, j["signal"].get<std::string>());
  if (!sig.ok()) {
    bool t = sig.status().message().rfind("unknown signal_type", 0) == 0;
    http::json_error(res, 400, "invalid_signal", sig.status().message(), where + (t ? ".signal_type" : ".signal"));
    return false;
  }
  e->type = sig.value().type;
  e->value = sig.value().hex;
  for (const auto& [k, v] : j.items()) {
    std::string f = where + "." + k;
    if (k == "signal" || k == "signal_type") continue;
    if (k == "external_id" || k == "source_org" || k == "classification" || k == "legal_basis") {
      if (!v.is_string()) return bad(res, f, "must be a string");
      std::string s = v.get<std::string>();
      if (k == "external_id") e->external_id = s;
      if (k == "source_org") e->source_org = s;
      if (k == "classification") e->classification = s;
      if (k == "legal_basis") e->legal_basis = s;
    } else if (k == "expires_at" || k == "added_at") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0) return bad(res, f, "must be unix seconds >= 0");
      (k == "expires_at" ? e->expires_at : e->added_at) = v.get<int64_t>();
    } else if (k == "confidence") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) return bad(res, f, "must be a number 0..1");
      e->confidence = v.get<double>();
    } else if (k == "disabled") {
      if (!v.is_boolean()) return bad(res, f, "must be true or false");
      e->disabled = v.get<bool>();
    } else if (k == "metadata") {
      if (!v.is_object()) return bad(res, f, "must be an object");
      e->metadata_json = v.dump();
    } else {
      http::json_error(res, 400, "unknown_field", "unknown field '" + k + "'", f);
      return false;
    }
  }
  return true;
}

bool rule_from_json(const Json& j, store::Rule* r, http::Response& res) {
  for (const auto& [k, v] : j.items()) {
    if (k == "name" || k == "bank" || k == "classification" || k == "webhook_url" || k == "webhook_secret") {
      if (!v.is_string()) return bad(res, k, "must be a string");
      std::string s = v.get<std::string>();
      if (k == "name") r->name = s;
      if (k == "bank") r->bank = s;
      if (k == "classification") r->classification = s;
      if (k == "webhook_url") r->webhook_url = s;
      if (k == "webhook_secret") r->webhook_secret = s;
    } else if (k == "action") {
      auto a = v.is_string() ? store::parse_action(v.get<std::string>()) : std::nullopt;
      if (!a) return bad(res, k, "must be one of block, hold, review, case, webhook, record");
      r->action = *a;
    } else if (k == "max_distance") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 256) {
        return bad(res, k, "must be an integer from 0 to 256");
      }
      r->max_distance = v.get<int>();
    } else if (k == "enabled") {
      if (!v.is_boolean()) return bad(res, k, "must be true or false");
      r->enabled = v.get<bool>();
    } else if (k == "priority") {
      if (!v.is_number_integer() || v.get<int64_t>() < -1000000 || v.get<int64_t>() > 1000000) {
        return bad(res, k, "must be an integer");
      }
      r->priority = v.get<int>();
    } else {
      http::json_error(res, 400, "unknown_field", "unknown field '" + k + "'", k);
      return false;
    }
  }
  return true;
}

}  // namespace chainbreak::api
