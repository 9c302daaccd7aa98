// `chainbreak hash pdq|md5|sha1|sha256 PATH...`: the hashing job of the CLI.
//
// Output contract (docs/CLI.md): one line per file, in input order, on
// standard output: TSV `<hash-hex>\t<quality>\t<path>` (quality empty for
// exact hashes; with --dihedral the first field holds the eight hashes joined
// by commas, original first) or one JSON object per line. A failing file
// prints `chainbreak: <path>: <reason>` on standard error and processing goes
// on; the exit status is 1 if any file failed, else 0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signals/pdq_file.h"

namespace chainbreak::cli {

enum class OutputFormat { kTsv, kJson };
enum class ProgressWhen { kAuto, kAlways, kNever };

struct HashCommandOptions {
  std::string signal_type;  // "pdq", "md5", "sha1" or "sha256"
  signals::PdqOptions pdq;
  int jobs = 1;
  OutputFormat format = OutputFormat::kTsv;
  ProgressWhen progress = ProgressWhen::kAuto;
  std::vector<std::string> paths;
};

// Runs the job; returns the process exit status (0, or 1 if any file failed,
// 2 for a usage error such as an unknown signal type).
int run_hash_command(const HashCommandOptions& options);

}  // namespace chainbreak::cli
