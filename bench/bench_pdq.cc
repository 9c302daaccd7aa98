// PDQ hashing throughput on in-memory JPEGs, side by side with the physical
// limit: a plain libjpeg-turbo (TurboJPEG) decode of the same files, at full
// scale and at the reduced scale --fast picks. One iteration = one image,
// cycling through the set; single thread.
//   CHAINBREAK_BENCH_DIR=DIR bench_pdq [google-benchmark flags]
// bench/run_pdq_bench.sh generates the images and prints the ratios.
#include <benchmark/benchmark.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "signals/pdq_file.h"
#include "util/file.h"

namespace {

using namespace chainbreak;

const std::vector<std::vector<uint8_t>>& images() {
  static const std::vector<std::vector<uint8_t>> files = [] {
    std::vector<std::vector<uint8_t>> out;
    const char* dir = std::getenv("CHAINBREAK_BENCH_DIR");
    if (dir == nullptr) return out;
    std::vector<std::string> paths;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".jpg") paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const std::string& p : paths) {
      std::vector<uint8_t> bytes;
      if (read_file(p, 1ull << 30, bytes).ok()) out.push_back(std::move(bytes));
    }
    return out;
  }();
  return files;
}

bool have_images(benchmark::State& state) {
  if (images().empty()) {
    state.SkipWithError("set CHAINBREAK_BENCH_DIR to a folder of JPEGs (bench/run_pdq_bench.sh does)");
    return false;
  }
  return true;
}

// TurboJPEG decode to RGB at scale num/8: the decode-only peer.
void decode_turbojpeg(benchmark::State& state, int num) {
  if (!have_images(state)) return;
  tjhandle tj = tjInitDecompress();
  std::vector<uint8_t> rgb;
  size_t i = 0;
  for (auto _ : state) {
    const std::vector<uint8_t>& f = images()[i++ % images().size()];
    int w, h, sub, cs;
    tjDecompressHeader3(tj, f.data(), f.size(), &w, &h, &sub, &cs);
    const int sw = TJSCALED(w, (tjscalingfactor{num, 8})), sh = TJSCALED(h, (tjscalingfactor{num, 8}));
    rgb.resize(static_cast<size_t>(sw) * sh * 3);
    if (tjDecompress2(tj, f.data(), f.size(), rgb.data(), sw, 0, sh, TJPF_RGB, 0) != 0) {
      state.SkipWithError(tjGetErrorStr2(tj));
      break;
    }
    benchmark::DoNotOptimize(rgb.data());
  }
  tjDestroy(tj);
  state.SetItemsProcessed(state.iterations());
}

// The scale --fast picks for these images (all of one size).
int fast_scale_num() {
  if (images().empty()) return 8;
  tjhandle tj = tjInitDecompress();
  int w = 0, h = 0, sub, cs;
  tjDecompressHeader3(tj, images()[0].data(), images()[0].size(), &w, &h, &sub, &cs);
  tjDestroy(tj);
  return image::fast_jpeg_scale_num(static_cast<unsigned>(std::min(w, h)), signals::PdqOptions{}.fast_min_side);
}

void BM_DecodeOnlyFull(benchmark::State& state) { decode_turbojpeg(state, 8); }
void BM_DecodeOnlyFastScale(benchmark::State& state) {
  state.SetLabel("scale " + std::to_string(fast_scale_num()) + "/8");
  decode_turbojpeg(state, fast_scale_num());
}

void hash_mode(benchmark::State& state, signals::PdqMode mode) {
  if (!have_images(state)) return;
  signals::PdqOptions options;
  options.mode = mode;
  signals::PdqFileHasher hasher(options);
  size_t i = 0;
  for (auto _ : state) {
    Result<signals::PdqSignal> r = hasher.hash_bytes(images()[i++ % images().size()]);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(r.value().hash);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HashDefault(benchmark::State& state) { hash_mode(state, signals::PdqMode::kDefault); }
void BM_HashFast(benchmark::State& state) { hash_mode(state, signals::PdqMode::kFast); }
void BM_HashReferenceIo(benchmark::State& state) { hash_mode(state, signals::PdqMode::kReferenceIo); }

// The algorithm alone on a 1024x768 float luma array (no decoding).
void BM_PdqCore1024x768(benchmark::State& state) {
  const int rows = 768, cols = 1024;
  std::vector<float> luma(static_cast<size_t>(rows) * cols), work;
  std::mt19937 rng(1);
  for (float& v : luma) v = static_cast<float>(rng() % 256);
  pdq::PdqHasher hasher;
  for (auto _ : state) {
    work = luma;
    benchmark::DoNotOptimize(hasher.hash(work.data(), rows, cols));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_DecodeOnlyFull)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeOnlyFastScale)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HashDefault)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HashFast)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HashReferenceIo)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PdqCore1024x768)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
