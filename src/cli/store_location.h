// Where the CLI's banks live: resolving --data / --db / CHAINBREAK_DATA.
#pragma once

#include <memory>
#include <string>

#include "cli/bank_command.h"
#include "store/store.h"
#include "util/result.h"

namespace chainbreak::cli {

// The data directory: --data, else $CHAINBREAK_DATA, else
// $XDG_DATA_HOME/chainbreak, else $HOME/.local/share/chainbreak.
std::string resolve_data_dir(const StoreLocation& where);
// Opens the store (creating the data directory for SQLite). Errors: kIo.
Result<std::unique_ptr<store::Store>> open_cli_store(const StoreLocation& where);
// DIR/index: the index snapshot directory.
std::string snapshot_dir(const StoreLocation& where);
// Brings the index snapshots in DIR/index up to date with the store after
// a change made by this process, so that the next `match` loads them
// instead of rebuilding; a failure is only a warning on standard error.
void update_snapshots(const StoreLocation& where, store::Store& st);
// Parses a time for --until: RFC 3339 (2026-12-01T00:00:00Z), unix seconds,
// or +N followed by s, m, h or d relative to now. kInvalidInput otherwise.
Result<int64_t> parse_time(const std::string& text, int64_t now);
// RFC 3339 UTC for unix seconds ("" for 0).
std::string format_time(int64_t unix_seconds);

}  // namespace chainbreak::cli
