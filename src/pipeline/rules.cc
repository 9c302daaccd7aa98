#include "pipeline/rules.h"

#include <algorithm>

namespace chainbreak::pipeline {

namespace {

bool qualifies(const store::Rule& r, const banks::Match& m) {
  if (m.allowlist || m.suppressed) return false;
  if (!r.bank.empty() && r.bank != m.bank) return false;
  if (!r.classification.empty() && r.classification != m.entry.classification) return false;
  return m.distance <= r.max_distance;
}

const char* outcome_of(store::ActionKind a) {
  switch (a) {
    case store::ActionKind::kBlock: return "block";
    case store::ActionKind::kHold: return "hold";
    case store::ActionKind::kReview:
    case store::ActionKind::kCase: return "review";
    case store::ActionKind::kWebhook:
    case store::ActionKind::kRecord: return "allow";
  }
  return "allow";
}

}  // namespace

int outcome_rank(std::string_view outcome) {
  if (outcome == "block") return 3;
  if (outcome == "hold") return 2;
  if (outcome == "review") return 1;
  return 0;
}

Verdict evaluate(std::span<const store::Rule> rules, std::span<const banks::Match> matches) {
  Verdict v;
  for (const store::Rule& r : rules) {
    if (!r.enabled) continue;
    bool fires = false;
    for (const banks::Match& m : matches) {
      if (!qualifies(r, m)) continue;
      if (m.quarantined) {
        v.quarantined_banks.push_back(m.bank);
        continue;
      }
      fires = true;
    }
    if (!fires) continue;
    v.fired.push_back(r);
    const char* o = outcome_of(r.action);
    if (outcome_rank(o) > outcome_rank(v.outcome)) v.outcome = o;
  }
  std::sort(v.fired.begin(), v.fired.end(), [](const store::Rule& a, const store::Rule& b) {
    return a.priority != b.priority ? a.priority > b.priority : a.id < b.id;
  });
  std::sort(v.quarantined_banks.begin(), v.quarantined_banks.end());
  v.quarantined_banks.erase(std::unique(v.quarantined_banks.begin(), v.quarantined_banks.end()),
                            v.quarantined_banks.end());
  return v;
}

}  // namespace chainbreak::pipeline
