// PNG decoding through libpng: every bit depth (1-16), palette, grey, alpha
// and interlacing. Alpha is dropped, as the reference does.
#include <png.h>

#include <algorithm>
#include <cstring>

#include "signals/image/image.h"

namespace chainbreak::image {
namespace {

struct Reader {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
  char message[256] = {0};
};

void read_bytes(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<Reader*>(png_get_io_ptr(png));
  if (n > r->bytes.size() - r->pos) png_error(png, "file is truncated");
  std::memcpy(out, r->bytes.data() + r->pos, n);
  r->pos += n;
}

void on_error(png_structp png, png_const_charp msg) {
  auto* r = static_cast<Reader*>(png_get_error_ptr(png));
  std::snprintf(r->message, sizeof(r->message), "%s", msg);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

}  // namespace

Result<Image> decode_png(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  Reader reader{bytes};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, on_error, on_warning);
  if (png == nullptr) return Internal("libpng could not start");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return Internal("libpng could not start");
  }
  Image img;
  std::vector<uint8_t> buffer;
  std::vector<png_bytep> rows;
  Status limit;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    if (!limit.ok()) return limit;
    return InvalidInput(std::string("corrupt PNG: ") + reader.message);
  }
  png_set_read_fn(png, &reader, read_bytes);
  // Bound ancillary chunk memory (text, ICC profiles) to 8 MiB each.
  png_set_chunk_malloc_max(png, 8u << 20);
  png_read_info(png, info);
  const png_uint_32 w = png_get_image_width(png, info);
  const png_uint_32 h = png_get_image_height(png, info);
  limit = check_dimensions("PNG", w, h, options);
  if (!limit.ok()) png_error(png, "over the limit");
  const int depth = png_get_bit_depth(png, info);
  const bool reference = options.mode == DecodeMode::kReferenceIo;
  const bool keep16 = depth == 16 && reference;
  png_set_expand(png);  // palette -> RGB, grey 1/2/4 -> 8 bits, tRNS -> alpha
  if (depth == 16 && !keep16) png_set_scale_16(png);
  png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const int channels = png_get_channels(png, info);  // 1 or 3 after the transforms
  const size_t row_bytes = png_get_rowbytes(png, info);
  buffer.resize(row_bytes * h);
  rows.resize(h);
  for (png_uint_32 y = 0; y < h; ++y) rows[y] = buffer.data() + y * row_bytes;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);

  img.width = static_cast<int>(w);
  img.height = static_cast<int>(h);
  img.channels = channels;
  if (!keep16) {
    img.pixels = std::move(buffer);
    return img;
  }
  // The reference reads ImageMagick's 16-bit PNM into 8-bit storage, which
  // keeps the low byte of each big-endian sample. ImageMagick chooses grey
  // output when all samples agree at 16 bits.
  const size_t n = static_cast<size_t>(w) * h;
  bool grey = channels == 1;
  if (channels == 3) {
    grey = true;
    for (size_t i = 0; i < n && grey; ++i) {
      const uint8_t* p = &buffer[6 * i];
      grey = std::memcmp(p, p + 2, 2) == 0 && std::memcmp(p, p + 4, 2) == 0;
    }
  }
  img.channels = grey ? 1 : channels;
  img.pixels.resize(n * img.channels);
  if (grey) {
    for (size_t i = 0; i < n; ++i) img.pixels[i] = buffer[2 * i * channels + 1];
  } else {
    for (size_t i = 0; i < n * channels; ++i) img.pixels[i] = buffer[2 * i + 1];
  }
  img.grey_decided = true;
  return img;
}

}  // namespace chainbreak::image
