// `chainbreak match pdq --hashes LIST --threshold T QUERIES`: matches a file
// of query hashes against a hash list, no data directory involved.
//
// Input: LIST and QUERIES hold one PDQ hash (64 hex digits) per line; on
// LIST lines anything after the hash (a tab and more fields) is ignored;
// blank lines and lines starting with '#' are skipped. QUERIES may be "-"
// (standard input).
// Output contract (docs/CLI.md): one line per match on standard output,
// `<query line>\t<list line>\t<distance>` with 0-based line numbers, ordered
// by query line then list line. With stats, a last line on standard error:
// `stats build_s=<s> query_s=<s> queries=<n> matches=<m>`.
// Errors: a malformed line prints `chainbreak: FILE:LINE: reason` on
// standard error and is skipped (counted in a summary); with strict the
// first one stops the run before any output. Exit status 0, or 1 when a
// line was skipped or the run stopped, 2 when a file cannot be read.
#pragma once

#include <string>

#include "cli/hash_command.h"

namespace chainbreak::cli {

struct MatchListOptions {
  std::string list_path;
  std::string queries_path;
  int threshold = 31;  // 0..256
  int jobs = 1;
  bool stats = false;
  bool strict = false;
  ProgressWhen progress = ProgressWhen::kAuto;
};

int run_match_list(const MatchListOptions& options);

}  // namespace chainbreak::cli
