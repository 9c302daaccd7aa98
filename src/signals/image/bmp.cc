// BMP decoding (Windows bitmap): 1, 4, 8 bit palette, 16 bit (5-5-5 or bit
// fields), 24 and 32 bit, bottom-up or top-down, uncompressed or BI_BITFIELDS.
// RLE-compressed bitmaps are refused as unsupported.
#include <algorithm>
#include <bit>
#include <cstring>

#include "signals/image/image.h"

namespace chainbreak::image {
namespace {

uint32_t u32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24); }
uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

// Extracts a channel under `mask` from a packed pixel and scales it to 8 bits.
uint8_t channel(uint32_t pixel, uint32_t mask) {
  if (mask == 0) return 0;
  const int shift = std::countr_zero(mask);
  const int bits = std::popcount(mask);
  const uint32_t v = (pixel & mask) >> shift;
  const uint32_t max = bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
  return static_cast<uint8_t>((uint64_t(v) * 255 + max / 2) / max);
}

}  // namespace

Result<Image> decode_bmp(std::span<const uint8_t> b, const DecodeOptions& options) {
  if (b.size() < 26) return InvalidInput("truncated BMP header");
  const uint32_t data_offset = u32(&b[10]);
  const uint32_t header_size = u32(&b[14]);
  int64_t width, height;
  int bpp;
  uint32_t compression = 0, colors_used = 0;
  size_t palette_entry = 4;
  if (header_size == 12) {  // OS/2 BITMAPCOREHEADER
    width = u16(&b[18]);
    height = static_cast<int16_t>(u16(&b[20]));
    bpp = u16(&b[24]);
    palette_entry = 3;
  } else if (header_size >= 40 && b.size() >= 14 + 40) {
    width = static_cast<int32_t>(u32(&b[18]));
    height = static_cast<int32_t>(u32(&b[22]));
    bpp = u16(&b[28]);
    compression = u32(&b[30]);
    colors_used = u32(&b[46]);
  } else {
    return InvalidInput("BMP header of unsupported size " + std::to_string(header_size));
  }
  const bool top_down = height < 0;
  if (top_down) height = -height;
  if (width <= 0) return InvalidInput("BMP declares a non-positive width");
  if (Status s = check_dimensions("BMP", uint64_t(width), uint64_t(height), options); !s.ok()) return s;
  if (compression == 1 || compression == 2) return Unsupported("RLE-compressed BMP is not supported");
  if (compression != 0 && compression != 3) return Unsupported("BMP compression " + std::to_string(compression));
  uint32_t rmask = 0, gmask = 0, bmask = 0;
  if (bpp == 16) rmask = 0x7c00, gmask = 0x03e0, bmask = 0x001f;
  if (bpp == 32) rmask = 0xff0000, gmask = 0xff00, bmask = 0xff;
  if (compression == 3) {
    if (bpp != 16 && bpp != 32) return InvalidInput("BMP bit fields need 16 or 32 bits per pixel");
    if (b.size() < 14 + 40 + 12) return InvalidInput("truncated BMP bit fields");
    rmask = u32(&b[54]), gmask = u32(&b[58]), bmask = u32(&b[62]);
  }
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) {
    return Unsupported("BMP with " + std::to_string(bpp) + " bits per pixel");
  }
  std::vector<uint8_t> palette;  // RGB triples
  if (bpp <= 8) {
    const size_t count = colors_used ? std::min<size_t>(colors_used, 256) : (size_t{1} << bpp);
    const size_t at = 14 + header_size;
    if (at + count * palette_entry > b.size()) return InvalidInput("truncated BMP palette");
    palette.resize(count * 3);
    for (size_t i = 0; i < count; ++i) {
      palette[3 * i] = b[at + i * palette_entry + 2];
      palette[3 * i + 1] = b[at + i * palette_entry + 1];
      palette[3 * i + 2] = b[at + i * palette_entry];
    }
  }
  const size_t row_bytes = ((static_cast<size_t>(width) * bpp + 31) / 32) * 4;
  if (data_offset > b.size() || row_bytes * height > b.size() - data_offset) {
    return InvalidInput("truncated BMP pixel data");
  }
  Image img;
  img.width = static_cast<int>(width);
  img.height = static_cast<int>(height);
  img.channels = 3;
  img.pixels.resize(static_cast<size_t>(width) * height * 3);
  for (int64_t y = 0; y < height; ++y) {
    const uint8_t* src = b.data() + data_offset + row_bytes * (top_down ? y : height - 1 - y);
    uint8_t* dst = img.pixels.data() + static_cast<size_t>(y) * width * 3;
    for (int64_t x = 0; x < width; ++x, dst += 3) {
      if (bpp <= 8) {
        const int per_byte = 8 / bpp;
        const int shift = 8 - bpp * (1 + static_cast<int>(x % per_byte));
        size_t k = (src[x / per_byte] >> shift) & ((1 << bpp) - 1);
        if (3 * k >= palette.size()) k = 0;
        std::memcpy(dst, &palette[3 * k], 3);
      } else if (bpp == 24) {
        dst[0] = src[3 * x + 2], dst[1] = src[3 * x + 1], dst[2] = src[3 * x];
      } else {
        const uint32_t p = bpp == 16 ? u16(src + 2 * x) : u32(src + 4 * x);
        dst[0] = channel(p, rmask), dst[1] = channel(p, gmask), dst[2] = channel(p, bmask);
      }
    }
  }
  return img;
}

}  // namespace chainbreak::image
