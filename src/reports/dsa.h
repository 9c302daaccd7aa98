// EU Digital Services Act statements of reasons for the Commission's DSA
// Transparency Database (POST /api/v1/statement, JSON body), built from a
// decision record (store::Decision). Field names and enum values follow the
// database's StatementStoreRequest rules (digital-services-act/
// transparency-database); docs/FORMATS.md ("DSA statements of reasons")
// maps each field to its source.
//
// Pure functions; thread-safe. Errors: kInvalidInput whose message starts
// with the field ("puid: ...", "decision_facts: ...") or, when the decision
// cannot yield a statement, "decision <id>: ...".
#pragma once

#include <string>
#include <vector>

#include "store/service_store.h"
#include "util/result.h"

namespace chainbreak::reports::dsa {

// One statement. Empty strings / vectors are left out of the JSON.
struct Statement {
  std::vector<std::string> decision_visibility;  // DECISION_VISIBILITY_*
  std::string decision_account;                  // DECISION_ACCOUNT_* or ""
  std::string decision_ground = "DECISION_GROUND_ILLEGAL_CONTENT";
  std::string illegal_content_legal_ground;  // required for ILLEGAL_CONTENT, <= 500
  std::string illegal_content_explanation;   // required for ILLEGAL_CONTENT, <= 2000
  std::vector<std::string> content_type;     // CONTENT_TYPE_*, at least one
  std::string category = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS";
  std::vector<std::string> category_specification;  // KEYWORD_*
  std::vector<std::string> territorial_scope;       // EU/EEA ISO 3166 alpha-2
  std::string content_language;                     // ISO 639-1 upper case or ""
  std::string content_date;                         // YYYY-MM-DD, 2000-01-01..2038-01-01
  std::string application_date;                     // YYYY-MM-DD, 2020-01-01..2038-01-01
  std::string decision_facts;                       // required, <= 5000 characters
  std::string source_type;                          // SOURCE_*
  std::string source_identity;                      // <= 500; must be "" for SOURCE_VOLUNTARY
  std::string automated_detection;                  // "Yes" or "No"
  std::string automated_decision;                   // AUTOMATED_DECISION_{FULLY,PARTIALLY,NOT_AUTOMATED}
  std::string puid;                                 // [A-Za-z0-9_-]{1,500}
};

// Checks a statement against the database's rules (enum values, required
// fields, lengths in characters, date formats and ranges, at least one
// decision_* restriction, puid pattern).
Status validate(const Statement& s);
// The JSON body: an object with the non-empty fields, keys in the order of
// the struct.
std::string to_json(const Statement& s);

struct Options {
  std::string puid_prefix = "chainbreak-decision-";  // puid = prefix + decision id
  std::vector<std::string> content_type = {"CONTENT_TYPE_IMAGE"};
  std::vector<std::string> territorial_scope;  // e.g. the EU 27; empty = not stated
  std::string source_type = "SOURCE_VOLUNTARY";
  std::string source_identity;
  bool human_reviewed = false;  // a person confirmed the automated decision
  // block -> DECISION_VISIBILITY_CONTENT_REMOVED when true, else _DISABLED.
  bool block_removes = true;
  // "" = derived from the matches' classifications (grooming -> GROOMING,
  // deepfake/synthetic/generative -> CSAM_DEEPFAKE, else CSAM).
  std::string category_specification;
  std::string legal_ground =
      "Directive 2011/93/EU, Article 5 (offences concerning child sexual abuse material), "
      "as transposed into national law";
  std::string explanation;   // "" = a standard explanation of hash matching
  std::string content_date;  // "" = the decision's date (the upload date is not in the record)
  std::string content_language;
};

// The statement for decision d: visibility from the outcome (block ->
// removed or disabled, hold -> disabled; review and allow restrict nothing
// and give kInvalidInput), automated_detection "Yes" when the decision
// holds a hash match or was automated, automated_decision fully (automated,
// not reviewed), partially (automated, reviewed by a person) or not
// automated, application_date from d.time_us (UTC), decision_facts from
// the matches and rules (no hash values), cut to 5000 characters. The
// result is validated before it is returned.
Result<Statement> statement_from_decision(const store::Decision& d, const Options& options);

}  // namespace chainbreak::reports::dsa
