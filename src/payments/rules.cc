// Rules file loading: yaml-cpp for the syntax (its marks give line and
// column), then validation and compilation into flat conditions.
#include "payments/rules.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "payments/text.h"
#include "payments/transaction.h"

namespace chainbreak::payments {

const char* op_name(Op op) {
  static const char* const kNames[] = {"eq", "ne", "in", "not_in", "in_list", "lt", "le", "gt", "ge", "between"};
  return kNames[static_cast<int>(op)];
}

namespace {

struct Fail {
  Status status;
};

class Loader {
 public:
  explicit Loader(std::string_view origin) : origin_(origin) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& msg) const { fail(n.Mark(), msg); }
  [[noreturn]] void fail(const YAML::Mark& m, const std::string& msg) const {
    throw Fail{
        InvalidInput(origin_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " + msg)};
  }

  std::string scalar(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a scalar");
    return n.Scalar();
  }
  int64_t integer(const YAML::Node& n, const std::string& what, int64_t lo, int64_t hi) const {
    std::string s = scalar(n, what);
    int64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) fail(n, what + " must be an integer, got '" + s + "'");
    if (v < lo || v > hi) fail(n, what + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return v;
  }
  std::string text(const YAML::Node& n, const std::string& what) const {
    std::string s = scalar(n, what);
    if (s.empty()) fail(n, what + " must not be empty");
    return s;
  }
  void keys(const YAML::Node& n, const std::string& what, std::initializer_list<const char*> allowed) const {
    if (!n.IsMap()) fail(n, what + " must be a mapping");
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string k = scalar(it->first, "a key");
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }))
        fail(it->first, "unknown key '" + k + "' in " + what);
    }
  }

  // A constant of the feature's kind (numeric kinds only).
  int64_t constant(const YAML::Node& n, Kind kind, const std::string& fname) const {
    std::string s = scalar(n, "the value for " + fname);
    switch (kind) {
      case Kind::kMoney: {
        int64_t v;
        Status st = parse_amount(s, &v);
        if (!st.ok()) fail(n, fname + " takes a decimal amount, got '" + s + "' (" + st.message() + ")");
        return v;
      }
      case Kind::kInt: {
        int64_t v = 0;
        const char* b = s.data() + (s.size() && s[0] == '-' ? 0 : 0);
        auto r = std::from_chars(b, s.data() + s.size(), v);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size()) fail(n, fname + " takes an integer, got '" + s + "'");
        return v;
      }
      case Kind::kBool:
        if (s == "true") return 1;
        if (s == "false") return 0;
        fail(n, fname + " takes true or false, got '" + s + "'");
      case Kind::kChannel: {
        Channel c;
        if (!parse_channel(s, &c)) fail(n, fname + " takes a channel name, got '" + s + "'");
        return static_cast<int64_t>(c);
      }
      case Kind::kCountry: {
        uint16_t c;
        if (!parse_country(s, &c)) fail(n, fname + " takes a two-letter country code, got '" + s + "'");
        return c;
      }
      case Kind::kAgeBand: {
        AgeBand b;
        if (!parse_age_band(s, &b)) fail(n, fname + " takes minor, adult or unknown, got '" + s + "'");
        return static_cast<int64_t>(b);
      }
      default: fail(n, "internal: not a numeric kind");
    }
  }

  std::string origin_;
};

bool numeric(Kind k) { return k != Kind::kString && k != Kind::kMemo; }

}  // namespace

Result<RuleSet> parse_rules(std::string_view text, std::string_view origin) {
  RuleSet rs;
  rs.text.assign(text);
  rs.origin.assign(origin);
  Loader L(origin);
  try {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      L.fail(e.mark, "YAML syntax: " + e.msg);
    }
    if (!root.IsMap()) L.fail(root, "the rules file must be a mapping with version, typologies and rules");
    L.keys(root, "the rules file", {"version", "settings", "lists", "entities", "typologies", "rules"});
    if (!root["version"]) L.fail(root, "missing 'version' (this engine reads version: 1)");
    if (L.scalar(root["version"], "version") != "1")
      L.fail(root["version"], "unsupported version '" + root["version"].Scalar() + "' (this engine reads version: 1)");

    if (YAML::Node s = root["settings"]) {
      L.keys(s, "settings",
             {"night_start_hour", "night_end_hour", "round_unit", "mule_min_payers", "mule_window_s",
              "release_snooze_days", "utc_offsets"});
      Settings& st = rs.settings;
      if (s["night_start_hour"])
        st.night_start_hour = static_cast<int>(L.integer(s["night_start_hour"], "night_start_hour", 0, 23));
      if (s["night_end_hour"])
        st.night_end_hour = static_cast<int>(L.integer(s["night_end_hour"], "night_end_hour", 0, 23));
      if (s["round_unit"]) {
        st.round_unit = L.constant(s["round_unit"], Kind::kMoney, "round_unit");
        if (st.round_unit <= 0) L.fail(s["round_unit"], "round_unit must be positive");
      }
      if (s["mule_min_payers"])
        st.mule_min_payers = static_cast<int>(L.integer(s["mule_min_payers"], "mule_min_payers", 1, 256));
      if (s["mule_window_s"]) st.mule_window_s = L.integer(s["mule_window_s"], "mule_window_s", 1, kLongWindow);
      if (s["release_snooze_days"])
        st.release_snooze_s = 86400 * L.integer(s["release_snooze_days"], "release_snooze_days", 0, 3650);
      if (YAML::Node o = s["utc_offsets"]) {
        if (!o.IsMap()) L.fail(o, "utc_offsets must map country codes to hours (e.g. PH: 8, IN: 5.5)");
        for (auto it = o.begin(); it != o.end(); ++it) {
          uint16_t c;
          if (!parse_country(L.scalar(it->first, "a country"), &c)) L.fail(it->first, "not a two-letter country code");
          std::string v = L.scalar(it->second, "an offset");
          char* end = nullptr;
          double h = std::strtod(v.c_str(), &end);
          if (v.empty() || *end != '\0' || h < -14 || h > 14) L.fail(it->second, "offset must be hours from -14 to 14");
          st.utc_offset_minutes[c] = static_cast<int32_t>(h * 60);
        }
      }
    }

    std::map<std::string, YAML::Node> lists;
    if (YAML::Node ls = root["lists"]) {
      if (!ls.IsMap()) L.fail(ls, "lists must map names to sequences");
      for (auto it = ls.begin(); it != ls.end(); ++it) {
        std::string name = L.text(it->first, "a list name");
        if (!it->second.IsSequence()) L.fail(it->second, "list '" + name + "' must be a sequence");
        if (!lists.emplace(name, it->second).second) L.fail(it->first, "duplicate list '" + name + "'");
      }
    }
    if (YAML::Node es = root["entities"]) {
      L.keys(es, "entities", {"red", "amber", "green"});
      for (auto [key, vec] : {std::pair{"red", &rs.red}, {"amber", &rs.amber}, {"green", &rs.green}}) {
        if (YAML::Node l = es[key]) {
          if (!l.IsSequence()) L.fail(l, std::string(key) + " must be a sequence of ids");
          for (const auto& e : l) vec->push_back(L.text(e, "an entity id"));
        }
      }
    }

    std::map<std::string, int> typ_index;
    YAML::Node ts = root["typologies"];
    if (!ts || !ts.IsSequence() || ts.size() == 0) L.fail(ts ? ts : root, "typologies must be a non-empty sequence");
    for (const auto& t : ts) {
      L.keys(t, "a typology", {"id", "name", "alert", "hold", "block"});
      Typology ty;
      if (!t["id"]) L.fail(t, "typology without an id");
      ty.id = L.text(t["id"], "id");
      ty.name = t["name"] ? L.scalar(t["name"], "name") : ty.id;
      for (const char* k : {"alert", "hold", "block"})
        if (!t[k]) L.fail(t, "typology '" + ty.id + "' needs " + k);
      ty.alert = static_cast<int>(L.integer(t["alert"], "alert", 1, 1'000'000));
      ty.hold = static_cast<int>(L.integer(t["hold"], "hold", 1, 1'000'000));
      ty.block = static_cast<int>(L.integer(t["block"], "block", 1, 1'000'000));
      if (!(ty.alert <= ty.hold && ty.hold <= ty.block))
        L.fail(t, "typology '" + ty.id + "': thresholds must satisfy alert <= hold <= block");
      if (!typ_index.emplace(ty.id, static_cast<int>(rs.typologies.size())).second)
        L.fail(t["id"], "duplicate typology id '" + ty.id + "'");
      rs.typologies.push_back(std::move(ty));
    }

    std::set<std::string> rule_ids;
    YAML::Node rules = root["rules"];
    if (!rules || !rules.IsSequence() || rules.size() == 0)
      L.fail(rules ? rules : root, "rules must be a non-empty sequence");
    std::string norm;
    for (const auto& r : rules) {
      L.keys(r, "a rule", {"id", "typology", "weight", "source", "reason", "when"});
      Rule rule;
      for (const char* k : {"id", "typology", "weight", "source", "reason", "when"})
        if (!r[k]) L.fail(r, std::string("rule needs '") + k + "'");
      rule.id = L.text(r["id"], "id");
      if (!rule_ids.insert(rule.id).second) L.fail(r["id"], "duplicate rule id '" + rule.id + "'");
      rule.typology_id = L.text(r["typology"], "typology");
      auto ti = typ_index.find(rule.typology_id);
      if (ti == typ_index.end()) L.fail(r["typology"], "unknown typology '" + rule.typology_id + "'");
      rule.typology = ti->second;
      rule.weight = static_cast<int>(L.integer(r["weight"], "weight", 1, 1'000'000));
      rule.source = L.text(r["source"], "source");
      rule.reason = L.text(r["reason"], "reason");
      YAML::Node when = r["when"];
      if (!when.IsSequence() || when.size() == 0) L.fail(when, "when must be a non-empty sequence of conditions");
      rule.first = static_cast<uint32_t>(rs.conds.size());
      for (const auto& c : when) {
        L.keys(c, "a condition", {"feature", "op", "value", "list"});
        if (!c["feature"]) L.fail(c, "condition needs 'feature'");
        if (!c["op"]) L.fail(c, "condition needs 'op'");
        Condition cond;
        std::string fname = L.scalar(c["feature"], "feature");
        if (!find_feature(fname, &cond.feature)) L.fail(c["feature"], "unknown feature '" + fname + "'");
        const Kind kind = feature_info(cond.feature).kind;
        std::string opn = L.scalar(c["op"], "op");
        bool found = false;
        for (int o = 0; o <= static_cast<int>(Op::kBetween); ++o)
          if (opn == op_name(static_cast<Op>(o))) cond.op = static_cast<Op>(o), found = true;
        if (!found) L.fail(c["op"], "unknown op '" + opn + "' (eq ne in not_in in_list lt le gt ge between)");
        const Op op = cond.op;
        const bool ordered = op == Op::kLt || op == Op::kLe || op == Op::kGt || op == Op::kGe || op == Op::kBetween;
        if (ordered && kind != Kind::kMoney && kind != Kind::kInt)
          L.fail(c["op"], "op " + opn + " needs a numeric feature; " + fname + " is not");
        if (kind == Kind::kMemo && op != Op::kIn && op != Op::kInList)
          L.fail(c["op"], fname + " takes in or in_list (term matching)");
        if (op == Op::kInList) {
          if (!c["list"] || c["value"]) L.fail(c, "in_list takes 'list: NAME' and no value");
        } else if (!c["value"] || c["list"]) {
          L.fail(c, "op " + opn + " takes 'value' and no list");
        }
        // The elements a set-valued condition reads.
        std::vector<YAML::Node> elems;
        if (op == Op::kInList) {
          std::string ln = L.scalar(c["list"], "list");
          auto li = lists.find(ln);
          if (li == lists.end()) L.fail(c["list"], "unknown list '" + ln + "'");
          for (const auto& e : li->second) elems.push_back(e);
        } else if (op == Op::kIn || op == Op::kNotIn || op == Op::kBetween) {
          if (!c["value"].IsSequence()) L.fail(c["value"], "op " + opn + " takes a sequence value");
          for (const auto& e : c["value"]) elems.push_back(e);
          if (op == Op::kBetween && elems.size() != 2) L.fail(c["value"], "between takes [low, high]");
        }
        if (op == Op::kBetween) {
          cond.a = L.constant(elems[0], kind, fname);
          cond.b = L.constant(elems[1], kind, fname);
          if (cond.a > cond.b) L.fail(c["value"], "between needs low <= high");
        } else if (op == Op::kIn || op == Op::kNotIn || op == Op::kInList) {
          if (kind == Kind::kMemo) {
            std::vector<std::string> terms;
            for (const auto& e : elems) {
              normalize_memo(L.text(e, "a memo term"), norm);
              if (norm.size() <= 2) L.fail(e, "memo term normalises to nothing");
              terms.push_back(norm);
            }
            cond.set = static_cast<uint32_t>(rs.term_sets.size());
            rs.term_sets.push_back(std::move(terms));
          } else if (kind == Kind::kString) {
            std::vector<std::string> v;
            for (const auto& e : elems) v.push_back(L.scalar(e, "a value"));
            std::sort(v.begin(), v.end());
            cond.set = static_cast<uint32_t>(rs.str_sets.size());
            rs.str_sets.push_back(std::move(v));
          } else {
            std::vector<int64_t> v;
            for (const auto& e : elems) v.push_back(L.constant(e, kind, fname));
            std::sort(v.begin(), v.end());
            cond.set = static_cast<uint32_t>(rs.int_sets.size());
            rs.int_sets.push_back(std::move(v));
          }
        } else {
          if (!c["value"].IsScalar()) L.fail(c["value"], "op " + opn + " takes a single value");
          if (numeric(kind)) {
            cond.a = L.constant(c["value"], kind, fname);
          } else {
            cond.set = static_cast<uint32_t>(rs.str_sets.size());
            rs.str_sets.push_back({c["value"].Scalar()});
          }
        }
        rs.groups_used |= 1u << static_cast<int>(feature_info(cond.feature).group);
        rs.conds.push_back(cond);
      }
      rule.count = static_cast<uint32_t>(rs.conds.size()) - rule.first;
      rs.rules.push_back(std::move(rule));
    }
  } catch (const Fail& f) {
    return f.status;
  } catch (const YAML::Exception& e) {
    return InvalidInput(rs.origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                        ": " + e.msg);
  }
  return rs;
}

Result<RuleSet> load_rules_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read rules file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_rules(ss.str(), path);
}

}  // namespace chainbreak::payments
