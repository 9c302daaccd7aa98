// CLI11 definitions of `chainbreak bank ...` and `chainbreak match ...`.
#include <memory>

#include "cli/bank_command.h"
#include "cli/commands.h"
#include "cli/match_command.h"

namespace chainbreak::cli {
namespace {

void add_location(CLI::App* app, StoreLocation* where) {
  app->add_option("--data", where->data_dir,
                  "Data directory (default: $CHAINBREAK_DATA, else ~/.local/share/chainbreak)");
  app->add_option("--db", where->db, "Database instead of DIR/chainbreak.db: postgresql://... or a SQLite file");
}

}  // namespace

Command add_bank_command(CLI::App& root) {
  auto o = std::make_shared<BankCommandOptions>();
  auto bank = root.add_subcommand("bank", "Create, inspect, fill and retire banks of known signals");
  bank->require_subcommand(1);
  add_location(bank, &o->where);
  auto fmt = std::make_shared<std::string>("tsv");
  auto with_name = [&](const char* name, const char* help) {
    auto c = bank->add_subcommand(name, help);
    c->add_option("name", o->name, "Bank name")->required();
    return c;
  };
  auto create = with_name("create", "Create a bank");
  create->add_flag("--allowlist", o->allowlist, "Matches here suppress matches in other banks");
  create->add_option("--threshold,-t", o->threshold, "PDQ distance threshold (0-63, default 31)")
      ->check(CLI::Range(0, 63));
  create->add_option("--description", o->description, "What the bank holds and where it comes from");
  auto set = with_name("set", "Change a bank's settings");
  set->add_option("--allowlist", o->allowlist, "true or false");
  set->add_option("--threshold,-t", o->threshold, "PDQ distance threshold (0-63)")->check(CLI::Range(0, 63));
  set->add_option("--description", o->description, "Description");
  auto list = bank->add_subcommand("list", "List banks with their entry counts and settings");
  auto show = with_name("show", "Show one bank");
  for (auto c : {list, show}) c->add_option("--format", *fmt, "tsv or json")->check(CLI::IsMember({"tsv", "json"}));
  auto imp = with_name("import", "Import a hash list into a bank (streamed)");
  imp->add_option("file", o->file, "List file, or - for standard input")->required();
  imp->add_option("--format,-f", o->format, "plain, hma-csv or ncmec-xml (docs/FORMATS.md)")
      ->check(CLI::IsMember({"plain", "hma-csv", "ncmec-xml"}));
  imp->add_option("--type", o->signal_type, "Signal type of plain lists: pdq, md5, sha1, sha256")
      ->check(CLI::IsMember({"pdq", "md5", "sha1", "sha256"}));
  imp->add_flag("--strict", o->strict, "Import nothing if any record is malformed");
  imp->add_option("--source-org", o->source_org, "Source organisation for entries that name none");
  imp->add_option("--classification", o->classification, "Classification (e.g. A1) for entries that name none");
  imp->add_option("--legal-basis", o->legal_basis, "Legal basis for entries that name none");
  auto no_progress = std::make_shared<bool>(false);
  imp->add_flag("--no-progress", *no_progress, "Never draw the progress bar");
  auto exp = with_name("export", "Export a bank's entries");
  exp->add_option("--output,-o", o->file, "Output file (default: standard output)");
  exp->add_option("--format,-f", o->format, "plain, hma-csv or ncmec-xml")
      ->check(CLI::IsMember({"plain", "hma-csv", "ncmec-xml"}));
  exp->add_flag("--include-removed", o->include_removed, "Also export removed (tombstoned) entries");
  auto dis = with_name("disable", "Stop a bank (or some entries: --entry) matching, at once");
  dis->add_option("--until", o->until, "RFC 3339 UTC time, unix seconds, or +N[smhd] (whole bank only)");
  auto ena = with_name("enable", "Let a disabled bank (or entries: --entry) match again");
  for (auto c : {dis, ena}) {
    c->add_option("--entry", o->entries, "Entry ids instead of the whole bank (repeatable)")
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  }
  auto rem = with_name("remove", "Remove a bank, or only some of its entries (--entry)");
  rem->add_option("--entry", o->entries, "Entry ids to remove (tombstoned, effective at once; repeatable)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  // --data/--db may come before or after the action.
  for (auto* c : bank->get_subcommands({})) c->fallthrough();
  return {bank, [o, fmt, no_progress, bank] {
            for (auto* c : bank->get_subcommands()) o->action = c->get_name();
            o->output = *fmt == "json" ? OutputFormat::kJson : OutputFormat::kTsv;
            o->progress = *no_progress ? ProgressWhen::kNever : ProgressWhen::kAuto;
            return run_bank_command(*o);
          }};
}

Command add_match_command(CLI::App& root, int default_jobs) {
  auto list = std::make_shared<MatchListOptions>();
  auto bank = std::make_shared<MatchBankOptions>();
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto no_progress = std::make_shared<bool>(false);
  auto fmt = std::make_shared<std::string>("tsv");
  list->jobs = default_jobs;
  auto m = root.add_subcommand("match", "Match files against banks, or query hashes against a hash list");
  m->add_option("type", bank->signal_type, "Signal type: pdq, md5, sha1, sha256")
      ->required()
      ->check(CLI::IsMember({"pdq", "md5", "sha1", "sha256"}));
  auto hashes =
      m->add_option("--hashes", list->list_path, "Hash list (one hex PDQ per line): match QUERIES against it");
  auto banks = m->add_option("--bank,-b", bank->banks, "Bank to match (repeatable; default: every enabled bank)")
                   ->allow_extra_args(false)
                   ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  hashes->excludes(banks);
  m->add_option("inputs", *inputs,
                "Files or directories to hash and match; with --hashes one file of query hashes (or -)")
      ->required();
  auto threshold = m->add_option("--threshold,-t", list->threshold, "Largest PDQ distance that matches (0-256)")
                       ->check(CLI::Range(0, 256));
  m->add_option("--jobs,-j", list->jobs, "Threads for --hashes (default: number of cores)")->check(CLI::Range(1, 1024));
  m->add_flag("--stats", list->stats, "--hashes: print build and query times on standard error");
  m->add_flag("--strict", list->strict, "--hashes: stop at the first malformed line, before any output");
  m->add_flag("--no-progress", *no_progress, "Never draw the progress bar");
  m->add_flag("--all", bank->all, "Also print files that match nothing");
  m->add_option("--format", *fmt, "tsv or json")->check(CLI::IsMember({"tsv", "json"}));
  add_location(m, &bank->where);
  return {m, [=] {
            if (hashes->count() > 0) {
              if (bank->signal_type != "pdq" || inputs->size() != 1) {
                std::fprintf(stderr, "chainbreak: match --hashes is for pdq and takes one file of query hashes\n");
                return 2;
              }
              list->queries_path = (*inputs)[0];
              list->progress = *no_progress ? ProgressWhen::kNever : ProgressWhen::kAuto;
              return run_match_list(*list);
            }
            if (threshold->count() > 0) bank->threshold = list->threshold;
            bank->paths = *inputs;
            bank->output = *fmt == "json" ? OutputFormat::kJson : OutputFormat::kTsv;
            return run_match_bank(*bank);
          }};
}

}  // namespace chainbreak::cli
