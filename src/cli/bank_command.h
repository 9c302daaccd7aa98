// `chainbreak bank ...` and `chainbreak match TYPE --bank ...`: banks in a
// data directory (SQLite, the default) or a PostgreSQL database.
//
// Data directory (--data DIR; default $CHAINBREAK_DATA, else
// $XDG_DATA_HOME/chainbreak, else ~/.local/share/chainbreak):
//   DIR/chainbreak.db   the SQLite database (unless --db names PostgreSQL)
//   DIR/index/          index snapshots, rebuilt from the database when
//                       missing or stale
// Output and exit statuses: docs/CLI.md. Every failure prints
// `chainbreak: <what>: <reason>` on standard error; exit 1 for a failed
// operation or skipped input lines, 2 for usage errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/hash_command.h"

namespace chainbreak::cli {

struct StoreLocation {
  std::string data_dir;  // empty: the default above
  std::string db;        // empty: DIR/chainbreak.db
};

struct BankCommandOptions {
  StoreLocation where;
  std::string action;  // create list show import export disable enable remove set
  std::string name;
  // create / set
  std::optional<bool> allowlist;
  std::optional<int> threshold;
  std::optional<std::string> description;
  // import / export
  std::string file;  // import input, export output ("-" = stdout/stdin)
  std::string format = "plain";
  std::string signal_type = "pdq";
  bool strict = false;
  std::string source_org, classification, legal_basis;  // defaults for imported entries
  bool include_removed = false;
  // disable
  std::string until;  // RFC 3339 time, unix seconds or +<N>{s,m,h,d}; empty = until enabled
  // remove
  std::vector<int64_t> entries;  // empty: the whole bank
  // list / show
  OutputFormat output = OutputFormat::kTsv;
  ProgressWhen progress = ProgressWhen::kAuto;
};

int run_bank_command(const BankCommandOptions& options);

struct MatchBankOptions {
  StoreLocation where;
  std::string signal_type = "pdq";  // pdq, md5, sha1, sha256
  std::vector<std::string> banks;   // empty: every enabled bank
  std::optional<int> threshold;     // pdq: overrides the banks' thresholds
  std::vector<std::string> paths;
  signals::PdqOptions pdq;
  bool all = false;  // also print files without a match
  OutputFormat output = OutputFormat::kTsv;
};

int run_match_bank(const MatchBankOptions& options);

}  // namespace chainbreak::cli
