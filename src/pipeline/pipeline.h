// The hash -> match -> act pipeline for one piece of content: match every
// signal, evaluate the action rules, and when a rule fires write one
// decision record (with its webhook deliveries, atomically) that later
// reports, transparency counters and appeals read.
//
// Privacy: content that matches nothing leaves no record; only the signals
// (hashes) of acted-on content are kept, never the content.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/engine.h"
#include "pipeline/rules.h"

namespace chainbreak::pipeline {

struct Signal {
  store::SignalType type = store::SignalType::kPdq;
  std::string hex;   // lowercase, validated
  int quality = -1;  // PDQ quality when hashed here, -1 when given
};

// Parses a signal given as (type name, value); kInvalidInput naming what is
// wrong ("unknown signal_type 'x'", "pdq signal must be 64 hex digits").
Result<Signal> parse_signal(std::string_view type, std::string_view value);

struct ContentRequest {
  std::string content_id;          // caller's id, may be ""
  std::vector<Signal> signals;     // at least one
  std::vector<std::string> banks;  // restrict to these banks ("" = all)
  std::string actor;               // token name
  bool act = true;                 // false: evaluate, write nothing
};

struct ContentResult {
  std::vector<Signal> signals;
  std::vector<std::vector<banks::Match>> matches;  // per signal
  Verdict verdict;
  std::optional<store::Decision> decision;  // when a rule fired and act
};

// Errors: unknown bank names (kInvalidInput), store errors (kIo).
Result<ContentResult> process(Engine& engine, const ContentRequest& request);

// JSON of one match as the API returns it and decisions record it.
nlohmann::json match_json(const banks::Match& m);
// JSON of a decision record (the stored JSON fields parsed back).
nlohmann::json decision_json(const store::Decision& d);

}  // namespace chainbreak::pipeline
