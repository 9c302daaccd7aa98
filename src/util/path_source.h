// The files named on a command line, in order: a file stands for itself, a
// directory for every regular file under it (recursively, sorted by name at
// each level), and "-" for the paths read from standard input, one per line.
#pragma once

#include <cstdio>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace chainbreak {

struct PathItem {
  std::string path;
  std::string error;  // non-empty when the path could not be listed
};

class PathSource {
 public:
  // `stdin_lines` is read for "-" arguments (not owned).
  PathSource(std::vector<std::string> args, std::FILE* stdin_lines = stdin);

  // The next item, or nullopt at the end.
  std::optional<PathItem> next();
  // True when no argument is "-": the whole list can be counted up front.
  bool countable() const;
  // Expands every argument now and returns how many items there are.
  // Only when countable(); items are then served from memory.
  size_t count_all();

 private:
  bool expand_next_arg();
  std::vector<std::string> args_;
  size_t next_arg_ = 0;
  std::deque<PathItem> pending_;
  std::FILE* stdin_;
  bool reading_stdin_ = false;
};

}  // namespace chainbreak
