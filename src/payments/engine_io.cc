// Decision JSON, redress events, statistics and snapshots of the Screener.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "payments/engine_impl.h"

namespace chainbreak::payments {

namespace {
void json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      static const char* kHex = "0123456789abcdef";
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}
void json_int(std::string& out, int64_t v) {
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  out.append(buf, static_cast<size_t>(n));
}
void json_value(std::string& out, const ReasonValue& v) {
  switch (feature_info(v.feature).kind) {
    case Kind::kMoney: append_amount(out, v.value); break;
    case Kind::kInt: json_int(out, v.value); break;
    case Kind::kBool: out.append(v.value ? "true" : "false"); break;
    case Kind::kChannel: json_string(out, channel_name(static_cast<Channel>(v.value))); break;
    case Kind::kCountry: json_string(out, country_text(static_cast<uint16_t>(v.value))); break;
    case Kind::kAgeBand: json_string(out, age_band_name(static_cast<AgeBand>(v.value))); break;
    case Kind::kString: json_string(out, v.text); break;
    case Kind::kMemo: {
      std::string_view t = v.text;
      while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
      while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
      json_string(out, t);
      break;
    }
  }
}
}  // namespace

void Screener::append_json(const Decision& d, std::string& out) const {
  const RuleSet& rs = impl_->rules;
  out.append("{\"id\":");
  json_string(out, d.id);
  out.append(",\"decision\":\"");
  out.append(outcome_name(d.outcome));
  out.append("\",\"score\":");
  json_int(out, d.score);
  out.append(",\"reasons\":[");
  bool first = true;
  if (d.list != ListHit::kNone) {
    static const char* const kList[] = {"", "red", "amber", "green"};
    const char* name = kList[static_cast<int>(d.list)];
    out.append("{\"rule\":\"list.");
    out.append(name);
    out.append("\",\"typology\":\"entity_list\",\"weight\":0,\"source\":\"entity list\",\"reason\":\"");
    out.append(d.list == ListHit::kGreen ? "green-listed entity: rule-based hold lifted" : "entity on the ");
    if (d.list != ListHit::kGreen) {
      out.append(name);
      out.append(" list");
    }
    out.append("\",\"values\":{\"entity\":");
    json_string(out, d.list_entity);
    out.append("}}");
    first = false;
  }
  for (const FiredRule& f : d.fired) {
    const Rule& r = rs.rules[f.rule];
    if (!first) out.push_back(',');
    first = false;
    out.append("{\"rule\":");
    json_string(out, r.id);
    out.append(",\"typology\":");
    json_string(out, r.typology_id);
    out.append(",\"weight\":");
    json_int(out, r.weight);
    out.append(",\"source\":");
    json_string(out, r.source);
    out.append(",\"reason\":");
    json_string(out, r.reason);
    out.append(",\"values\":{");
    for (uint32_t i = 0; i < f.n_values; ++i) {
      const ReasonValue& v = d.values[f.first_value + i];
      // A feature read twice by one rule (a range as two conditions) prints once.
      bool dup = false;
      for (uint32_t j = 0; j < i; ++j) dup |= d.values[f.first_value + j].feature == v.feature;
      if (dup) continue;
      if (i) out.push_back(',');
      json_string(out, feature_info(v.feature).name);
      out.push_back(':');
      json_value(out, v);
    }
    out.append("}}");
  }
  out.push_back(']');
  if (!d.snoozed.empty()) {
    out.append(",\"snoozed\":[");
    for (size_t i = 0; i < d.snoozed.size(); ++i) {
      if (i) out.push_back(',');
      json_string(out, rs.rules[d.snoozed[i]].id);
    }
    out.push_back(']');
  }
  out.push_back('}');
}

void Screener::append_error_json(bool has_id, std::string_view id, uint64_t line, const FieldError& err,
                                 std::string& out) {
  out.append("{\"id\":");
  if (has_id)
    json_string(out, id);
  else
    out.append("null");
  out.append(",\"decision\":\"error\",\"line\":");
  json_int(out, static_cast<int64_t>(line));
  out.append(",\"error\":{\"field\":");
  if (err.field.empty())
    out.append("null");
  else
    json_string(out, err.field);
  out.append(",\"message\":");
  json_string(out, err.message);
  out.append("}}");
}

// --- redress -----------------------------------------------------------------

namespace {
const char* const kKindNames[] = {"release", "confirm", "appeal", "snooze", "green"};
const char* const kAppealNames[] = {"pending", "upheld", "reversed"};
}  // namespace

std::string redress_to_json(const RedressEvent& e) {
  nlohmann::json j;
  j["event"] = kKindNames[static_cast<int>(e.kind)];
  j["at"] = e.at;
  if (!e.tx_id.empty()) j["tx"] = e.tx_id;
  if (e.kind == RedressEvent::Kind::kAppeal) j["outcome"] = kAppealNames[static_cast<int>(e.appeal)];
  if (!e.rule.empty()) j["rule"] = e.rule;
  if (!e.entity.empty()) j["entity"] = e.entity;
  if (e.kind == RedressEvent::Kind::kSnooze) j["until"] = e.until;
  if (e.kind == RedressEvent::Kind::kGreen) j["on"] = e.on;
  if (!e.actor.empty()) j["actor"] = e.actor;
  if (!e.note.empty()) j["note"] = e.note;
  return j.dump();
}

Result<RedressEvent> redress_from_json(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidInput("redress event is not a JSON object");
  RedressEvent e;
  std::string kind = j.value("event", "");
  auto k = std::find(std::begin(kKindNames), std::end(kKindNames), kind);
  if (k == std::end(kKindNames)) return InvalidInput("unknown redress event '" + kind + "'");
  e.kind = static_cast<RedressEvent::Kind>(k - std::begin(kKindNames));
  if (!j.contains("at") || !j["at"].is_number_integer()) return InvalidInput("redress event without 'at'");
  e.at = j["at"].get<int64_t>();
  e.tx_id = j.value("tx", "");
  std::string outcome = j.value("outcome", "pending");
  auto a = std::find(std::begin(kAppealNames), std::end(kAppealNames), outcome);
  if (a == std::end(kAppealNames)) return InvalidInput("unknown appeal outcome '" + outcome + "'");
  e.appeal = static_cast<RedressEvent::Appeal>(a - std::begin(kAppealNames));
  e.rule = j.value("rule", "");
  e.entity = j.value("entity", "");
  e.until = j.value("until", int64_t{0});
  e.on = j.value("on", true);
  e.actor = j.value("actor", "");
  e.note = j.value("note", "");
  return e;
}

Status Screener::apply(const RedressEvent& e) {
  Impl& m = *impl_;
  using K = RedressEvent::Kind;
  if (e.kind == K::kSnooze || e.kind == K::kGreen) {
    if (e.entity.empty()) return InvalidInput("entity is empty");
    uint32_t ent = m.account(e.entity);
    if (e.kind == K::kGreen) {
      if (e.on)
        m.accounts[ent].flags |= kGreenRuntime;
      else
        m.accounts[ent].flags &= static_cast<uint8_t>(~kGreenRuntime);
      return Status::Ok();
    }
    if (m.rule_names.find(e.rule) == Interner::kNone) return InvalidInput("unknown rule '" + e.rule + "'");
    m.snoozes.get(pair_key(ent, m.name_id(e.rule))) = e.until;
    m.accounts[ent].flags |= kHasSnooze;
    return Status::Ok();
  }
  auto it = m.holds.find(e.tx_id);
  if (it == m.holds.end()) return InvalidInput("no hold or block for transaction '" + e.tx_id + "'");
  HoldRecord& h = it->second;
  auto release = [&] {
    for (uint32_t r : h.rule_names) {
      ++m.counters[r].released;
      if (m.rules.settings.release_snooze_s > 0) {
        int64_t& until = m.snoozes.get(pair_key(h.payer, r));
        until = std::max(until, e.at + m.rules.settings.release_snooze_s);
        m.accounts[h.payer].flags |= kHasSnooze;
      }
    }
    h.status = HoldRecord::kReleased;
    m.release_seconds.push_back(e.at - h.time);
  };
  switch (e.kind) {
    case K::kRelease:
      if (h.status != HoldRecord::kOpen) return InvalidInput("transaction '" + e.tx_id + "' is not an open hold");
      release();
      return Status::Ok();
    case K::kConfirm:
      if (h.status != HoldRecord::kOpen) return InvalidInput("transaction '" + e.tx_id + "' is not an open hold");
      for (uint32_t r : h.rule_names) ++m.counters[r].confirmed;
      h.status = HoldRecord::kConfirmed;
      return Status::Ok();
    case K::kAppeal:
      if (h.outcome != Outcome::kBlock) return InvalidInput("transaction '" + e.tx_id + "' was not blocked");
      if (h.status != HoldRecord::kOpen && h.status != HoldRecord::kAppealed)
        return InvalidInput("transaction '" + e.tx_id + "' has been decided already");
      if (e.appeal == RedressEvent::Appeal::kPending) {
        h.status = HoldRecord::kAppealed;
      } else if (e.appeal == RedressEvent::Appeal::kUpheld) {
        for (uint32_t r : h.rule_names) ++m.counters[r].confirmed;
        h.status = HoldRecord::kUpheld;
      } else {
        release();
      }
      return Status::Ok();
    default: return Internal("unreachable");
  }
}

Stats Screener::stats() const {
  const Impl& m = *impl_;
  Stats s;
  s.screened = m.screened, s.held = m.held, s.blocked = m.blocked;
  for (const auto& [id, h] : m.holds) {
    if (h.status == HoldRecord::kOpen || h.status == HoldRecord::kAppealed) ++s.open_holds;
    if (h.status == HoldRecord::kReleased) ++s.released;
    if (h.status == HoldRecord::kConfirmed || h.status == HoldRecord::kUpheld) ++s.confirmed;
    if (h.status == HoldRecord::kAppealed || h.status == HoldRecord::kUpheld) ++s.appeals;
  }
  for (uint32_t i = 0; i < m.rule_names.size(); ++i) {
    const Counters& c = m.counters[i];
    s.rules.push_back({std::string(m.rule_names.name(i)), c.fired, c.held, c.released, c.confirmed, c.snoozed});
  }
  std::sort(s.rules.begin(), s.rules.end(), [](const RuleStats& a, const RuleStats& b) { return a.rule < b.rule; });
  s.release_seconds = m.release_seconds;
  if (!s.release_seconds.empty()) {
    std::vector<int64_t> v = s.release_seconds;
    std::sort(v.begin(), v.end());
    s.median_release_seconds = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
  return s;
}

}  // namespace chainbreak::payments
