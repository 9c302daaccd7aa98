#include "cli/match_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "index/pdq_index.h"
#include "util/line_reader.h"
#include "util/progress.h"

namespace chainbreak::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct HashLines {
  std::vector<pdq::Hash256> hashes;
  std::vector<uint64_t> lines;  // 0-based line of each hash
  uint64_t skipped = 0;
};

// Reads one hash per line. Returns false when the run must stop (I/O error,
// or a malformed line under strict); *exit_code says how.
bool read_hash_lines(const std::string& path, bool strict, bool progress, HashLines* out, int* exit_code) {
  LineReader reader(path);
  if (!reader.status().ok()) {
    std::fprintf(stderr, "chainbreak: %s\n", reader.status().message().c_str());
    *exit_code = 2;
    return false;
  }
  Progress bar(progress, reader.file_size(), stderr, "bytes");
  // A line is at least 65 bytes: reserve once instead of growing (each
  // regrowth touches fresh pages, which costs more than the parsing).
  out->hashes.reserve(reader.file_size() / 65);
  out->lines.reserve(reader.file_size() / 65);
  std::string_view line;
  while (reader.next(&line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t end = line.find_first_of("\t ");
    const std::string_view field = line.substr(0, end);
    auto h = pdq::Hash256::from_hex(field);
    if (!h.ok()) {
      std::fprintf(stderr, "chainbreak: %s:%llu: %s\n", path.c_str(),
                   static_cast<unsigned long long>(reader.line_number()), h.status().message().c_str());
      ++out->skipped;
      if (strict) {
        std::fprintf(stderr, "chainbreak: stopped at the first malformed line (--strict); nothing matched\n");
        *exit_code = 1;
        return false;
      }
      continue;
    }
    out->hashes.push_back(h.value());
    out->lines.push_back(reader.line_number() - 1);
    if ((out->hashes.size() & 0xFFFF) == 0) bar.update(reader.bytes_read());
  }
  bar.finish();
  if (!reader.status().ok()) {
    std::fprintf(stderr, "chainbreak: %s\n", reader.status().message().c_str());
    *exit_code = 2;
    return false;
  }
  return true;
}

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

int run_match_list(const MatchListOptions& o) {
  const bool progress = o.progress == ProgressWhen::kAlways || (o.progress == ProgressWhen::kAuto && isatty(2));
  int exit_code = 0;
  auto t0 = Clock::now();
  HashLines list;
  if (!read_hash_lines(o.list_path, o.strict, progress, &list, &exit_code)) return exit_code;
  index::PdqIndex::Options opt;
  opt.build_threads = std::max(1, o.jobs);
  index::PdqIndex index(opt);
  index.build(list.hashes, list.lines);
  const double build_s = since(t0);
  std::vector<pdq::Hash256>().swap(list.hashes);

  HashLines queries;
  if (!read_hash_lines(o.queries_path, o.strict, false, &queries, &exit_code)) return exit_code;

  // Contiguous ranges of queries per thread; each formats its own output,
  // printed in query order afterwards.
  t0 = Clock::now();
  const size_t nq = queries.hashes.size();
  const int jobs =
      static_cast<int>(std::clamp<size_t>(static_cast<size_t>(std::max(1, o.jobs)), 1, std::max<size_t>(nq, 1)));
  std::vector<std::string> outputs(jobs);
  std::vector<uint64_t> counts(jobs, 0);
  auto work = [&](int w) {
    const size_t begin = nq * w / jobs, end = nq * (w + 1) / jobs;
    std::vector<index::Hit> hits;
    std::string& text = outputs[w];
    char buf[64];
    for (size_t i = begin; i < end; ++i) {
      hits.clear();
      index.search(queries.hashes[i], o.threshold, &hits);
      std::sort(hits.begin(), hits.end(), [](const index::Hit& a, const index::Hit& b) { return a.id < b.id; });
      for (const auto& h : hits) {
        const int n =
            std::snprintf(buf, sizeof buf, "%llu\t%llu\t%d\n", static_cast<unsigned long long>(queries.lines[i]),
                          static_cast<unsigned long long>(h.id), h.distance);
        text.append(buf, static_cast<size_t>(n));
      }
      counts[w] += hits.size();
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < jobs; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& th : pool) th.join();
  const double query_s = since(t0);
  uint64_t matches = 0;
  for (int w = 0; w < jobs; ++w) {
    std::fwrite(outputs[w].data(), 1, outputs[w].size(), stdout);
    matches += counts[w];
  }
  std::fflush(stdout);
  const uint64_t skipped = list.skipped + queries.skipped;
  if (skipped > 0) {
    std::fprintf(stderr, "chainbreak: skipped %llu malformed line(s)\n", static_cast<unsigned long long>(skipped));
    exit_code = 1;
  }
  if (o.stats) {
    std::fprintf(stderr, "stats build_s=%.3f query_s=%.3f queries=%zu matches=%llu\n", build_s, query_s, nq,
                 static_cast<unsigned long long>(matches));
  }
  return exit_code;
}

}  // namespace chainbreak::cli
