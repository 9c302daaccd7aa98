// Decoders on the generated fixtures: every format and variant decodes,
// every bad file fails with a precise error, pixels agree with ImageMagick.
#include <gtest/gtest.h>

#include "signals/image/image.h"
#include "signals/pdq_file.h"
#include "test_support.h"

namespace chainbreak {
namespace {

using image::DecodeMode;
using image::DecodeOptions;

std::vector<std::pair<std::string, std::string>> manifest_or_fail() {
  auto rows = testing::fixture_manifest();
  EXPECT_GE(rows.size(), 30u) << "fixtures missing in " << testing::fixtures_dir()
                              << " (run chainbreak-gen-fixtures formats DIR)";
  return rows;
}

TEST(Decode, EveryGoodFixtureDecodesInEveryMode) {
  for (const auto& [name, kind] : manifest_or_fail()) {
    if (kind != "ok") continue;
    const std::vector<uint8_t> bytes = testing::read_bytes(testing::fixtures_dir() + "/" + name);
    for (DecodeMode mode : {DecodeMode::kDefault, DecodeMode::kReferenceIo, DecodeMode::kFast}) {
      DecodeOptions o;
      o.mode = mode;
      Result<image::Image> r = image::decode_image(bytes, o);
      ASSERT_TRUE(r.ok()) << name << ": " << r.status().message();
      const image::Image& img = r.value();
      EXPECT_GT(img.width, 0);
      EXPECT_EQ(img.pixels.size(), static_cast<size_t>(img.width) * img.height * img.channels) << name;
    }
  }
}

TEST(Decode, EveryBadFixtureFailsWithAReason) {
  int bad = 0;
  for (const auto& [name, kind] : manifest_or_fail()) {
    if (kind != "bad") continue;
    ++bad;
    Result<image::Image> r = image::decode_image(testing::read_bytes(testing::fixtures_dir() + "/" + name), {});
    ASSERT_FALSE(r.ok()) << name << " decoded but must not";
    EXPECT_FALSE(r.status().message().empty()) << name;
    if (name.find("bomb") != std::string::npos) {
      EXPECT_EQ(r.status().code(), ErrorCode::kLimitExceeded) << name << ": " << r.status().message();
      EXPECT_NE(r.status().message().find("over the limit"), std::string::npos);
    }
  }
  EXPECT_GE(bad, 8);
}

TEST(Decode, PixelLimitIsCheckedBeforeDecoding) {
  DecodeOptions o;
  o.max_pixels = 1000;
  Result<image::Image> r = image::decode_image(testing::read_bytes(testing::fixtures_dir() + "/jpeg-420.jpg"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(r.status().message().find("200x150 = 30000 pixels"), std::string::npos) << r.status().message();
}

TEST(Decode, ContentDecidesTheFormatNotTheName) {
  Result<image::Image> r =
      image::decode_image(testing::read_bytes(testing::fixtures_dir() + "/bad-wrong-extension.png"), {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().format, image::ImageFormat::kJpeg);
  Result<image::Image> text =
      image::decode_image(testing::read_bytes(testing::fixtures_dir() + "/bad-not-image.jpg"), {});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), ErrorCode::kUnsupported);
}

TEST(Decode, ImagesUnderFivePixelsHashToZeroWithQualityZero) {
  signals::PdqFileHasher h({});
  Result<signals::PdqSignal> r = h.hash_file(testing::fixtures_dir() + "/edge-tiny-4x4.png");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().hash, pdq::Hash256{});
  EXPECT_EQ(r.value().quality, 0);
  Result<signals::PdqSignal> five = h.hash_file(testing::fixtures_dir() + "/edge-5x5.png");
  ASSERT_TRUE(five.ok());
  EXPECT_NE(five.value().hash, pdq::Hash256{});
}

// The decoders in reference mode give ImageMagick 6's pixels, read the way
// Meta's tool reads them, for every format and variant we generate.
TEST(Decode, ReferenceIoPixelsEqualImageMagicksOnEveryFixture) {
  if (!testing::imagemagick_available()) GTEST_SKIP() << "ImageMagick's convert is not installed";
  int checked = 0;
  for (const auto& [name, kind] : manifest_or_fail()) {
    if (kind != "ok") continue;
    EXPECT_TRUE(testing::same_pixels_as_imagemagick(testing::fixtures_dir() + "/" + name));
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(Decode, FastModeStaysWithin10BitsOfDefaultOnJpegFixtures) {
  signals::PdqOptions fast_options;
  fast_options.mode = signals::PdqMode::kFast;
  signals::PdqFileHasher def({}), fast(fast_options);
  int checked = 0;
  for (const auto& [name, kind] : manifest_or_fail()) {
    if (kind != "ok" || name.rfind("jpeg-", 0) != 0) continue;
    Result<signals::PdqSignal> d = def.hash_file(testing::fixtures_dir() + "/" + name);
    Result<signals::PdqSignal> f = fast.hash_file(testing::fixtures_dir() + "/" + name);
    ASSERT_TRUE(d.ok() && f.ok()) << name;
    if (d.value().quality < 80) continue;
    EXPECT_LE(pdq::hamming_distance(d.value().hash, f.value().hash), 10) << name;
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

}  // namespace
}  // namespace chainbreak
