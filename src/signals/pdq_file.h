// From image files to PDQ signals: decoding (image/) + hashing (pdq/).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "signals/image/image.h"
#include "signals/pdq/pdq.h"
#include "util/result.h"

namespace chainbreak::signals {

enum class PdqMode {
  // Full resolution; JPEGs hashed from their luma plane.
  kDefault,
  // Bit-for-bit Meta's reference command-line tool (pdq-photo-hasher):
  // ImageMagick-identical pixels, then images over 512 pixels on a side are
  // squashed to 512x512 by nearest-neighbour sampling before hashing.
  kReferenceIo,
  // JPEGs decoded at a reduced DCT scale; within 10 bits of kDefault on
  // images of quality >= 80.
  kFast,
};

struct PdqOptions {
  PdqMode mode = PdqMode::kDefault;
  bool dihedral = false;                   // also compute the 8 transforms
  uint64_t max_pixels = 100'000'000;       // decompression-bomb guard
  uint64_t max_file_bytes = 256ull << 20;  // files larger are refused
  int fast_min_side = 256;                 // kFast: smallest side kept by JPEG scaling
};

struct PdqSignal {
  pdq::Hash256 hash;  // of the image as it is
  int quality = 0;
  // Filled when PdqOptions::dihedral: indexed by pdq::Dihedral; [0] == hash.
  std::array<pdq::Hash256, pdq::kNumDihedral> dihedral{};
  int width = 0, height = 0;  // of the decoded image, before any squash
};

// The reference tool's squash: images with a side over 512 become exactly
// 512x512, sampling source pixel floor(x * W / 512), floor(y * H / 512).
inline constexpr int kReferenceSquashSide = 512;
// Writes that 512x512 squash of `img` (same channels) into `out`, reusing
// its pixel buffer.
void squash_to_reference_side(const image::Image& img, image::Image& out);

// Hashes files or in-memory images. Keeps buffers across calls: one per
// thread, not thread-safe.
class PdqFileHasher {
 public:
  explicit PdqFileHasher(PdqOptions options) : options_(options) {}

  // Errors: those of read_file and decode_image, with their messages.
  Result<PdqSignal> hash_file(const std::string& path);
  Result<PdqSignal> hash_bytes(std::span<const uint8_t> bytes);
  // Hashes decoded pixels according to the mode (reference squash and grey
  // handling in kReferenceIo). Never fails.
  PdqSignal hash_image(const image::Image& img);

 private:
  PdqOptions options_;
  pdq::PdqHasher hasher_;
  std::vector<float> luma_;
  std::vector<uint8_t> file_;
  image::Image squashed_;
};

image::DecodeOptions decode_options_for(const PdqOptions& options);

}  // namespace chainbreak::signals
