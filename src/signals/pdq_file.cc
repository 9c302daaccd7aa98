// From image files to PDQ signals.
#include "signals/pdq_file.h"

#include <cstring>

#include "util/file.h"

namespace chainbreak::signals {

image::DecodeOptions decode_options_for(const PdqOptions& options) {
  image::DecodeOptions d;
  d.max_pixels = options.max_pixels;
  d.fast_min_side = options.fast_min_side;
  d.mode = options.mode == PdqMode::kReferenceIo ? image::DecodeMode::kReferenceIo
           : options.mode == PdqMode::kFast      ? image::DecodeMode::kFast
                                                 : image::DecodeMode::kDefault;
  return d;
}

PdqSignal PdqFileHasher::hash_image(const image::Image& img) {
  PdqSignal out;
  out.width = img.width;
  out.height = img.height;
  int rows = img.height, cols = img.width;
  const int ch = img.channels;
  // kReferenceIo decodes an all-grey image to one channel, as ImageMagick
  // does, so the reference's grey luma (the value itself) applies.
  const bool grey = ch == 1;
  const size_t row_stride = static_cast<size_t>(cols) * ch;
  if (options_.mode == PdqMode::kReferenceIo && (rows > kReferenceSquashSide || cols > kReferenceSquashSide)) {
    constexpr int s = kReferenceSquashSide;
    luma_.resize(static_cast<size_t>(s) * s);
    for (int y = 0; y < s; ++y) {
      const uint8_t* src = img.pixels.data() + static_cast<size_t>(int64_t(y) * rows / s) * row_stride;
      float* dst = luma_.data() + static_cast<size_t>(y) * s;
      for (int x = 0; x < s; ++x) {
        const uint8_t* p = src + static_cast<size_t>(int64_t(x) * cols / s) * ch;
        if (grey)
          pdq::luma_from_grey(p, 1, 1, 0, dst + x);
        else
          pdq::luma_from_rgb(p, 1, 1, 0, dst + x);
      }
    }
    rows = cols = s;
  } else {
    luma_.resize(static_cast<size_t>(rows) * cols);
    if (grey)
      pdq::luma_from_grey(img.pixels.data(), rows, cols, row_stride, luma_.data());
    else
      pdq::luma_from_rgb(img.pixels.data(), rows, cols, row_stride, luma_.data());
  }
  if (options_.dihedral) {
    pdq::PdqDihedralHashes d = hasher_.hash_dihedral(luma_.data(), rows, cols);
    out.dihedral = d.hashes;
    out.hash = d.hashes[0];
    out.quality = d.quality;
  } else {
    pdq::PdqHash h = hasher_.hash(luma_.data(), rows, cols);
    out.hash = h.hash;
    out.quality = h.quality;
  }
  return out;
}

Result<PdqSignal> PdqFileHasher::hash_bytes(std::span<const uint8_t> bytes) {
  Result<image::Image> img = image::decode_image(bytes, decode_options_for(options_));
  if (!img.ok()) return img.status();
  return hash_image(img.value());
}

Result<PdqSignal> PdqFileHasher::hash_file(const std::string& path) {
  if (Status s = read_file(path, options_.max_file_bytes, file_); !s.ok()) return s;
  return hash_bytes(file_);
}

}  // namespace chainbreak::signals
