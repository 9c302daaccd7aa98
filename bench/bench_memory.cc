// The machine's memory ceiling for the index: random 64-byte line reads over
// a buffer the size of a 10M-hash index's tables, allocated like them
// (index::Buffer, transparent huge pages). With one chain of dependent reads
// it measures the latency of a random line; with K independent chains
// read in turn, how many lines per second one core can have fetched when K
// are in flight (the memory-level parallelism a lookup's prefetches use).
// A PDQ lookup at 10M touches about 1,800 random lines (docs/BENCHMARKS.md),
// so its time on one core is about 1,800 x the per-line figure at K = 16-32.
//
//   bench_memory [--mib M] [--chains 1,8,16,32] [--reads R]
//
// Prints one "key=value ..." line per chain count; medians of 3 passes.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "index/buffer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Line {
  uint32_t next;  // index of the next line of this line's cycle
  uint32_t pad[15];
};
static_assert(sizeof(Line) == 64);

std::vector<int> parse_list(const char* s) {
  std::vector<int> out;
  for (const char* p = s; *p;) {
    char* end = nullptr;
    const long v = std::strtol(p, &end, 10);
    if (end == p || v < 1 || v > 256) {
      std::fprintf(stderr, "bench_memory: --chains wants numbers from 1 to 256, got %s\n", s);
      std::exit(2);
    }
    out.push_back(static_cast<int>(v));
    p = *end == ',' ? end + 1 : end;
  }
  return out;
}

// Seconds for `reads` reads spread over `chains` independent pointer chases.
double chase(const Line* lines, const std::vector<uint32_t>& starts, size_t reads) {
  std::vector<uint32_t> at(starts);
  const size_t rounds = reads / at.size();
  const auto t0 = Clock::now();
  for (size_t r = 0; r < rounds; ++r) {
    for (uint32_t& a : at) a = lines[a].next;
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  // Keep the result alive so the loop is not removed.
  if (std::accumulate(at.begin(), at.end(), uint64_t{0}) == UINT64_MAX) std::puts("");
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  size_t mib = 1024;
  size_t reads = 4000000;
  std::vector<int> chains = {1, 8, 16, 32};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--mib") {
      mib = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (k == "--reads") {
      reads = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (k == "--chains") {
      chains = parse_list(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: bench_memory [--mib M] [--chains 1,8,16,32] [--reads R]\n");
      return 2;
    }
  }
  // Line indices are 32-bit: at most 2^32 lines (256 GiB).
  if (mib < 1 || mib > (size_t{1} << 18) - 1 || reads < 1000) {
    std::fprintf(stderr, "bench_memory: --mib 1..262143 and --reads >= 1000\n");
    return 2;
  }
  const size_t n = mib * (size_t{1} << 20) / sizeof(Line);
  chainbreak::index::Buffer<Line> lines(n);
  // One random cycle through every line, so no chain revisits a line soon
  // and the hardware prefetchers cannot guess the next one.
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(20261207));
  for (size_t i = 0; i < n; ++i) lines[order[i]].next = order[(i + 1) % n];

  std::printf("memory mib=%zu lines=%zu\n", mib, n);
  for (int k : chains) {
    std::vector<uint32_t> starts(static_cast<size_t>(k));
    for (size_t c = 0; c < starts.size(); ++c) starts[c] = order[c * (n / starts.size())];
    std::vector<double> ns;
    for (int pass = 0; pass < 3; ++pass) ns.push_back(chase(lines.data(), starts, reads) * 1e9);
    std::sort(ns.begin(), ns.end());
    const double per_line = ns[1] / double(reads / starts.size() * starts.size());
    std::printf("memory chains=%d ns_per_line=%.1f ns_per_chain_step=%.1f lines_per_s=%.0f\n", k, per_line,
                per_line * k, 1e9 / per_line);
  }
  return 0;
}
