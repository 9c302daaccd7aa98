// The fast PDQ core against the plain oracle (bit for bit), and Hash256.
#include "signals/pdq/pdq.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "pdq_oracle.h"

namespace chainbreak::pdq {
namespace {

std::vector<float> random_luma(int rows, int cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> noise(0.0f, 255.0f);
  std::vector<float> v(static_cast<size_t>(rows) * cols);
  // Structure (gradients and waves) plus noise, quantised like real luma.
  const double fx = 1 + seed % 7, fy = 1 + seed % 5;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      double s = 127 + 90 * std::sin(fx * 6.28 * c / cols) * std::cos(fy * 6.28 * r / rows);
      s = 0.8 * s + 0.2 * noise(rng);
      v[static_cast<size_t>(r) * cols + c] =
          static_cast<float>(0.299f * std::round(s) + 0.587f * std::round(s * 0.9) + 0.114f * std::round(255 - s));
    }
  return v;
}

class FastVsOracle : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(FastVsOracle, SameHashQualityAndDownsample) {
  const auto [rows, cols] = GetParam();
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    std::vector<float> luma = random_luma(rows, cols, seed + rows * 31 + cols);
    oracle::OracleHash want = oracle::hash_luma(luma, rows, cols);
    PdqHasher hasher;
    std::vector<float> work = luma;
    PdqHash got = hasher.hash(work.data(), rows, cols);
    EXPECT_EQ(got.hash.hex(), want.hash.hex()) << rows << "x" << cols << " seed " << seed;
    EXPECT_EQ(got.quality, want.quality);
    if (rows >= kMinHashableSide && cols >= kMinHashableSide && !(rows == 64 && cols == 64)) {
      std::vector<float> work2 = luma, scratch(static_cast<size_t>(rows) * std::max(cols, 64));
      float a[64][64];
      jarosz_downsample_64(work2.data(), scratch.data(), rows, cols, a);
      for (int i = 0; i < 64; ++i)
        for (int j = 0; j < 64; ++j) ASSERT_EQ(a[i][j], want.downsample[i][j]) << i << "," << j;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, FastVsOracle,
                         ::testing::Values(std::pair{4, 100}, std::pair{5, 5}, std::pair{7, 300}, std::pair{64, 64},
                                           std::pair{63, 65}, std::pair{100, 100}, std::pair{129, 257},
                                           std::pair{333, 517}, std::pair{512, 512}, std::pair{768, 1024},
                                           std::pair{1001, 37}, std::pair{9, 2000}));

TEST(PdqHasher, SmallImagesHashToZeroWithQualityZero) {
  PdqHasher hasher;
  std::vector<float> luma(4 * 50, 100.0f);
  PdqHash h = hasher.hash(luma.data(), 4, 50);
  EXPECT_EQ(h.hash, Hash256{});
  EXPECT_EQ(h.quality, 0);
}

TEST(PdqHasher, DihedralOriginalEqualsPlainHash) {
  std::vector<float> luma = random_luma(300, 200, 9);
  PdqHasher hasher;
  std::vector<float> a = luma, b = luma;
  PdqHash plain = hasher.hash(a.data(), 300, 200);
  PdqDihedralHashes d = hasher.hash_dihedral(b.data(), 300, 200);
  EXPECT_EQ(d.hashes[0], plain.hash);
  EXPECT_EQ(d.quality, plain.quality);
}

// On a 64x64 input (no blur) the transformed image's DCT is the transformed
// DCT, up to float rounding: the dihedral hashes must match the hashes of
// actually rotated and flipped arrays, give or take a rounding bit.
TEST(PdqHasher, DihedralMatchesTransformedImages) {
  std::vector<float> img = random_luma(64, 64, 5);
  auto at = [&](int r, int c) { return img[r * 64 + c]; };
  PdqHasher hasher;
  std::vector<float> work = img;
  PdqDihedralHashes d = hasher.hash_dihedral(work.data(), 64, 64);
  struct Case {
    Dihedral which;
    std::function<float(int, int)> pixel;  // pixel (r, c) of the transformed image
  };
  const std::vector<Case> cases = {
      {Dihedral::kRotate90, [&](int r, int c) { return at(c, 63 - r); }},
      {Dihedral::kRotate180, [&](int r, int c) { return at(63 - r, 63 - c); }},
      {Dihedral::kRotate270, [&](int r, int c) { return at(63 - c, r); }},
      {Dihedral::kFlipX, [&](int r, int c) { return at(63 - r, c); }},
      {Dihedral::kFlipY, [&](int r, int c) { return at(r, 63 - c); }},
      {Dihedral::kFlipPlus1, [&](int r, int c) { return at(c, r); }},
      {Dihedral::kFlipMinus1, [&](int r, int c) { return at(63 - c, 63 - r); }},
  };
  for (const Case& k : cases) {
    std::vector<float> t(64 * 64);
    for (int r = 0; r < 64; ++r)
      for (int c = 0; c < 64; ++c) t[r * 64 + c] = k.pixel(r, c);
    PdqHash h = hasher.hash(t.data(), 64, 64);
    EXPECT_LE(hamming_distance(h.hash, d.hashes[static_cast<int>(k.which)]), 2) << dihedral_name(k.which);
    EXPECT_GT(hamming_distance(h.hash, d.hashes[0]), 60) << "transform " << dihedral_name(k.which) << " is no-op?";
  }
}

TEST(Hash256, HexRoundTripAndBitOrder) {
  Hash256 h;
  h.set_bit(0);
  h.set_bit(255);
  EXPECT_EQ(h.hex(), "8000000000000000000000000000000000000000000000000000000000000001");
  Result<Hash256> back = Hash256::from_hex(h.hex());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), h);
  const std::string mixed = "D8F8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
  Result<Hash256> m = Hash256::from_hex(mixed);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.value().hex(), "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22");
}

TEST(Hash256, ParseErrorsNameTheProblem) {
  Result<Hash256> short_hex = Hash256::from_hex("abc");
  ASSERT_FALSE(short_hex.ok());
  EXPECT_NE(short_hex.status().message().find("64 hex digits, got 3"), std::string::npos);
  std::string bad(64, '0');
  bad[10] = 'g';
  Result<Hash256> r = Hash256::from_hex(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("position 11"), std::string::npos);
}

TEST(Hash256, HammingDistance) {
  Hash256 a, b;
  EXPECT_EQ(hamming_distance(a, b), 0);
  for (int k = 0; k < 256; k += 3) b.set_bit(k);
  EXPECT_EQ(hamming_distance(a, b), 86);
  EXPECT_EQ(hamming_distance(b, b), 0);
}

}  // namespace
}  // namespace chainbreak::pdq
