// chainbreak command-line entry point: parses arguments (CLI11) and hands
// each subcommand to its runner. No business logic here.
#include <CLI/CLI.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/hash_command.h"

int main(int argc, char** argv) {
  using namespace chainbreak;
  CLI::App app{"chainbreak: break the chain of technology-facilitated child sexual exploitation"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("chainbreak 0.1.0"));

  cli::HashCommandOptions hash;
  bool reference_io = false, fast = false, no_progress = false, progress = false;
  std::string format = "tsv";
  hash.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* h = app.add_subcommand("hash", "Hash files into signals (pdq for images; md5, sha1, sha256 for any file)");
  h->add_option("type", hash.signal_type, "Signal type: pdq, md5, sha1 or sha256")
      ->required()
      ->check(CLI::IsMember({"pdq", "md5", "sha1", "sha256"}));
  h->add_option("paths", hash.paths, "Files, directories (recursed) or - (paths on standard input)")->required();
  CLI::Option* ref =
      h->add_flag("--reference-io", reference_io,
                  "pdq: reproduce Meta's reference tool bit for bit (ImageMagick pixels, 512x512 squash)");
  h->add_flag("--fast", fast, "pdq: decode JPEGs at a reduced DCT scale (within 10 bits of the default)")
      ->excludes(ref);
  h->add_flag("--dihedral", hash.pdq.dihedral, "pdq: also print the hashes of the 8 rotations and flips");
  h->add_option("--jobs,-j", hash.jobs, "Worker threads (default: number of cores)")->check(CLI::Range(1, 1024));
  h->add_option("--format", format, "Output format: tsv or json (one object per line)")
      ->check(CLI::IsMember({"tsv", "json"}));
  h->add_option("--max-pixels", hash.pdq.max_pixels, "pdq: refuse images with more pixels than this")
      ->check(CLI::PositiveNumber);
  h->add_option("--max-file-size", hash.pdq.max_file_bytes, "pdq: refuse image files larger than this many bytes")
      ->check(CLI::PositiveNumber);
  h->add_option("--fast-min-side", hash.pdq.fast_min_side,
                "pdq --fast: decode JPEGs at the smallest scale keeping both sides >= this (default 256)")
      ->check(CLI::Range(16, 4096));
  CLI::Option* np = h->add_flag("--no-progress", no_progress, "Never draw the progress bar");
  h->add_flag("--progress", progress, "Draw the progress bar even when standard error is not a terminal")->excludes(np);

  const cli::Command match = cli::add_match_command(app, hash.jobs);
  const cli::Command bank = cli::add_bank_command(app);
  const cli::Command serve = cli::add_serve_command(app);
  const cli::Command pay = cli::add_pay_command(app);
  const cli::Command token = cli::add_token_command(app);
  const cli::Command audit = cli::add_audit_command(app);
  const cli::Command report = cli::add_report_command(app);

  CLI11_PARSE(app, argc, argv);

  for (const cli::Command* c : {&match, &bank, &serve, &token, &audit, &pay, &report}) {
    if (c->app->parsed()) return c->run();
  }
  if (h->parsed()) {
    if ((reference_io || fast || hash.pdq.dihedral) && hash.signal_type != "pdq") {
      std::fprintf(stderr, "chainbreak: --reference-io, --fast and --dihedral apply to pdq only\n");
      return 2;
    }
    hash.pdq.mode = reference_io ? signals::PdqMode::kReferenceIo
                    : fast       ? signals::PdqMode::kFast
                                 : signals::PdqMode::kDefault;
    hash.format = format == "json" ? cli::OutputFormat::kJson : cli::OutputFormat::kTsv;
    hash.progress = no_progress ? cli::ProgressWhen::kNever
                    : progress  ? cli::ProgressWhen::kAlways
                                : cli::ProgressWhen::kAuto;
    return cli::run_hash_command(hash);
  }
  return 0;
}
