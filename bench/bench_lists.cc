// Hash-list parsing and writing throughput on generated synthetic lists
// (random hashes, made-up names), one thread. Items are list lines
// (records); the readers run end to end (block reads, parsing, filling the
// caller's Record), from memory and from a file in the page cache.
//   bench_lists [google-benchmark flags]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "lists/hash_list.h"

namespace {

using namespace chainbreak;
using lists::Format;

constexpr int kLines = 1'000'000;

std::string hex(std::mt19937_64& rng, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(n, '0');
  for (char& c : s) c = kDigits[rng() & 15];
  return s;
}

enum class Data { kPlain, kPlainMeta, kCsv, kXml };

const std::string& data(Data which) {
  static std::string cache[4];
  std::string& s = cache[static_cast<int>(which)];
  if (!s.empty()) return s;
  std::mt19937_64 rng(42);
  switch (which) {
    case Data::kPlain:
      for (int i = 0; i < kLines; ++i) s += hex(rng, 64) + "\n";
      break;
    case Data::kPlainMeta:
      for (int i = 0; i < kLines; ++i)
        s += hex(rng, 64) + "\tcase-" + std::to_string(i) +
             "\tsource_org=example-hotline\tclassification=A1\tadded_at=2024-05-01T12:00:00Z\tbatch=b" +
             std::to_string(i % 100) + "\n";
      break;
    case Data::kCsv:
      s = "signal_type,signal_str,collab,category,tags\r\n";
      for (int i = 0; i < kLines; ++i) s += "pdq," + hex(rng, 64) + ",example-hotline,POSITIVE_CLASS,A1\r\n";
      break;
    case Data::kXml:
      s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<queryResult "
          "xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\">\n<images count=\"1\">\n";
      for (int i = 0; i < kLines / 2; ++i)  // two supported fingerprints per entry: kLines records
        s += "<image>\n<member id=\"42\">example-hotline</member>\n<timestamp>2024-05-01T12:00:00Z</timestamp>\n<id>e" +
             std::to_string(i) + "</id>\n<classification>A1</classification>\n<fingerprints>\n<md5>" + hex(rng, 32) +
             "</md5>\n<pdq>" + hex(rng, 64) + "</pdq>\n</fingerprints>\n</image>\n";
      s += "</images>\n</queryResult>\n";
      break;
  }
  return s;
}

Format format_of(Data d) {
  return d == Data::kCsv ? Format::kHmaCsv : d == Data::kXml ? Format::kNcmecXml : Format::kPlain;
}

void drain(benchmark::State& state, lists::Reader& reader) {
  lists::Record rec;
  lists::RecordError err;
  int64_t n = 0;
  for (;;) {
    Result<bool> r = reader.next(&rec, &err);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    if (!r.value()) break;
    if (!err.reason.empty()) {
      state.SkipWithError(err.reason.c_str());
      return;
    }
    ++n;
  }
  benchmark::DoNotOptimize(rec.entry.value.data());
  if (n != kLines) state.SkipWithError("wrong record count");
}

void BM_ReadMemory(benchmark::State& state, Data which) {
  const std::string& d = data(which);
  for (auto _ : state) {
    std::unique_ptr<lists::Reader> reader =
        lists::open_reader_from_memory(d, format_of(which), store::SignalType::kPdq);
    drain(state, *reader);
  }
  state.SetItemsProcessed(state.iterations() * kLines);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(d.size()));
}

void BM_ReadFile(benchmark::State& state, Data which) {
  const std::string& d = data(which);
  const std::string path = (std::filesystem::temp_directory_path() / "chainbreak_bench_lists.txt").string();
  std::ofstream(path, std::ios::binary) << d;
  for (auto _ : state) {
    Result<std::unique_ptr<lists::Reader>> reader = lists::open_reader(path, format_of(which), store::SignalType::kPdq);
    if (!reader.ok()) {
      state.SkipWithError(reader.status().message().c_str());
      break;
    }
    drain(state, *reader.value());
  }
  std::filesystem::remove(path);
  state.SetItemsProcessed(state.iterations() * kLines);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(d.size()));
}

void BM_Write(benchmark::State& state, Format format) {
  std::mt19937_64 rng(3);
  std::vector<store::Entry> entries(kLines / 4);
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].value = hex(rng, 64);
    entries[i].external_id = "case-" + std::to_string(i);
    entries[i].source_org = "example-hotline";
    entries[i].classification = "A1";
    entries[i].added_at = 1714564800;
  }
  std::FILE* out = std::fopen("/dev/null", "w");
  for (auto _ : state) {
    Result<std::unique_ptr<lists::Writer>> w = lists::open_writer(out, format);
    for (const store::Entry& e : entries)
      if (!w.value()->write(e).ok()) state.SkipWithError("write failed");
    if (!w.value()->finish().ok()) state.SkipWithError("finish failed");
  }
  std::fclose(out);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(entries.size()));
}

BENCHMARK_CAPTURE(BM_ReadMemory, plain, Data::kPlain)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ReadFile, plain, Data::kPlain)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ReadMemory, plain_metadata, Data::kPlainMeta)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ReadFile, plain_metadata, Data::kPlainMeta)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ReadMemory, hma_csv, Data::kCsv)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ReadMemory, ncmec_xml, Data::kXml)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Write, plain, Format::kPlain)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Write, hma_csv, Format::kHmaCsv)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Write, ncmec_xml, Format::kNcmecXml)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
