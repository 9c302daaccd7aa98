// PDQ index benchmark: build, lookups per second on one thread at given
// thresholds (half the queries planted 0..31 bits from a listed hash, half
// random), recall checked against the brute-force scan on a sample, updates
// per second while a reader searches, snapshot save/load, memory.
//
//   bench_index [--n N] [--queries Q] [--thresholds 31,48] [--updates U] [--snapshot DIR]
//
// Prints one "key=value ..." line per measurement (bench/run_index_bench.sh
// collects them next to FAISS's figures).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "index/pdq_index.h"
#include "index/pdq_scan.h"

using chainbreak::index::Hit;
using chainbreak::index::PdqIndex;
using chainbreak::pdq::Hash256;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

Hash256 random_hash(std::mt19937_64& rng) {
  Hash256 h;
  for (auto& w : h.words) w = rng();
  return h;
}

Hash256 flip(Hash256 h, int k, std::mt19937_64& rng) {
  for (int i = 0; i < k;) {
    const int b = static_cast<int>(rng() % 256);
    const uint64_t bit = uint64_t{1} << (b & 63);
    // Flip distinct bits only: track with a local mask of flipped positions.
    static thread_local uint64_t done[4];
    if (i == 0) std::memset(done, 0, sizeof done);
    if (done[b >> 6] & bit) continue;
    done[b >> 6] |= bit;
    h.words[b >> 6] ^= bit;
    ++i;
  }
  return h;
}

size_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  if (std::fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
  std::fclose(f);
  return resident * 4096;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 1000000, nq = 20000, updates = 0;
  std::vector<int> thresholds = {31, 48};
  std::string snapshot_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--n")
      n = std::stoull(argv[i + 1]);
    else if (k == "--queries")
      nq = std::stoull(argv[i + 1]);
    else if (k == "--updates")
      updates = std::stoull(argv[i + 1]);
    else if (k == "--snapshot")
      snapshot_dir = argv[i + 1];
    else if (k == "--thresholds") {
      thresholds.clear();
      for (const char* p = argv[i + 1]; *p;) {
        thresholds.push_back(std::atoi(p));
        while (*p && *p != ',') ++p;
        if (*p == ',') ++p;
      }
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  std::mt19937_64 rng(20261123);
  std::vector<Hash256> hashes(n);
  std::vector<uint64_t> ids(n);
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = random_hash(rng);
    ids[i] = i;
  }
  std::vector<Hash256> queries(nq);
  for (size_t i = 0; i < nq; ++i) {
    queries[i] = i % 2 ? random_hash(rng) : flip(hashes[rng() % n], static_cast<int>(rng() % 32), rng);
  }
  const size_t rss0 = rss_bytes();
  PdqIndex::Options opt;
  opt.build_threads = 1;
  PdqIndex index(opt);
  auto t0 = Clock::now();
  index.build(hashes, ids);
  const double build_s = seconds_since(t0);
  const auto st = index.stats();
  std::printf("build n=%zu build_s=%.3f index_bytes=%zu bytes_per_hash=%.1f rss_delta_bytes=%zu\n", n, build_s,
              st.memory_bytes, double(st.memory_bytes) / double(n), rss_bytes() - rss0);

  for (int t : thresholds) {
    std::vector<Hit> out;
    size_t matches = 0;
    t0 = Clock::now();
    for (const auto& q : queries) {
      out.clear();
      index.search(q, t, &out);
      matches += out.size();
    }
    const double s = seconds_since(t0);
    // The same queries through the batch path (pipelined across queries).
    std::vector<int> ths(nq, t);
    std::vector<std::vector<Hit>> batch;
    size_t batch_matches = 0;
    t0 = Clock::now();
    for (size_t b = 0; b < nq; b += 256) {
      const size_t m = std::min<size_t>(256, nq - b);
      index.search_batch(std::span(queries).subspan(b, m), std::span(ths).subspan(b, m), &batch);
      for (const auto& v : batch) batch_matches += v.size();
    }
    const double sb = seconds_since(t0);
    // Recall against the brute-force scan on a sample of queries.
    const size_t sample = std::min<size_t>(nq, n >= 10000000 ? 40 : 200);
    size_t want = 0, got = 0;
    std::vector<chainbreak::index::ScanHit> raw;
    std::vector<int> th(sample, t);
    chainbreak::index::scan(hashes, std::span(queries).first(sample), th, &raw);
    want = raw.size();
    for (size_t i = 0; i < sample; ++i) {
      out.clear();
      index.search(queries[i], t, &out);
      got += out.size();
    }
    std::printf(
        "lookup n=%zu t=%d queries=%zu seconds=%.3f lookups_per_s=%.0f batch_lookups_per_s=%.0f matches=%zu "
        "batch_matches=%zu recall_sample=%zu/%zu\n",
        n, t, nq, s, double(nq) / s, double(nq) / sb, matches, batch_matches, got, want);
  }

  if (updates > 0) {
    // Additions and removals at full speed on this thread while a reader
    // searches on another; the reader checks planted queries stay found.
    std::atomic<bool> stop{false};
    std::atomic<size_t> reads{0}, misses{0};
    std::thread reader([&] {
      std::mt19937_64 r(5);
      std::vector<Hit> out;
      while (!stop.load()) {
        const size_t k = r() % n;
        out.clear();
        index.search(hashes[k], 31, &out);
        bool found = false;
        for (const auto& h : out) found |= h.id == ids[k] && h.distance == 0;
        if (!found) misses.fetch_add(1);
        reads.fetch_add(1);
      }
    });
    std::vector<Hash256> added(updates);
    for (auto& h : added) h = random_hash(rng);
    t0 = Clock::now();
    for (size_t i = 0; i < updates; ++i) {
      index.add(n + i, added[i]);
      if (i % 2 == 1) index.remove(n + i - 1, added[i - 1]);
    }
    const double s = seconds_since(t0);
    stop.store(true);
    reader.join();
    std::printf(
        "updates n=%zu ops=%zu seconds=%.3f ops_per_s=%.0f concurrent_lookups=%zu lookups_per_s=%.0f "
        "stable_misses=%zu segments=%zu\n",
        n, updates + updates / 2, s, double(updates + updates / 2) / s, reads.load(), double(reads.load()) / s,
        misses.load(), index.stats().segments);
  }

  if (!snapshot_dir.empty()) {
    const std::string path = snapshot_dir + "/bench.snap";
    t0 = Clock::now();
    auto status = index.save(path);
    const double save_s = seconds_since(t0);
    if (!status.ok()) {
      std::fprintf(stderr, "save: %s\n", status.message().c_str());
      return 1;
    }
    PdqIndex::Options lopt;
    lopt.build_threads = 2;
    t0 = Clock::now();
    auto loaded = PdqIndex::load(path, lopt);
    const double load_s = seconds_since(t0);
    if (!loaded.ok()) {
      std::fprintf(stderr, "load: %s\n", loaded.status().message().c_str());
      return 1;
    }
    std::printf("snapshot n=%zu save_s=%.3f load_s=%.3f (2 threads)\n", loaded.value()->stats().live, save_s, load_s);
    if (!std::getenv("BENCH_KEEP_SNAPSHOT")) std::remove(path.c_str());
  }
  return 0;
}
