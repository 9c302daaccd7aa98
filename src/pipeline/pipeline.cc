#include "pipeline/pipeline.h"

#include <algorithm>

#include "banks/hex.h"

namespace chainbreak::pipeline {

namespace {

size_t hex_len(store::SignalType t) {
  switch (t) {
    case store::SignalType::kPdq: return 64;
    case store::SignalType::kMd5: return 32;
    case store::SignalType::kSha1: return 40;
    case store::SignalType::kSha256: return 64;
  }
  return 0;
}

nlohmann::json parse_or(const std::string& text, nlohmann::json fallback) {
  if (text.empty()) return fallback;
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

}  // namespace

Result<Signal> parse_signal(std::string_view type, std::string_view value) {
  auto t = store::parse_signal_type(type);
  if (!t) return InvalidInput("unknown signal_type '" + std::string(type) + "' (pdq, md5, sha1 or sha256)");
  Signal s;
  s.type = *t;
  size_t n = hex_len(*t);
  if (value.size() != n) {
    return InvalidInput(std::string(store::signal_type_name(*t)) + " signal must be " + std::to_string(n) +
                        " hex digits, got " + std::to_string(value.size()) + " characters");
  }
  s.hex.reserve(n);
  for (char c : value) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return InvalidInput(std::string(store::signal_type_name(*t)) + " signal has a non-hex character");
    }
    s.hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

nlohmann::json match_json(const banks::Match& m) {
  nlohmann::json j = {{"bank", m.bank},
                      {"bank_content_id", m.entry_id},
                      {"distance", m.distance},
                      {"signal_type", store::signal_type_name(m.entry.type)},
                      {"signal", m.entry.value},
                      {"classification", m.entry.classification},
                      {"source_org", m.entry.source_org},
                      {"external_id", m.entry.external_id},
                      {"allowlist", m.allowlist},
                      {"suppressed", m.suppressed},
                      {"quarantined", m.quarantined}};
  return j;
}

nlohmann::json decision_json(const store::Decision& d) {
  return {{"id", d.id},
          {"time_us", d.time_us},
          {"content_id", d.content_id},
          {"outcome", d.outcome},
          {"signals", parse_or(d.signals_json, nlohmann::json::array())},
          {"matches", parse_or(d.matches_json, nlohmann::json::array())},
          {"rules", parse_or(d.rules_json, nlohmann::json::array())},
          {"automated", d.automated},
          {"actor", d.actor},
          {"detail", parse_or(d.detail_json, nlohmann::json::object())}};
}

Result<ContentResult> process(Engine& engine, const ContentRequest& req) {
  ContentResult out;
  out.signals = req.signals;
  std::vector<banks::Match> all;
  for (const Signal& s : req.signals) {
    Result<std::vector<banks::Match>> r = Status(ErrorCode::kInternal, "unset");
    if (s.type == store::SignalType::kPdq) {
      auto h = pdq::Hash256::from_hex(s.hex);
      if (!h.ok()) return h.status();
      r = engine.match_pdq(h.value(), req.banks, std::nullopt);
    } else {
      std::vector<uint8_t> bytes = banks::hex_bytes(s.hex);
      if (bytes.empty()) return InvalidInput("signal is not valid hex");
      r = engine.match_exact(s.type, bytes, req.banks);
    }
    if (!r.ok()) return r.status();
    all.insert(all.end(), r.value().begin(), r.value().end());
    out.matches.push_back(std::move(r.value()));
  }
  // Allowlist suppression across signals: an allowlist match of any signal
  // of this content suppresses the others.
  if (std::any_of(all.begin(), all.end(), [](const banks::Match& m) { return m.allowlist; })) {
    for (auto& m : all) m.suppressed = m.suppressed || !m.allowlist;
    for (auto& per : out.matches) {
      for (auto& m : per) m.suppressed = m.suppressed || !m.allowlist;
    }
  }
  auto rules = engine.rules();
  out.verdict = evaluate(*rules, all);
  if (!out.verdict.acted() || !req.act) return out;

  nlohmann::json signals = nlohmann::json::array();
  for (const Signal& s : req.signals) {
    nlohmann::json sj = {{"signal_type", store::signal_type_name(s.type)}, {"signal", s.hex}};
    if (s.quality >= 0) sj["quality"] = s.quality;
    signals.push_back(std::move(sj));
  }
  nlohmann::json matches = nlohmann::json::array();
  for (const auto& m : all) matches.push_back(match_json(m));
  nlohmann::json fired = nlohmann::json::array();
  for (const auto& r : out.verdict.fired) {
    fired.push_back({{"id", r.id}, {"name", r.name}, {"action", store::action_name(r.action)}});
  }
  store::Decision d;
  d.content_id = req.content_id;
  d.outcome = out.verdict.outcome;
  d.signals_json = signals.dump();
  d.matches_json = matches.dump();
  d.rules_json = fired.dump();
  d.automated = true;
  d.actor = req.actor;
  nlohmann::json detail = nlohmann::json::object();
  if (!out.verdict.quarantined_banks.empty()) detail["quarantined_banks"] = out.verdict.quarantined_banks;
  for (const auto& r : out.verdict.fired) {
    if (r.action == store::ActionKind::kCase) detail["case_requested"] = true;
  }
  d.detail_json = detail.empty() ? "" : detail.dump();

  // The webhook body is the decision itself; its id and time are known only
  // after the insert, so the body carries the content and the verdict and
  // the receiver fetches the record by X-Chainbreak-Delivery when needed.
  std::vector<store::WebhookDelivery> deliveries;
  for (const auto& r : out.verdict.fired) {
    if (r.action != store::ActionKind::kWebhook) continue;
    store::WebhookDelivery w;
    w.rule_id = r.id;
    w.url = r.webhook_url;
    w.secret = r.webhook_secret;
    nlohmann::json body = {{"event", "decision"},
                           {"content_id", d.content_id},
                           {"outcome", d.outcome},
                           {"signals", signals},
                           {"matches", matches},
                           {"rules", fired},
                           {"rule", {{"id", r.id}, {"name", r.name}}}};
    w.body = body.dump();
    deliveries.push_back(std::move(w));
  }
  auto sv = engine.service();
  if (!sv.ok()) return sv.status();
  auto stored = sv.value()->insert_decision(d, deliveries);
  if (!stored.ok()) return stored.status();
  engine.counters().decisions++;
  out.decision = std::move(stored.value());
  return out;
}

}  // namespace chainbreak::pipeline
