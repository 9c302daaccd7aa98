// From image files to PDQ signals.
#include "signals/pdq_file.h"

#include "util/file.h"

namespace chainbreak::signals {

void squash_to_reference_side(const image::Image& img, image::Image& out) {
  constexpr int s = kReferenceSquashSide;
  const int ch = img.channels;
  out.width = out.height = s;
  out.channels = ch;
  out.format = img.format;
  out.grey_decided = img.grey_decided;
  out.pixels.resize(static_cast<size_t>(s) * s * ch);
  uint8_t* dst = out.pixels.data();
  for (int y = 0; y < s; ++y) {
    const uint8_t* row = img.pixels.data() + static_cast<size_t>(int64_t(y) * img.height / s) * img.width * ch;
    for (int x = 0; x < s; ++x, dst += ch) {
      const uint8_t* p = row + static_cast<size_t>(int64_t(x) * img.width / s) * ch;
      for (int c = 0; c < ch; ++c) dst[c] = p[c];
    }
  }
}

image::DecodeOptions decode_options_for(const PdqOptions& options) {
  image::DecodeOptions d;
  d.max_pixels = options.max_pixels;
  d.fast_min_side = options.fast_min_side;
  d.mode = options.mode == PdqMode::kReferenceIo ? image::DecodeMode::kReferenceIo
           : options.mode == PdqMode::kFast      ? image::DecodeMode::kFast
                                                 : image::DecodeMode::kDefault;
  return d;
}

PdqSignal PdqFileHasher::hash_image(const image::Image& decoded) {
  PdqSignal out;
  out.width = decoded.width;
  out.height = decoded.height;
  const image::Image* img = &decoded;
  if (options_.mode == PdqMode::kReferenceIo &&
      (decoded.width > kReferenceSquashSide || decoded.height > kReferenceSquashSide)) {
    squash_to_reference_side(decoded, squashed_);
    img = &squashed_;
  }
  const int rows = img->height, cols = img->width;
  const size_t row_stride = static_cast<size_t>(cols) * img->channels;
  luma_.resize(static_cast<size_t>(rows) * cols);
  // kReferenceIo decodes an all-grey image to one channel, as ImageMagick
  // does, so the reference's grey luma (the value itself) applies.
  if (img->channels == 1)
    pdq::luma_from_grey(img->pixels.data(), rows, cols, row_stride, luma_.data());
  else
    pdq::luma_from_rgb(img->pixels.data(), rows, cols, row_stride, luma_.data());
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
