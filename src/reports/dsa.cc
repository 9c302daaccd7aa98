#include "reports/dsa.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "reports/cybertip.h"

namespace chainbreak::reports::dsa {
namespace {

using json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 7> kVisibility = {"DECISION_VISIBILITY_CONTENT_REMOVED",
                                                         "DECISION_VISIBILITY_CONTENT_DISABLED",
                                                         "DECISION_VISIBILITY_CONTENT_DEMOTED",
                                                         "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
                                                         "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
                                                         "DECISION_VISIBILITY_CONTENT_LABELLED",
                                                         "DECISION_VISIBILITY_OTHER"};
constexpr std::array<std::string_view, 2> kAccount = {"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"};
constexpr std::array<std::string_view, 2> kGrounds = {"DECISION_GROUND_ILLEGAL_CONTENT",
                                                      "DECISION_GROUND_INCOMPATIBLE_CONTENT"};
constexpr std::array<std::string_view, 8> kContentTypes = {"CONTENT_TYPE_APP",
                                                           "CONTENT_TYPE_AUDIO",
                                                           "CONTENT_TYPE_IMAGE",
                                                           "CONTENT_TYPE_PRODUCT",
                                                           "CONTENT_TYPE_SYNTHETIC_MEDIA",
                                                           "CONTENT_TYPE_TEXT",
                                                           "CONTENT_TYPE_VIDEO",
                                                           "CONTENT_TYPE_OTHER"};
// The categories this project states; the database knows more (see the
// enum in Statement.php) but a child-safety tool files under these.
constexpr std::array<std::string_view, 1> kCategories = {"STATEMENT_CATEGORY_PROTECTION_OF_MINORS"};
constexpr std::array<std::string_view, 5> kMinorsKeywords = {
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE", "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
    "KEYWORD_UNSAFE_CHALLENGES"};
constexpr std::array<std::string_view, 30> kCountries = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
                                                         "FR", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU",
                                                         "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"};
constexpr std::array<std::string_view, 4> kSources = {"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER",
                                                      "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"};
constexpr std::array<std::string_view, 3> kAutomatedDecisions = {
    "AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// Characters (code points) of valid UTF-8; npos when not valid UTF-8.
size_t chars(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return std::string::npos;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return std::string::npos;
    i += len;
  }
  return n;
}

// The first `max` characters of s (s is valid UTF-8).
std::string cut_chars(const std::string& s, size_t max) {
  size_t i = 0;
  for (size_t n = 0; i < s.size() && n < max; ++n) {
    const auto c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  }
  return s.substr(0, std::min(i, s.size()));
}

Status field_error(std::string_view field, const std::string& why) {
  return InvalidInput(std::string(field) + ": " + why);
}

Status text(std::string_view field, const std::string& v, size_t max, bool required) {
  if (required && v.empty()) return field_error(field, "is required");
  const size_t n = chars(v);
  if (n == std::string::npos) return field_error(field, "is not valid UTF-8");
  if (n > max) return field_error(field, "is " + std::to_string(n) + " characters, over " + std::to_string(max));
  return Status::Ok();
}

Status date(std::string_view field, const std::string& v, std::string_view min, std::string_view max) {
  if (v.empty()) return field_error(field, "is required");
  if (!cybertip::is_date(v)) return field_error(field, "'" + v + "' is not a date YYYY-MM-DD");
  if (v < min || v > max) return field_error(field, v + " is outside " + std::string(min) + ".." + std::string(max));
  return Status::Ok();
}

template <size_t N>
Status enum_list(std::string_view field, const std::vector<std::string>& values,
                 const std::array<std::string_view, N>& allowed, bool required) {
  if (required && values.empty()) return field_error(field, "at least one value is required");
  std::set<std::string> seen;
  for (const std::string& v : values) {
    if (!one_of(allowed, v)) return field_error(field, "'" + v + "' is not an accepted value");
    if (!seen.insert(v).second) return field_error(field, "'" + v + "' appears twice");
  }
  return Status::Ok();
}

std::string utc_date(int64_t time_us) {
  const time_t t = static_cast<time_t>(time_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Status validate(const Statement& s) {
  if (Status st = enum_list("decision_visibility", s.decision_visibility, kVisibility, false); !st.ok()) return st;
  if (!s.decision_account.empty() && !one_of(kAccount, s.decision_account))
    return field_error("decision_account", "'" + s.decision_account + "' is not an accepted value");
  if (s.decision_visibility.empty() && s.decision_account.empty())
    return field_error("decision_visibility",
                       "a statement needs at least one restriction (decision_visibility or "
                       "decision_account here)");
  if (std::find(s.decision_visibility.begin(), s.decision_visibility.end(), "DECISION_VISIBILITY_OTHER") !=
      s.decision_visibility.end())
    return field_error("decision_visibility",
                       "DECISION_VISIBILITY_OTHER needs decision_visibility_other, not modelled");
  if (!one_of(kGrounds, s.decision_ground))
    return field_error("decision_ground",
                       "must be DECISION_GROUND_ILLEGAL_CONTENT or "
                       "DECISION_GROUND_INCOMPATIBLE_CONTENT");
  if (s.decision_ground != "DECISION_GROUND_ILLEGAL_CONTENT")
    return field_error("decision_ground", "only DECISION_GROUND_ILLEGAL_CONTENT is produced by chainbreak");
  if (Status st = text("illegal_content_legal_ground", s.illegal_content_legal_ground, 500, true); !st.ok()) return st;
  if (Status st = text("illegal_content_explanation", s.illegal_content_explanation, 2000, true); !st.ok()) return st;
  if (Status st = enum_list("content_type", s.content_type, kContentTypes, true); !st.ok()) return st;
  if (std::find(s.content_type.begin(), s.content_type.end(), "CONTENT_TYPE_OTHER") != s.content_type.end())
    return field_error("content_type", "CONTENT_TYPE_OTHER needs content_type_other, not modelled");
  if (!one_of(kCategories, s.category))
    return field_error("category", "must be STATEMENT_CATEGORY_PROTECTION_OF_MINORS");
  if (Status st = enum_list("category_specification", s.category_specification, kMinorsKeywords, false); !st.ok())
    return st;
  if (Status st = enum_list("territorial_scope", s.territorial_scope, kCountries, false); !st.ok()) return st;
  if (!s.content_language.empty() &&
      (s.content_language.size() != 2 || !std::isupper(static_cast<unsigned char>(s.content_language[0])) ||
       !std::isupper(static_cast<unsigned char>(s.content_language[1]))))
    return field_error("content_language", "must be an upper-case ISO 639-1 code such as EN");
  if (Status st = date("content_date", s.content_date, "2000-01-01", "2038-01-01"); !st.ok()) return st;
  if (Status st = date("application_date", s.application_date, "2020-01-01", "2038-01-01"); !st.ok()) return st;
  if (Status st = text("decision_facts", s.decision_facts, 5000, true); !st.ok()) return st;
  if (!one_of(kSources, s.source_type))
    return field_error("source_type",
                       "must be SOURCE_ARTICLE_16, SOURCE_TRUSTED_FLAGGER, "
                       "SOURCE_TYPE_OTHER_NOTIFICATION or SOURCE_VOLUNTARY");
  if (Status st = text("source_identity", s.source_identity, 500, false); !st.ok()) return st;
  if (s.source_type == "SOURCE_VOLUNTARY" && !s.source_identity.empty())
    return field_error("source_identity", "must be empty for SOURCE_VOLUNTARY (the database drops it)");
  if (s.automated_detection != "Yes" && s.automated_detection != "No")
    return field_error("automated_detection", "must be Yes or No");
  if (!one_of(kAutomatedDecisions, s.automated_decision))
    return field_error("automated_decision",
                       "must be AUTOMATED_DECISION_FULLY, AUTOMATED_DECISION_PARTIALLY or "
                       "AUTOMATED_DECISION_NOT_AUTOMATED");
  if (s.puid.empty() || s.puid.size() > 500 || !std::all_of(s.puid.begin(), s.puid.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      }))
    return field_error("puid", "must be 1 to 500 of A-Z a-z 0-9 - _");
  return Status::Ok();
}

std::string to_json(const Statement& s) {
  json j = json::object();
  auto put = [&j](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  auto put_list = [&j](const char* key, const std::vector<std::string>& v) {
    if (!v.empty()) j[key] = v;
  };
  put_list("decision_visibility", s.decision_visibility);
  put("decision_account", s.decision_account);
  put("decision_ground", s.decision_ground);
  put("illegal_content_legal_ground", s.illegal_content_legal_ground);
  put("illegal_content_explanation", s.illegal_content_explanation);
  put_list("content_type", s.content_type);
  put("category", s.category);
  put_list("category_specification", s.category_specification);
  put_list("territorial_scope", s.territorial_scope);
  put("content_language", s.content_language);
  put("content_date", s.content_date);
  put("application_date", s.application_date);
  put("decision_facts", s.decision_facts);
  put("source_type", s.source_type);
  put("source_identity", s.source_identity);
  put("automated_detection", s.automated_detection);
  put("automated_decision", s.automated_decision);
  put("puid", s.puid);
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

Result<Statement> statement_from_decision(const store::Decision& d, const Options& o) {
  const std::string who = "decision " + std::to_string(d.id) + ": ";
  Statement s;
  if (d.outcome == "block") {
    s.decision_visibility = {o.block_removes ? "DECISION_VISIBILITY_CONTENT_REMOVED"
                                             : "DECISION_VISIBILITY_CONTENT_DISABLED"};
  } else if (d.outcome == "hold") {
    s.decision_visibility = {"DECISION_VISIBILITY_CONTENT_DISABLED"};
  } else {
    return InvalidInput(who + "outcome '" + d.outcome +
                        "' restricts nothing; a statement of reasons is due once content is blocked or held");
  }

  const json matches = json::parse(d.matches_json.empty() ? "[]" : d.matches_json, nullptr, false);
  const json rules = json::parse(d.rules_json.empty() ? "[]" : d.rules_json, nullptr, false);
  if (!matches.is_array()) return InvalidInput(who + "matches_json is not a JSON array");
  if (!rules.is_array()) return InvalidInput(who + "rules_json is not a JSON array");
  auto str = [](const json& m, const char* key) {
    auto it = m.find(key);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto truthy = [](const json& m, const char* key) {
    auto it = m.find(key);
    return it != m.end() && it->is_boolean() && it->get<bool>();
  };

  std::string facts = "chainbreak decision " + std::to_string(d.id) + " (" + utc_date(d.time_us) + ", outcome " +
                      d.outcome + (d.automated ? ", automated" : ", taken by a person") + ")";
  if (!d.content_id.empty()) facts += " on content " + d.content_id;
  size_t counted = 0;
  bool grooming = false, synthetic = false;
  std::string listed;
  for (const json& m : matches) {
    if (!m.is_object() || truthy(m, "suppressed") || truthy(m, "allowlist")) continue;
    ++counted;
    const std::string cls = str(m, "classification");
    const std::string l = lower(cls);
    grooming = grooming || l.find("grooming") != std::string::npos;
    synthetic = synthetic || l.find("deepfake") != std::string::npos || l.find("synthetic") != std::string::npos ||
                l.find("generative") != std::string::npos;
    listed += listed.empty() ? "" : "; ";
    listed += "bank '" + str(m, "bank") + "' (" + str(m, "signal_type");
    if (auto it = m.find("distance"); it != m.end() && it->is_number_integer())
      listed += ", distance " + std::to_string(it->get<int64_t>());
    if (!cls.empty()) listed += ", classification " + cls;
    listed += ")";
  }
  if (counted > 0) {
    facts += ": the content matched " + std::to_string(counted) + (counted == 1 ? " entry" : " entries") +
             " of hash lists of previously verified material: " + listed + ".";
  } else {
    facts += ": no hash-list match is recorded.";
  }
  std::string fired;
  for (const json& r : rules) {
    if (!r.is_object()) continue;
    fired += fired.empty() ? "" : ", ";
    fired += "'" + str(r, "name") + "' (" + str(r, "action") + ")";
  }
  if (!fired.empty()) facts += " Rules applied: " + fired + ".";
  facts += o.human_reviewed ? " A reviewer confirmed the decision." : "";
  facts += d.outcome == "block"
               ? (o.block_removes ? " The content was removed." : " Access to the content was disabled.")
               : " Access to the content was disabled pending review.";
  if (chars(facts) == std::string::npos) return InvalidInput(who + "the record holds text that is not valid UTF-8");
  s.decision_facts = cut_chars(facts, 5000);

  s.illegal_content_legal_ground = o.legal_ground;
  s.illegal_content_explanation =
      !o.explanation.empty()
          ? o.explanation
          : "The content matched a perceptual or cryptographic hash of material that child-protection organisations "
            "had previously verified as child sexual abuse material; possessing and distributing it is illegal.";
  s.content_type = o.content_type;
  if (!o.category_specification.empty()) {
    s.category_specification = {o.category_specification};
  } else {
    s.category_specification = {grooming    ? "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS"
                                : synthetic ? "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE"
                                            : "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"};
  }
  s.territorial_scope = o.territorial_scope;
  s.content_language = o.content_language;
  s.application_date = utc_date(d.time_us);
  s.content_date = o.content_date.empty() ? s.application_date : o.content_date;
  s.source_type = o.source_type;
  s.source_identity = o.source_identity;
  s.automated_detection = counted > 0 || d.automated ? "Yes" : "No";
  s.automated_decision = !d.automated       ? "AUTOMATED_DECISION_NOT_AUTOMATED"
                         : o.human_reviewed ? "AUTOMATED_DECISION_PARTIALLY"
                                            : "AUTOMATED_DECISION_FULLY";
  s.puid = o.puid_prefix + std::to_string(d.id);
  if (Status st = validate(s); !st.ok()) return st;
  return s;
}

}  // namespace chainbreak::reports::dsa
