// Compatibility with Meta's reference PDQ tool, on the public reference test
// images in ../shared/data/pdq-reference (read in place, never copied).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "signals/pdq_file.h"
#include "test_support.h"

namespace chainbreak {
namespace {

using signals::PdqFileHasher;
using signals::PdqMode;
using signals::PdqOptions;

struct Expected {
  std::string path;  // absolute
  std::string hash;
  int quality;
};

// Rows of our_build_cpp_hashes.csv whose image is present.
std::vector<Expected> expected_rows(const std::string& dir) {
  std::vector<Expected> rows;
  std::ifstream in(dir + "/our_build_cpp_hashes.csv");
  std::string line;
  while (std::getline(in, line)) {
    const size_t a = line.find(','), b = line.find(',', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string file = dir + "/" + line.substr(b + 3);  // strip "./"
    if (std::filesystem::exists(file))
      rows.push_back({file, line.substr(0, a), std::stoi(line.substr(a + 1, b - a - 1))});
  }
  return rows;
}

#define REQUIRE_SHARED_DATA(dir)                                                          \
  const std::string dir = testing::pdq_reference_dir();                                   \
  if (dir.empty())                                                                        \
  GTEST_SKIP() << "shared PDQ reference data absent (expected at " CHAINBREAK_SHARED_DATA \
                  "/pdq-reference or $CHAINBREAK_SHARED_DATA): compatibility not checked"

PdqFileHasher hasher(PdqMode mode, bool dihedral = false) {
  PdqOptions o;
  o.mode = mode;
  o.dihedral = dihedral;
  return PdqFileHasher(o);
}

int distance(const std::string& a, const std::string& b) {
  return pdq::hamming_distance(pdq::Hash256::from_hex(a).value(), pdq::Hash256::from_hex(b).value());
}

TEST(ReferenceCompat, ReferenceIoIsBitExactForQualityAtLeast50) {
  REQUIRE_SHARED_DATA(dir);
  PdqFileHasher h = hasher(PdqMode::kReferenceIo);
  int checked = 0;
  for (const Expected& e : expected_rows(dir)) {
    if (e.quality < pdq::kMinTrustedQuality) continue;
    Result<signals::PdqSignal> r = h.hash_file(e.path);
    ASSERT_TRUE(r.ok()) << e.path << ": " << r.status().message();
    EXPECT_EQ(r.value().hash.hex(), e.hash) << e.path;
    EXPECT_EQ(r.value().quality, e.quality) << e.path;
    ++checked;
  }
  EXPECT_GE(checked, 30) << "too few reference images found in " << dir;
}

TEST(ReferenceCompat, DefaultModeWithin10BitsForQualityAtLeast80) {
  REQUIRE_SHARED_DATA(dir);
  PdqFileHasher h = hasher(PdqMode::kDefault);
  int checked = 0;
  for (const Expected& e : expected_rows(dir)) {
    if (e.quality < 80) continue;
    Result<signals::PdqSignal> r = h.hash_file(e.path);
    ASSERT_TRUE(r.ok()) << e.path << ": " << r.status().message();
    EXPECT_LE(distance(r.value().hash.hex(), e.hash), 10) << e.path;
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(ReferenceCompat, FastModeWithin10BitsOfDefaultOnJpegs) {
  REQUIRE_SHARED_DATA(dir);
  PdqFileHasher def = hasher(PdqMode::kDefault), fast = hasher(PdqMode::kFast);
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".jpg") continue;
    Result<signals::PdqSignal> d = def.hash_file(entry.path());
    Result<signals::PdqSignal> f = fast.hash_file(entry.path());
    ASSERT_TRUE(d.ok() && f.ok()) << entry.path();
    if (d.value().quality < 80) continue;
    EXPECT_LE(pdq::hamming_distance(d.value().hash, f.value().hash), 10) << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

TEST(ReferenceCompat, BridgeModsMatchTheOriginalWithin31InEveryMode) {
  REQUIRE_SHARED_DATA(dir);
  for (PdqMode mode : {PdqMode::kDefault, PdqMode::kReferenceIo, PdqMode::kFast}) {
    PdqFileHasher h = hasher(mode);
    Result<signals::PdqSignal> orig = h.hash_file(dir + "/bridge-mods/aaa-orig.jpg");
    ASSERT_TRUE(orig.ok());
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir + "/bridge-mods")) {
      Result<signals::PdqSignal> r = h.hash_file(entry.path());
      ASSERT_TRUE(r.ok()) << entry.path();
      EXPECT_LE(pdq::hamming_distance(orig.value().hash, r.value().hash), pdq::kDefaultMatchThreshold)
          << entry.path() << " mode " << static_cast<int>(mode);
      ++checked;
    }
    EXPECT_EQ(checked, 12);
  }
}

// The dihedral hashes of the original are close to the hashes of the rotated
// and flipped files (computed from one DCT, as the reference does).
TEST(ReferenceCompat, DihedralHashesFindTheTransformedFiles) {
  REQUIRE_SHARED_DATA(dir);
  PdqFileHasher dih = hasher(PdqMode::kReferenceIo, true), plain = hasher(PdqMode::kReferenceIo);
  Result<signals::PdqSignal> orig = dih.hash_file(dir + "/reg-test-input/dih/bridge-1-original.jpg");
  ASSERT_TRUE(orig.ok());
  const char* files[] = {"bridge-1-original.jpg",    "bridge-2-rotate-90.jpg",   "bridge-3-rotate-180.jpg",
                         "bridge-4-rotate-270.jpg",  "bridge-5-flipx.jpg",       "bridge-6-flipy.jpg",
                         "bridge-7-flip-plus-1.jpg", "bridge-8-flip-minus-1.jpg"};
  for (int k = 0; k < pdq::kNumDihedral; ++k) {
    Result<signals::PdqSignal> t = plain.hash_file(dir + "/reg-test-input/dih/" + files[k]);
    ASSERT_TRUE(t.ok());
    EXPECT_LE(pdq::hamming_distance(orig.value().dihedral[k], t.value().hash), pdq::kDefaultMatchThreshold) << files[k];
    if (k > 0) {
      EXPECT_GT(pdq::hamming_distance(orig.value().hash, t.value().hash), 64) << files[k];
    }
  }
}

// Pixel-level check of the decoders against ImageMagick 6, the decoder the
// reference tool runs, on every reference image.
TEST(ReferenceCompat, ReferenceIoPixelsEqualImageMagicks) {
  REQUIRE_SHARED_DATA(dir);
  if (!testing::imagemagick_available()) GTEST_SKIP() << "ImageMagick's convert is not installed";
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string ext = entry.path().extension();
    if (ext != ".jpg" && ext != ".png" && ext != ".webp") continue;
    EXPECT_TRUE(testing::same_pixels_as_imagemagick(entry.path()));
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

}  // namespace
}  // namespace chainbreak
