// The rules file (docs/PAYMENTS.md, "Rules file"): version 1, settings,
// named lists, red/amber/green entity lists, typologies with alert, hold and
// block thresholds, and rules whose conditions read the feature catalogue
// (features.h). Loading validates everything and compiles the conditions to
// one flat vector of (feature, op, constant) for the engine.
//
// Errors: kInvalidInput "FILE:LINE:COLUMN: message" (1-based) for a YAML
// syntax error, unsupported version, unknown key, feature, operator, list or
// typology, an operand of the wrong type, a duplicate id, or thresholds out
// of order; kIo when the file cannot be read.
// Thread-safety: a loaded RuleSet is immutable and may be shared.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "payments/features.h"
#include "util/result.h"

namespace chainbreak::payments {

enum class Op : uint8_t { kEq, kNe, kIn, kNotIn, kInList, kLt, kLe, kGt, kGe, kBetween };
const char* op_name(Op op);

struct Condition {
  F feature = F::kAmount;
  Op op = Op::kEq;
  int64_t a = 0, b = 0;  // the constant(s) for numeric kinds (between: a..b inclusive)
  uint32_t set = 0;      // in/not_in/in_list: index into int_sets, str_sets or term_sets by kind
};

struct Rule {
  std::string id, typology_id, source, reason;
  int weight = 0;
  int typology = 0;               // index into RuleSet::typologies
  uint32_t first = 0, count = 0;  // conditions [first, first + count) of RuleSet::conds
};

struct Typology {
  std::string id, name;
  int alert = 0, hold = 0, block = 0;  // 0 < alert <= hold <= block
};

struct Settings {
  int night_start_hour = 23, night_end_hour = 5;             // night: local hour >= start or < end
  int64_t round_unit = 10 * 10000;                           // tx.round_amount: a whole multiple of this (1e-4 units)
  int mule_min_payers = 3;                                   // payer.mule: distinct payers within the window
  int64_t mule_window_s = 86400;                             // <= kLongWindow (7 days)
  int64_t release_snooze_s = 30 * 86400;                     // a released rule's snooze for that payer
  std::unordered_map<uint16_t, int32_t> utc_offset_minutes;  // payer country -> offset; absent = UTC
};

struct RuleSet {
  std::string text;    // the source, as given (journaled with the decisions)
  std::string origin;  // file name used in messages
  Settings settings;
  std::vector<Typology> typologies;
  std::vector<Rule> rules;
  std::vector<Condition> conds;
  std::vector<std::vector<int64_t>> int_sets;       // sorted
  std::vector<std::vector<std::string>> str_sets;   // sorted
  std::vector<std::vector<std::string>> term_sets;  // normalised memo terms (" please stop ")
  std::vector<std::string> red, amber, green;       // entity ids (accounts or wallets)
  uint32_t groups_used = 0;                         // bit per Group read by some condition
};

// Parses and validates rules text; origin names it in messages.
Result<RuleSet> parse_rules(std::string_view text, std::string_view origin);
// Reads and parses a file.
Result<RuleSet> load_rules_file(const std::string& path);
// rules/payments.yaml as it was at build time (compiled in).
extern const char* const kDefaultRulesYaml;

}  // namespace chainbreak::payments
