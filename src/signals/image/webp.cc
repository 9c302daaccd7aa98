// WebP decoding through libwebp (lossy and lossless, still images).
#include <webp/decode.h>

#include "signals/image/image.h"

namespace chainbreak::image {

Result<Image> decode_webp(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  WebPBitstreamFeatures features;
  const VP8StatusCode st = WebPGetFeatures(bytes.data(), bytes.size(), &features);
  if (st == VP8_STATUS_NOT_ENOUGH_DATA) return InvalidInput("truncated WebP");
  if (st != VP8_STATUS_OK) return InvalidInput("corrupt WebP header");
  if (features.has_animation) return Unsupported("animated WebP is not supported");
  if (Status s = check_dimensions("WebP", features.width, features.height, options); !s.ok()) return s;
  Image img;
  img.width = features.width;
  img.height = features.height;
  img.channels = 3;
  img.pixels.resize(static_cast<size_t>(img.width) * img.height * 3);
  // Alpha is dropped: RGB output carries the unpremultiplied colour.
  if (WebPDecodeRGBInto(bytes.data(), bytes.size(), img.pixels.data(), img.pixels.size(), img.width * 3) == nullptr) {
    return InvalidInput("corrupt or truncated WebP data");
  }
  return img;
}

}  // namespace chainbreak::image
