// Registration of CLI subcommands: each adds its CLI11 subcommand (options
// bound to state it owns) and returns the function to run when it was
// parsed. Keeps main.cc to dispatch only.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace chainbreak::cli {

struct Command {
  CLI::App* app;
  std::function<int()> run;
};

Command add_match_command(CLI::App& root, int default_jobs);
Command add_bank_command(CLI::App& root);
Command add_serve_command(CLI::App& root);
Command add_pay_command(CLI::App& root);
Command add_token_command(CLI::App& root);
Command add_audit_command(CLI::App& root);
Command add_report_command(CLI::App& root);

}  // namespace chainbreak::cli
