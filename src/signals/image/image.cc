// Format recognition and dispatch to the per-format decoders.
#include "signals/image/image.h"

#include <algorithm>
#include <cstring>

namespace chainbreak::image {

const char* format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kWebp: return "WebP";
    case ImageFormat::kGif: return "GIF";
    case ImageFormat::kBmp: return "BMP";
    case ImageFormat::kUnknown: break;
  }
  return "unknown";
}

ImageFormat sniff_format(std::span<const uint8_t> b) {
  auto starts = [&](const char* magic, size_t at = 0) {
    size_t n = std::strlen(magic);
    return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
  };
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return ImageFormat::kJpeg;
  if (starts("\x89PNG\r\n\x1a\n")) return ImageFormat::kPng;
  if (starts("RIFF") && starts("WEBP", 8)) return ImageFormat::kWebp;
  if (starts("GIF87a") || starts("GIF89a")) return ImageFormat::kGif;
  if (starts("BM")) return ImageFormat::kBmp;
  return ImageFormat::kUnknown;
}

int fast_jpeg_scale_num(unsigned side, int min_side) {
  const unsigned want = static_cast<unsigned>(std::max(min_side, 1));
  for (unsigned num = 1; num < 8; ++num) {
    if ((side * num + 7) / 8 >= want) return static_cast<int>(num);
  }
  return 8;
}

Status check_dimensions(const char* format, uint64_t width, uint64_t height, const DecodeOptions& options) {
  if (width == 0 || height == 0) {
    return InvalidInput(std::string(format) + " declares an empty image (" + std::to_string(width) + "x" +
                        std::to_string(height) + ")");
  }
  if (width > (1u << 30) || height > (1u << 30) || width * height > options.max_pixels) {
    return LimitExceeded(std::string(format) + " image is " + std::to_string(width) + "x" + std::to_string(height) +
                         " = " + std::to_string(width * height) + " pixels, over the limit of " +
                         std::to_string(options.max_pixels) + " (--max-pixels)");
  }
  return Status::Ok();
}

Result<Image> decode_image(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  if (bytes.empty()) return InvalidInput("empty file");
  const ImageFormat format = sniff_format(bytes);
  Result<Image> r = Status(ErrorCode::kUnsupported, "not a recognised image (JPEG, PNG, WebP, GIF or BMP)");
  switch (format) {
    case ImageFormat::kJpeg: r = decode_jpeg(bytes, options); break;
    case ImageFormat::kPng: r = decode_png(bytes, options); break;
    case ImageFormat::kWebp: r = decode_webp(bytes, options); break;
    case ImageFormat::kGif: r = decode_gif(bytes, options); break;
    case ImageFormat::kBmp: r = decode_bmp(bytes, options); break;
    case ImageFormat::kUnknown: break;
  }
  if (!r.ok()) return r;
  Image& img = r.value();
  img.format = format;
  if (options.mode == DecodeMode::kReferenceIo && img.channels == 3 && !img.grey_decided) {
    // ImageMagick writes an image whose pixels are all grey as one-channel
    // PNM, and the reference then computes luma as the grey value itself.
    const size_t n = static_cast<size_t>(img.width) * img.height;
    const uint8_t* p = img.pixels.data();
    bool grey = true;
    for (size_t i = 0; i < n && grey; ++i) grey = p[3 * i] == p[3 * i + 1] && p[3 * i + 1] == p[3 * i + 2];
    if (grey) {
      for (size_t i = 0; i < n; ++i) img.pixels[i] = p[3 * i];
      img.pixels.resize(n);
      img.channels = 1;
    }
    img.grey_decided = true;
  }
  return r;
}

}  // namespace chainbreak::image
