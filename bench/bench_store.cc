// Bulk add and scan rates of the stores, with random PDQ values and short
// provenance (no real hashes):
//   bench_store [--entries N] [--batch B] [LOCATION...]
// Each LOCATION is a SQLite path or a PostgreSQL conninfo (open_store). With
// none: a SQLite file in a temporary directory, plus $CHAINBREAK_TEST_PG
// when set (scripts/with-postgres.sh build/bench/bench_store). Each run
// writes into a fresh bank, so a location may hold other data.
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using chainbreak::store::Entry;
using Clock = std::chrono::steady_clock;

std::vector<Entry> make_entries(size_t n, std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::vector<Entry> v(n);
  for (size_t i = 0; i < n; ++i) {
    Entry& e = v[i];
    e.type = chainbreak::store::SignalType::kPdq;
    e.value.resize(64);
    for (size_t k = 0; k < 64; k += 16) {
      uint64_t r = rng();
      for (size_t j = 0; j < 16; ++j, r >>= 4) e.value[k + j] = kHex[r & 15];
    }
    e.external_id = "id-" + std::to_string(i);
    e.source_org = "bench";
    e.classification = "A1";
  }
  return v;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU seconds of this process (all threads): the rate per CPU second does
// not depend on how busy the machine is; the wall rate does.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

int run(const std::string& label, const std::string& location, size_t total, size_t batch) {
  auto opened = chainbreak::store::open_store(location);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), opened.status().message().c_str());
    return 1;
  }
  auto& store = *opened.value();
  chainbreak::store::Bank bank;
  bank.name = "bench-" + std::to_string(std::random_device{}() % 1000000000);
  auto created = store.create_bank(bank);
  if (!created.ok()) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), created.status().message().c_str());
    return 1;
  }
  std::mt19937_64 rng(42);
  std::vector<Entry> entries = make_entries(batch, rng);
  double add_s = 0, add_cpu = 0;
  for (size_t done = 0; done < total; done += batch) {
    for (Entry& e : entries) e.value[0] = "0123456789abcdef"[rng() & 15];  // fresh values per batch
    auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    auto ids = store.add_entries(created.value().id, entries);
    add_cpu += cpu_seconds() - c0;
    add_s += seconds_since(t0);
    if (!ids.ok()) {
      std::fprintf(stderr, "%s: %s\n", label.c_str(), ids.status().message().c_str());
      return 1;
    }
  }
  auto t0 = Clock::now();
  size_t scanned = 0;
  auto st = store.scan_entries(created.value().id, false, [&](const Entry&) { return ++scanned, true; });
  const double scan_s = seconds_since(t0);
  if (!st.ok() || scanned != total) {
    std::fprintf(stderr, "%s: scan: %s (%zu rows)\n", label.c_str(), st.message().c_str(), scanned);
    return 1;
  }
  std::printf(
      "%-8s add %zu in batches of %zu: %.2f s, %.0f entries/s (client CPU %.2f s, %.0f entries/CPU-s); "
      "scan %.0f entries/s\n",
      label.c_str(), total, batch, add_s, total / add_s, add_cpu, total / add_cpu, total / scan_s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  size_t total = 1000000, batch = 100000;
  std::vector<std::string> locations;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--entries") == 0 && i + 1 < argc) {
      total = std::stoul(argv[++i]);
    } else if (std::strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
      batch = std::stoul(argv[++i]);
    } else {
      locations.emplace_back(argv[i]);
    }
  }
  if (batch == 0 || total % batch != 0) {
    std::fprintf(stderr, "--entries must be a multiple of --batch\n");
    return 2;
  }
  int rc = 0;
  if (!locations.empty()) {
    for (const std::string& l : locations)
      rc |= run(l.find('=') != std::string::npos ? "postgres" : "sqlite", l, total, batch);
    return rc;
  }
  std::string dir = (std::filesystem::temp_directory_path() / "chainbreak-bench-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  rc |= run("sqlite", dir + "/bench.db", total, batch);
  std::filesystem::remove_all(dir);
  if (const char* pg = std::getenv("CHAINBREAK_TEST_PG"); pg && *pg) rc |= run("postgres", pg, total, batch);
  return rc;
}
