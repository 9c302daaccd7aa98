// JPEG decoding through libjpeg-turbo's libjpeg API (which exposes what the
// three modes need: output colour space, IDCT method, DCT-domain scaling).
#include <algorithm>
#include <csetjmp>
#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include <cstring>

#include "signals/image/image.h"

namespace chainbreak::image {
namespace {

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  int warnings;
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  // level -1 is a warning (corrupt data, premature end): remember the first.
  if (level < 0 && err->warnings++ == 0) (*cinfo->err->format_message)(cinfo, err->message);
}

// ImageMagick 6 (Q16, no HDRI) reads CMYK JPEGs as Adobe-inverted ink and
// converts to RGB when writing PNM: red = K' * C' scaled, with rounding to
// 16-bit quanta at each step, then to 8 bits.
inline uint8_t im6_cmyk_channel(unsigned raw_colour, unsigned raw_black) {
  const double qr = 65535.0;
  const double ink = qr - raw_colour * 257.0;  // QuantumRange - ScaleCharToQuantum
  const double black = qr - raw_black * 257.0;
  double v = qr - (ink * (qr - black) / qr + black);
  unsigned q = v <= 0 ? 0 : v >= qr ? 65535u : static_cast<unsigned>(v + 0.5);
  return static_cast<uint8_t>(((q + 128u) - ((q + 128u) >> 8)) >> 8);
}

}  // namespace

Result<Image> decode_jpeg(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  std::memset(&err, 0, sizeof(err));
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  Image img;
  std::vector<uint8_t> cmyk_row;
  // Nothing with a destructor is created between setjmp and the libjpeg
  // calls that may jump back here.
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return InvalidInput(std::string("corrupt JPEG: ") + err.message);
  }
  jpeg_create_decompress(&cinfo);
  // Bound libjpeg's own working memory (coefficient buffers of progressive
  // files) by the same pixel budget.
  cinfo.mem->max_memory_to_use = static_cast<long>(std::min<uint64_t>(options.max_pixels * 8, 1ull << 34));
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
    jpeg_destroy_decompress(&cinfo);
    return InvalidInput("corrupt JPEG: no image in the file");
  }
  if (Status s = check_dimensions("JPEG", cinfo.image_width, cinfo.image_height, options); !s.ok()) {
    jpeg_destroy_decompress(&cinfo);
    return s;
  }
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  const bool grey_source = cinfo.jpeg_color_space == JCS_GRAYSCALE;
  if (options.mode == DecodeMode::kReferenceIo) {
    // ImageMagick 6's defaults for JPEG.
    cinfo.dct_method = JDCT_ISLOW;
    cinfo.do_fancy_upsampling = TRUE;
    cinfo.out_color_space = cmyk ? JCS_CMYK : grey_source ? JCS_GRAYSCALE : JCS_RGB;
  } else {
    cinfo.dct_method = JDCT_ISLOW;
    // The Y plane of a YCbCr JPEG is the luma PDQ wants (same coefficients).
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_GRAYSCALE;
    if (options.mode == DecodeMode::kFast) {
      cinfo.scale_num = fast_jpeg_scale_num(std::min(cinfo.image_width, cinfo.image_height), options.fast_min_side);
      cinfo.scale_denom = 8;
    }
  }
  jpeg_start_decompress(&cinfo);
  const int w = static_cast<int>(cinfo.output_width);
  const int h = static_cast<int>(cinfo.output_height);
  img.width = w;
  img.height = h;
  img.channels = cmyk ? 3 : cinfo.output_components;
  img.pixels.resize(static_cast<size_t>(w) * h * img.channels);
  if (cmyk) cmyk_row.resize(static_cast<size_t>(w) * 4);
  while (cinfo.output_scanline < cinfo.output_height) {
    uint8_t* dst = img.pixels.data() + static_cast<size_t>(cinfo.output_scanline) * w * img.channels;
    JSAMPROW row = cmyk ? cmyk_row.data() : dst;
    jpeg_read_scanlines(&cinfo, &row, 1);
    if (cmyk) {
      for (int x = 0; x < w; ++x) {
        const uint8_t* p = &cmyk_row[4 * x];
        dst[3 * x] = im6_cmyk_channel(p[0], p[3]);
        dst[3 * x + 1] = im6_cmyk_channel(p[1], p[3]);
        dst[3 * x + 2] = im6_cmyk_channel(p[2], p[3]);
      }
    }
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  if (err.warnings > 0) return InvalidInput(std::string("corrupt or truncated JPEG: ") + err.message);
  return img;
}

}  // namespace chainbreak::image
