// Helpers shared by the tests: where the test data is, reading files, and
// ImageMagick as an independent decoder (the one Meta's reference tool uses).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chainbreak::testing {

// ../shared/data/pdq-reference (or CHAINBREAK_SHARED_DATA env), or "" when absent.
std::string pdq_reference_dir();
// The generated fixtures directory (written by chainbreak-gen-fixtures).
std::string fixtures_dir();
// (name, kind) rows of the fixtures' MANIFEST.tsv.
std::vector<std::pair<std::string, std::string>> fixture_manifest();
std::vector<uint8_t> read_bytes(const std::string& path);

// Pixels as the reference tool sees them: the PNM ImageMagick writes, read
// the way the reference reads it (P4 bits to 0/255, 16-bit samples to their
// low byte).
struct PnmImage {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};
// Runs `convert FILE pnm:-`; nullopt when ImageMagick is not installed or fails.
std::optional<PnmImage> imagemagick_decode(const std::string& path);
bool imagemagick_available();
// Success when chainbreak's kReferenceIo decode of `path` has ImageMagick's
// size, channel count and pixels; otherwise a failure saying what differs.
::testing::AssertionResult same_pixels_as_imagemagick(const std::string& path);

}  // namespace chainbreak::testing
