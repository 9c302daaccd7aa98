// `chainbreak bank create|list|show|disable|enable|set|remove`; import and
// export are in bank_io_command.cc.
#include "cli/bank_command.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "cli/store_location.h"

namespace chainbreak::cli {

int run_bank_import(const BankCommandOptions& o, store::Store& st, const store::Bank& bank);
int run_bank_export(const BankCommandOptions& o, store::Store& st, const store::Bank& bank);

namespace {

int fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "chainbreak: %s: %s\n", what.c_str(), s.message().c_str());
  return s.code() == ErrorCode::kInvalidInput ? 2 : 1;
}

nlohmann::json bank_json(const store::Bank& b, int64_t entries, int64_t removed) {
  return {{"name", b.name},
          {"id", b.id},
          {"description", b.description},
          {"allowlist", b.allowlist},
          {"threshold", b.pdq_threshold},
          {"enabled", b.enabled},
          {"disabled_until", format_time(b.disabled_until)},
          {"created_at", format_time(b.created_at)},
          {"entries", entries},
          {"removed_entries", removed}};
}

// Every id must be an entry of this bank; 1 (with a message) otherwise.
int check_entries(store::Store& st, const store::Bank& bank, const std::vector<int64_t>& ids) {
  for (int64_t id : ids) {
    auto e = st.get_entry(id);
    if (!e.ok()) return fail("entry " + std::to_string(id), e.status());
    if (!e.value() || e.value()->bank_id != bank.id) {
      std::fprintf(stderr, "chainbreak: bank %s has no entry %lld\n", bank.name.c_str(), static_cast<long long>(id));
      return 1;
    }
  }
  return 0;
}

int list_banks(const BankCommandOptions& o, store::Store& st, const std::string& only) {
  auto banks = st.list_banks();
  if (!banks.ok()) return fail("list banks", banks.status());
  bool found = only.empty();
  if (o.output == OutputFormat::kTsv && only.empty()) {
    std::printf("name\tentries\tthreshold\tallowlist\tenabled\tdisabled_until\tdescription\n");
  }
  for (const auto& b : banks.value()) {
    if (!only.empty() && b.name != only) continue;
    found = true;
    auto live = st.count_entries(b.id, false);
    auto all = st.count_entries(b.id, true);
    if (!live.ok()) return fail("count entries", live.status());
    if (!all.ok()) return fail("count entries", all.status());
    const auto j = bank_json(b, live.value(), all.value() - live.value());
    if (o.output == OutputFormat::kJson) {
      std::printf("%s\n", j.dump().c_str());
    } else if (!only.empty()) {
      for (const auto& [k, v] : j.items())
        std::printf("%s\t%s\n", k.c_str(), v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
    } else {
      std::printf("%s\t%lld\t%d\t%s\t%s\t%s\t%s\n", b.name.c_str(), static_cast<long long>(live.value()),
                  b.pdq_threshold, b.allowlist ? "yes" : "no", b.enabled ? "yes" : "no",
                  format_time(b.disabled_until).c_str(), b.description.c_str());
    }
  }
  if (!found) {
    std::fprintf(stderr, "chainbreak: no bank named '%s'\n", only.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int run_bank_command(const BankCommandOptions& o) {
  auto opened = open_cli_store(o.where);
  if (!opened.ok()) return fail("open store", opened.status());
  store::Store& st = *opened.value();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));

  if (o.action == "list") return list_banks(o, st, "");
  if (o.action == "create") {
    store::Bank b;
    b.name = o.name;
    b.description = o.description.value_or("");
    b.allowlist = o.allowlist.value_or(false);
    b.pdq_threshold = o.threshold.value_or(31);
    auto created = st.create_bank(b);
    if (!created.ok()) return fail("create bank '" + o.name + "'", created.status());
    std::printf("created bank %s (id %lld)\n", created.value().name.c_str(),
                static_cast<long long>(created.value().id));
    return 0;
  }
  auto found = st.find_bank(o.name);
  if (!found.ok()) return fail("find bank '" + o.name + "'", found.status());
  if (!found.value()) {
    std::fprintf(stderr, "chainbreak: no bank named '%s'\n", o.name.c_str());
    return 1;
  }
  store::Bank bank = *found.value();
  if (o.action == "show") return list_banks(o, st, o.name);
  if (o.action == "import") return run_bank_import(o, st, bank);
  if (o.action == "export") return run_bank_export(o, st, bank);
  if ((o.action == "disable" || o.action == "enable") && !o.entries.empty()) {
    if (int rc = check_entries(st, bank, o.entries); rc != 0) return rc;
    for (int64_t id : o.entries) {
      if (Status s = st.set_entry_disabled(id, o.action == "disable"); !s.ok()) {
        return fail("entry " + std::to_string(id), s);
      }
    }
    std::printf("%sd %zu entr%s of bank %s\n", o.action.c_str(), o.entries.size(), o.entries.size() == 1 ? "y" : "ies",
                bank.name.c_str());
    update_snapshots(o.where, st);
    return 0;
  }
  if (o.action == "disable" || o.action == "enable" || o.action == "set") {
    if (o.action == "disable") {
      if (o.until.empty()) {
        bank.enabled = false;
      } else {
        auto t = parse_time(o.until, now);
        if (!t.ok()) return fail("--until", t.status());
        bank.disabled_until = t.value();
      }
    } else if (o.action == "enable") {
      bank.enabled = true;
      bank.disabled_until = 0;
    } else {
      if (o.allowlist) bank.allowlist = *o.allowlist;
      if (o.threshold) bank.pdq_threshold = *o.threshold;
      if (o.description) bank.description = *o.description;
    }
    if (Status s = st.update_bank(bank); !s.ok()) return fail("update bank '" + o.name + "'", s);
    std::printf("%s bank %s\n",
                o.action == "set"      ? "updated"
                : o.action == "enable" ? "enabled"
                                       : "disabled",
                bank.name.c_str());
    return 0;
  }
  if (o.action == "remove") {
    if (o.entries.empty()) {
      if (Status s = st.delete_bank(bank.id); !s.ok()) return fail("remove bank '" + o.name + "'", s);
      std::printf("removed bank %s\n", bank.name.c_str());
      return 0;
    }
    if (int rc = check_entries(st, bank, o.entries); rc != 0) return rc;
    auto removed = st.remove_entries(o.entries);
    if (!removed.ok()) return fail("remove entries", removed.status());
    std::printf("removed %lld entr%s from bank %s\n", static_cast<long long>(removed.value()),
                removed.value() == 1 ? "y" : "ies", bank.name.c_str());
    update_snapshots(o.where, st);
    return 0;
  }
  std::fprintf(stderr, "chainbreak: unknown bank action '%s'\n", o.action.c_str());
  return 2;
}

}  // namespace chainbreak::cli
