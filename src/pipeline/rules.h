// Rules -> outcome: which action rules fire on a set of matches, and the
// outcome they add up to. Pure functions (no I/O), so the service, the CLI
// and the tests share one definition.
//
// A rule fires when it is enabled and at least one match qualifies: the
// match is not on an allowlist bank, not suppressed by an allowlist match,
// not on a quarantined bank, is on the rule's bank (any when ""), has the
// rule's classification (any when ""), and distance <= max_distance.
// Outcome: "block" when a block rule fired, else "hold" for hold, else
// "review" for review or case, else "allow" (record and webhook rules leave
// the content allowed but still produce a decision record).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "banks/bank_set.h"
#include "store/service_store.h"

namespace chainbreak::pipeline {

struct Verdict {
  std::string outcome = "allow";
  // Copies of the rules that fired, highest priority first (then id).
  std::vector<store::Rule> fired;
  // Names of quarantined banks that had qualifying matches (no action taken
  // on them), sorted, unique.
  std::vector<std::string> quarantined_banks;
  // True when a decision record must be written (some rule fired).
  bool acted() const { return !fired.empty(); }
};

// Evaluates rules against matches. Rules need not be sorted.
Verdict evaluate(std::span<const store::Rule> rules, std::span<const banks::Match> matches);

// Rank of an outcome: allow 0, review 1, hold 2, block 3 (unknown: 0).
int outcome_rank(std::string_view outcome);

}  // namespace chainbreak::pipeline
