// Expansion of command-line paths (files, directories, "-").
#include "util/path_source.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace chainbreak {
namespace fs = std::filesystem;
namespace {

// Appends the regular files under `dir`, sorted by name at each level.
void walk(const fs::path& dir, std::deque<PathItem>& out) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
  if (ec) {
    out.push_back({dir.string(), ec.message()});
    return;
  }
  std::sort(entries.begin(), entries.end(),
            [](const fs::directory_entry& a, const fs::directory_entry& b) { return a.path() < b.path(); });
  for (const fs::directory_entry& e : entries) {
    std::error_code sec;
    if (e.is_directory(sec))
      walk(e.path(), out);
    else if (e.is_regular_file(sec))
      out.push_back({e.path().string(), ""});
  }
}

}  // namespace

PathSource::PathSource(std::vector<std::string> args, std::FILE* stdin_lines)
    : args_(std::move(args)), stdin_(stdin_lines) {}

bool PathSource::countable() const { return std::find(args_.begin(), args_.end(), "-") == args_.end(); }

bool PathSource::expand_next_arg() {
  if (next_arg_ >= args_.size()) return false;
  const std::string& arg = args_[next_arg_++];
  if (arg == "-") {
    reading_stdin_ = true;
    return true;
  }
  std::error_code ec;
  if (fs::is_directory(arg, ec))
    walk(arg, pending_);
  else
    pending_.push_back({arg, ""});  // errors (missing file...) surface when it is opened
  return true;
}

std::optional<PathItem> PathSource::next() {
  for (;;) {
    if (!pending_.empty()) {
      PathItem item = std::move(pending_.front());
      pending_.pop_front();
      return item;
    }
    if (reading_stdin_) {
      std::string line;
      int c;
      bool any = false;
      while ((c = std::fgetc(stdin_)) != EOF) {
        any = true;
        if (c == '\n') break;
        line.push_back(static_cast<char>(c));
      }
      if (!any) {
        reading_stdin_ = false;
        continue;
      }
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      return PathItem{line, ""};
    }
    if (!expand_next_arg()) return std::nullopt;
  }
}

size_t PathSource::count_all() {
  while (expand_next_arg()) {
  }
  return pending_.size();
}

}  // namespace chainbreak
