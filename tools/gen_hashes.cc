// chainbreak-gen-hashes: deterministic synthetic PDQ hash lists for the
// index benchmarks and the CLI tests (random 256-bit values, no images).
//   usage: chainbreak-gen-hashes N Q SEED LIST QUERIES [MAX_FLIP]
// LIST gets N random hashes, one hex per line. QUERIES gets Q hashes: even
// lines are a random LIST hash with 0..MAX_FLIP (default 31) distinct bits
// flipped ("planted"), odd lines are fresh random hashes.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "signals/pdq/hash256.h"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: chainbreak-gen-hashes N Q SEED LIST QUERIES [MAX_FLIP]\n");
    return 2;
  }
  const size_t n = std::strtoull(argv[1], nullptr, 10);
  const size_t q = std::strtoull(argv[2], nullptr, 10);
  std::mt19937_64 rng(std::strtoull(argv[3], nullptr, 10));
  const int max_flip = argc > 6 ? std::atoi(argv[6]) : 31;
  if (n == 0 || max_flip < 0 || max_flip > 256) {
    std::fprintf(stderr, "chainbreak-gen-hashes: N must be > 0 and MAX_FLIP 0..256\n");
    return 2;
  }
  std::vector<chainbreak::pdq::Hash256> list(n);
  std::FILE* f = std::fopen(argv[4], "w");
  if (!f) {
    std::perror(argv[4]);
    return 1;
  }
  for (auto& h : list) {
    for (auto& w : h.words) w = rng();
    std::fprintf(f, "%s\n", h.hex().c_str());
  }
  if (std::fclose(f) != 0) {
    std::perror(argv[4]);
    return 1;
  }
  f = std::fopen(argv[5], "w");
  if (!f) {
    std::perror(argv[5]);
    return 1;
  }
  for (size_t i = 0; i < q; ++i) {
    chainbreak::pdq::Hash256 h;
    if (i % 2 == 0) {
      h = list[rng() % n];
      const int k = static_cast<int>(rng() % static_cast<uint64_t>(max_flip + 1));
      chainbreak::pdq::Hash256 done;  // bits already flipped
      for (int flipped = 0; flipped < k;) {
        const int b = static_cast<int>(rng() % 256);
        if (done.bit(b)) continue;
        done.set_bit(b);
        h.words[b >> 6] ^= uint64_t{1} << (b & 63);
        ++flipped;
      }
    } else {
      for (auto& w : h.words) w = rng();
    }
    std::fprintf(f, "%s\n", h.hex().c_str());
  }
  if (std::fclose(f) != 0) {
    std::perror(argv[5]);
    return 1;
  }
  return 0;
}
