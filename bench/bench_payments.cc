// Payment screening, in process: per-decision latency (p50/p99, one
// decision at a time, including parse and JSON output) and batch
// throughput, over a stream of 1M accounts with the default rules
// (rules/payments.yaml, 33 rules, plus 2 more: 35).
// The CLI throughput (stdin to stdout, with and without --state) is
// measured by bench/run_payments_bench.sh (speed mode).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "payments/pay_state.h"

namespace {

using namespace chainbreak::payments;

const char* const kExtraRules = R"(
  - id: extra_large_night_transfer
    typology: mule
    weight: 10
    source: "benchmark padding"
    reason: "large night-time transfer"
    when: [{feature: tx.night, op: eq, value: true}, {feature: tx.amount, op: ge, value: "5000"}]
  - id: extra_fan_in_new_payee
    typology: livestream_buyer
    weight: 10
    source: "benchmark padding"
    reason: "fan-in to a new account"
    when: [{feature: payee.account_age_days, op: lt, value: 7}, {feature: payee.fan_in_24h, op: ge, value: 10}]
)";

std::vector<std::string> make_stream(size_t n, uint32_t accounts) {
  std::mt19937_64 rng(42);
  const char* countries[] = {"US", "US", "US", "GB", "CA", "AU", "PH", "NG", "TH", "MX", "DE", "IN"};
  const char* channels[] = {"card", "card", "card", "p2p", "p2p", "bank_transfer", "remittance", "wallet", "crypto"};
  const char* amounts[] = {"25", "50", "100", "12.34", "7.5", "250", "1000.01", "19.99"};
  const char* bands[] = {"adult", "adult", "adult", "adult", "adult", "adult", "adult", "minor", "unknown", "adult"};
  std::vector<std::string> out;
  out.reserve(n);
  int64_t t = 1772323200;
  char buf[512];
  for (size_t i = 0; i < n; ++i) {
    t += static_cast<int64_t>(rng() % 3);
    uint32_t a = static_cast<uint32_t>(rng() % accounts), b = static_cast<uint32_t>(rng() % accounts);
    if (rng() % 20 == 0) b = static_cast<uint32_t>(rng() % 50);
    std::string ts = format_rfc3339(t);
    int len = std::snprintf(
        buf, sizeof buf,
        "{\"id\":\"tx%zu\",\"time\":\"%s\",\"amount\":\"%s\",\"currency\":\"USD\",\"channel\":\"%s\","
        "\"payer\":{\"id\":\"a%u\",\"country\":\"%s\",\"age_band\":\"%s\",\"account_age_days\":%u},"
        "\"payee\":{\"id\":\"a%u\",\"country\":\"%s\",\"age_band\":\"adult\",\"account_age_days\":%u}%s}",
        i, ts.c_str(), amounts[rng() % 8], channels[rng() % 9], a, countries[a % 12], bands[a % 10], a % 2000, b,
        countries[b % 12], b % 1500, rng() % 10 == 0 ? ",\"memo\":\"thanks for lunch\"" : "");
    out.emplace_back(buf, static_cast<size_t>(len));
  }
  return out;
}

std::unique_ptr<Screener> make_screener() {
  auto base = parse_rules(kDefaultRulesYaml, "default");
  std::string text = base.value().text + kExtraRules;
  auto rules = parse_rules(text, "bench");
  if (!rules.ok()) std::abort();
  return std::move(Screener::open(Options{std::move(rules).value(), {}, 1 << 20})).value();
}

const std::vector<std::string>& stream() {
  static const std::vector<std::string> s = make_stream(2'000'000, 1'000'000);
  return s;
}

// One decision at a time: parse, screen, format. Reports p50/p99 of the
// per-decision wall time over the second million (warm state).
void BM_DecisionLatency(benchmark::State& state) {
  const auto& lines = stream();
  for (auto _ : state) {
    auto s = make_screener();
    TxParser p;
    std::string out;
    std::vector<double> ns;
    ns.reserve(lines.size() / 2);
    for (size_t i = 0; i < lines.size(); ++i) {
      auto t0 = std::chrono::steady_clock::now();
      out.clear();
      screen_line(*s, p, lines[i], i + 1, out);
      auto t1 = std::chrono::steady_clock::now();
      if (i >= lines.size() / 2) ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    }
    std::sort(ns.begin(), ns.end());
    state.counters["p50_ns"] = ns[ns.size() / 2];
    state.counters["p99_ns"] = ns[ns.size() * 99 / 100];
    state.counters["p999_ns"] = ns[ns.size() * 999 / 1000];
    state.counters["max_ns"] = ns.back();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
}
BENCHMARK(BM_DecisionLatency)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// Batches through LineScreener (what the CLI does), without I/O.
void BM_BatchThroughput(benchmark::State& state) {
  const auto& lines = stream();
  std::vector<LineRef> refs;
  for (size_t i = 0; i < lines.size(); ++i) refs.push_back({lines[i], i + 1});
  for (auto _ : state) {
    auto s = make_screener();
    LineScreener ls(*s);
    std::string out;
    for (size_t i = 0; i < refs.size(); i += 4096) {
      out.clear();
      ls.run(std::span<const LineRef>(refs).subspan(i, std::min<size_t>(4096, refs.size() - i)), out,
             [](size_t, std::string_view) {});
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
}
BENCHMARK(BM_BatchThroughput)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
