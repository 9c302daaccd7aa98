// Decoding of image files into 8-bit pixel arrays for hashing.
//
// Formats: JPEG (libjpeg-turbo), PNG (libpng: 1-16 bit, palette, grey,
// alpha), WebP (libwebp), GIF (giflib, first frame) and BMP. The format is
// recognised from the content, never from the file name. Every decoder checks
// the declared size against DecodeOptions::max_pixels before allocating, so
// memory stays bounded for decompression bombs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/result.h"

namespace chainbreak::image {

enum class ImageFormat { kUnknown, kJpeg, kPng, kWebp, kGif, kBmp };
const char* format_name(ImageFormat f);
// Recognises the format from the first bytes (magic numbers).
ImageFormat sniff_format(std::span<const uint8_t> bytes);

enum class DecodeMode {
  // Full resolution. JPEGs in YCbCr or grey decode straight to their luma
  // plane (channels == 1): chroma is neither transformed nor upsampled.
  kDefault,
  // Pixels exactly as ImageMagick 6 hands them to Meta's reference tool
  // (`convert file pnm:-`): accurate integer IDCT and fancy upsampling for JPEG, alpha
  // dropped, CMYK converted as ImageMagick does, 16-bit samples reduced to
  // their low byte (the reference reads 16-bit PNM into 8-bit storage), and
  // images whose pixels are all grey delivered with one channel.
  kReferenceIo,
  // As kDefault, but JPEGs are decoded at the smallest DCT scale (1/8 ..
  // 8/8) that keeps both sides >= DecodeOptions::fast_min_side.
  kFast,
};

struct DecodeOptions {
  DecodeMode mode = DecodeMode::kDefault;
  // Refuse images with more pixels than this (width * height, as declared
  // in the header), before any pixel memory is allocated.
  uint64_t max_pixels = 100'000'000;
  // kFast only: the minimum side kept by JPEG DCT-domain scaling.
  int fast_min_side = 256;
};

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;             // 1 (grey) or 3 (RGB): alpha is dropped, CMYK converted
  std::vector<uint8_t> pixels;  // height rows of width * channels bytes
  // kReferenceIo: true when the decoder already decided grey vs colour at
  // the source's precision (16-bit), so callers must not re-test 8-bit data.
  bool grey_decided = false;
  ImageFormat format = ImageFormat::kUnknown;
};

// Decodes a whole file held in memory. Errors: kInvalidInput (corrupt,
// truncated, empty), kUnsupported (unknown format or variant), kLimitExceeded
// (over max_pixels). The message names the format and what is wrong.
Result<Image> decode_image(std::span<const uint8_t> bytes, const DecodeOptions& options);

// Per-format decoders (called by decode_image after sniffing).
Result<Image> decode_jpeg(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Image> decode_png(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Image> decode_webp(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Image> decode_gif(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Image> decode_bmp(std::span<const uint8_t> bytes, const DecodeOptions& options);

// kFast: the numerator (of 8) of the smallest JPEG DCT scale that keeps a
// side of `side` pixels at least `min_side` pixels long; 8 when none does.
int fast_jpeg_scale_num(unsigned side, int min_side);

// Shared size check: kLimitExceeded / kInvalidInput with a clear message, or ok.
Status check_dimensions(const char* format, uint64_t width, uint64_t height, const DecodeOptions& options);

}  // namespace chainbreak::image
