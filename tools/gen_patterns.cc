// Synthetic test images and their encoders for chainbreak-gen-fixtures (see
// gen_patterns.h). Deterministic by construction: a fixed-seed PRNG, no
// clocks, and encoders configured so that they write no timestamps.
#include "gen_patterns.h"

#include <gif_lib.h>
#include <png.h>
#include <turbojpeg.h>
#include <webp/encode.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <stdexcept>
#include <string>

namespace chainbreak::tools {

Rng::Rng(uint64_t seed) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull;  // splitmix64 step
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  state_ = (z ^ (z >> 31)) | 1;  // xorshift state must be non-zero
}

uint64_t Rng::next() {
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545f4914f6cdd1dull;
}

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * double(next() >> 11) * 0x1.0p-53; }
int Rng::below(int n) { return static_cast<int>((next() >> 33) % static_cast<uint64_t>(n)); }

namespace {
constexpr double kTwoPi = 6.283185307179586;
uint8_t clamp8(double v) { return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0, 255.0))); }
}  // namespace

Bytes make_pattern(uint64_t seed, int w, int h) {
  Rng rng(seed);
  const size_t n = size_t(w) * size_t(h);
  // Sinusoidal gradients: sin(a(x) + b(y)) = sin a cos b + cos a sin b, so each
  // component costs two tables of sines and cosines, not a sine per pixel.
  struct Component {
    std::vector<double> sx, cx, sy, cy;
    double weight[3];
  };
  const int count = 4 + rng.below(3);
  std::vector<Component> comps(count);
  for (int i = 0; i < count; ++i) {
    Component& c = comps[i];
    // The first two components have a higher frequency, so every image has
    // fine detail as well as broad gradients.
    const double angle = rng.uniform(0, kTwoPi / 2), freq = rng.uniform(i < 2 ? 3.0 : 0.6, 8.0);
    const double phase = rng.uniform(0, kTwoPi), amp = rng.uniform(0.5, 1.0);
    // A luma weight shared by the channels, so the grey image has structure.
    const double luma = (rng.below(2) ? 1 : -1) * rng.uniform(0.5, 1.0);
    for (double& wgt : c.weight) wgt = amp * (luma + rng.uniform(-0.5, 0.5));
    const double fx = kTwoPi * freq * std::cos(angle), fy = kTwoPi * freq * std::sin(angle);
    for (int x = 0; x < w; ++x) {
      c.sx.push_back(std::sin(fx * x / w + phase));
      c.cx.push_back(std::cos(fx * x / w + phase));
    }
    for (int y = 0; y < h; ++y) {
      c.sy.push_back(std::sin(fy * y / h));
      c.cy.push_back(std::cos(fy * y / h));
    }
  }
  double base[3];
  for (double& b : base) b = rng.uniform(70, 185);
  std::vector<double> px(n * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      double sum[3] = {0, 0, 0};
      for (const Component& c : comps) {
        const double s = c.sx[x] * c.cy[y] + c.cx[x] * c.sy[y];
        for (int k = 0; k < 3; ++k) sum[k] += c.weight[k] * s;
      }
      for (int k = 0; k < 3; ++k) px[(size_t(y) * w + x) * 3 + k] = base[k] + 42 * sum[k];
    }
  }
  // Filled circles and rectangles, blended at a seeded opacity.
  const int shapes = 3 + rng.below(4);
  const double scale = std::sqrt(double(w) * h);
  for (int i = 0; i < shapes; ++i) {
    const bool circle = rng.below(2) == 0;
    const double cx = rng.uniform(0.1, 0.9) * w, cy = rng.uniform(0.1, 0.9) * h;
    const double r = rng.uniform(0.06, 0.2) * scale;
    const double hw = rng.uniform(0.05, 0.25) * w, hh = rng.uniform(0.05, 0.25) * h;
    const double alpha = rng.uniform(0.6, 1.0);
    double colour[3];
    for (double& c : colour) c = rng.below(256);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
        const bool inside = circle ? dx * dx + dy * dy <= r * r : std::abs(dx) <= hw && std::abs(dy) <= hh;
        if (!inside) continue;
        double* p = &px[(size_t(y) * w + x) * 3];
        for (int k = 0; k < 3; ++k) p[k] = p[k] * (1 - alpha) + colour[k] * alpha;
      }
    }
  }
  Bytes out(n * 3);
  for (size_t i = 0; i < n * 3; ++i) out[i] = clamp8(px[i] + (rng.below(9) - 4));  // mild noise
  return out;
}

Bytes to_grey(const Bytes& rgb) {
  Bytes grey(rgb.size() / 3);
  for (size_t i = 0; i < grey.size(); ++i) {
    grey[i] = static_cast<uint8_t>((299 * rgb[3 * i] + 587 * rgb[3 * i + 1] + 114 * rgb[3 * i + 2] + 500) / 1000);
  }
  return grey;
}

Bytes make_alpha(uint64_t seed, int w, int h) {
  Rng rng(seed ^ 0xa1fa);
  const double fx = rng.uniform(0.5, 2.5), fy = rng.uniform(0.5, 2.5), phase = rng.uniform(0, kTwoPi);
  Bytes a(size_t(w) * h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const double v = 0.5 + 0.7 * std::sin(kTwoPi * fx * x / w + phase) * std::cos(kTwoPi * fy * y / h);
      a[size_t(y) * w + x] = clamp8(255 * v);
    }
  }
  return a;
}

uint8_t cube_index(const uint8_t* p) {
  auto level = [](int v) { return (v * 5 + 127) / 255; };
  return static_cast<uint8_t>(level(p[0]) * 36 + level(p[1]) * 6 + level(p[2]));
}

Bytes cube_palette() {
  Bytes pal(256 * 3, 0);
  for (int i = 0; i < 216; ++i) {
    pal[3 * i] = static_cast<uint8_t>(i / 36 * 51);
    pal[3 * i + 1] = static_cast<uint8_t>(i / 6 % 6 * 51);
    pal[3 * i + 2] = static_cast<uint8_t>(i % 6 * 51);
  }
  return pal;
}

Bytes encode_jpeg(const Bytes& rgb, int w, int h, int quality, int subsamp, bool progressive, bool cmyk) {
  Bytes src = rgb;
  int format = TJPF_RGB;
  if (cmyk) {
    // Stored as Adobe ("inverted") CMYK like libjpeg-turbo's own conversion:
    // with m = max(r, g, b): C' = 255 r / m, M' = 255 g / m, Y' = 255 b / m, K' = m.
    src.resize(size_t(w) * h * 4);
    for (size_t i = 0; i < size_t(w) * h; ++i) {
      const uint8_t* p = &rgb[3 * i];
      const int m = std::max({p[0], p[1], p[2]});
      for (int k = 0; k < 3; ++k) src[4 * i + k] = static_cast<uint8_t>(m ? (p[k] * 255 + m / 2) / m : 255);
      src[4 * i + 3] = static_cast<uint8_t>(m);
    }
    format = TJPF_CMYK;
  }
  tjhandle tj = tjInitCompress();
  if (tj == nullptr) throw std::runtime_error("tjInitCompress failed");
  unsigned char* out = nullptr;
  unsigned long size = 0;
  const int flags = progressive ? TJFLAG_PROGRESSIVE : 0;
  if (tjCompress2(tj, src.data(), w, 0, h, format, &out, &size, subsamp, quality, flags) != 0) {
    const std::string reason = std::string("JPEG encoding failed: ") + tjGetErrorStr2(tj);
    tjFree(out);
    tjDestroy(tj);
    throw std::runtime_error(reason);
  }
  Bytes result(out, out + size);
  tjFree(out);
  tjDestroy(tj);
  return result;
}

namespace {

struct PngErrorContext {
  std::string message;
};

[[noreturn]] void png_on_error(png_structp png, png_const_charp msg) {
  static_cast<PngErrorContext*>(png_get_error_ptr(png))->message = msg;
  png_longjmp(png, 1);
}
void png_on_warning(png_structp, png_const_charp) {}
void png_on_write(png_structp png, png_bytep data, size_t len) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + len);
}

int png_channels(int color_type) {
  switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1;  // grey, palette
  }
}

}  // namespace

namespace {
// The libpng calls, in a function with no C++ objects of its own so that
// longjmp skips no destructor and clobbers nothing.
bool png_write_all(png_structp png, png_infop info, const PngSpec& spec, png_colorp palette, int palette_size,
                   png_bytepp rows, Bytes* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, png_on_write, nullptr);
  png_set_IHDR(png, info, spec.w, spec.h, spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (palette_size > 0) png_set_PLTE(png, info, palette, palette_size);
  if (!spec.trns.empty()) {
    png_set_tRNS(png, info, spec.trns.data(), static_cast<int>(spec.trns.size()), nullptr);
  }
  png_write_info(png, info);
  png_write_image(png, rows);  // handles the Adam7 passes itself
  png_write_end(png, nullptr);
  return true;
}
}  // namespace

Bytes encode_png(const PngSpec& spec, const Bytes& rows) {
  const size_t stride = (size_t(spec.w) * png_channels(spec.color_type) * spec.bit_depth + 7) / 8;
  if (rows.size() != stride * spec.h) throw std::runtime_error("PNG rows have the wrong size");
  std::vector<png_bytep> pointers(spec.h);
  for (int y = 0; y < spec.h; ++y) pointers[y] = const_cast<png_bytep>(&rows[y * stride]);
  std::vector<png_color> palette(spec.palette.size() / 3);
  for (size_t i = 0; i < palette.size(); ++i) {
    palette[i] = {spec.palette[3 * i], spec.palette[3 * i + 1], spec.palette[3 * i + 2]};
  }
  Bytes out;
  PngErrorContext ctx;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, png_on_error, png_on_warning);
  if (png == nullptr) throw std::runtime_error("png_create_write_struct failed");
  png_infop info = png_create_info_struct(png);
  const bool ok = info != nullptr && png_write_all(png, info, spec, palette.data(), static_cast<int>(palette.size()),
                                                   pointers.data(), &out);
  png_destroy_write_struct(&png, &info);
  if (!ok) throw std::runtime_error("PNG encoding failed: " + ctx.message);
  return out;
}

namespace {
Bytes take_webp(uint8_t* out, size_t size) {
  if (size == 0 || out == nullptr) {
    WebPFree(out);
    throw std::runtime_error("WebP encoding failed");
  }
  Bytes result(out, out + size);
  WebPFree(out);
  return result;
}
}  // namespace

Bytes encode_webp_lossy(const Bytes& rgb, int w, int h, float quality) {
  uint8_t* out = nullptr;
  const size_t size = WebPEncodeRGB(rgb.data(), w, h, w * 3, quality, &out);
  return take_webp(out, size);
}

Bytes encode_webp_lossless(const Bytes& pixels, int w, int h, int channels) {
  uint8_t* out = nullptr;
  const size_t size = channels == 4 ? WebPEncodeLosslessRGBA(pixels.data(), w, h, w * 4, &out)
                                    : WebPEncodeLosslessRGB(pixels.data(), w, h, w * 3, &out);
  return take_webp(out, size);
}

namespace {

int gif_on_write(GifFileType* gif, const GifByteType* data, int len) {
  auto* out = static_cast<Bytes*>(gif->UserData);
  out->insert(out->end(), data, data + len);
  return len;
}

ColorMapObject* gif_map(const Bytes& palette) {
  GifColorType colours[256];
  for (int i = 0; i < 256; ++i) colours[i] = {palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]};
  ColorMapObject* map = GifMakeMapObject(256, colours);
  if (map == nullptr) throw std::runtime_error("GifMakeMapObject failed");
  return map;
}

}  // namespace

Bytes encode_gif(int w, int h, const std::vector<GifFrame>& frames) {
  Bytes out;
  int err = 0;
  GifFileType* gif = EGifOpen(&out, gif_on_write, &err);
  if (gif == nullptr) throw std::runtime_error(std::string("EGifOpen: ") + GifErrorString(err));
  auto fail = [&](const char* what) {
    const std::string reason = std::string("GIF encoding failed (") + what + "): " + GifErrorString(gif->Error);
    EGifCloseFile(gif, &err);
    throw std::runtime_error(reason);
  };
  EGifSetGifVersion(gif, frames.size() > 1);
  // The first frame's palette is the global one unless it asks for a local map.
  ColorMapObject* global = frames[0].local_palette ? nullptr : gif_map(frames[0].palette);
  const int rc = EGifPutScreenDesc(gif, w, h, 8, 0, global);
  GifFreeMapObject(global);  // giflib keeps its own copy
  if (rc == GIF_ERROR) fail("screen descriptor");
  for (const GifFrame& frame : frames) {
    ColorMapObject* local = frame.local_palette ? gif_map(frame.palette) : nullptr;
    const int r = EGifPutImageDesc(gif, 0, 0, w, h, frame.interlaced, local);
    GifFreeMapObject(local);
    if (r == GIF_ERROR) fail("image descriptor");
    // giflib writes lines in the order given: interlaced frames are supplied
    // in the four-pass order rows 0+8k, 4+8k, 2+4k, 1+2k.
    std::vector<int> order;
    if (frame.interlaced) {
      for (auto [start, step] : {std::pair{0, 8}, {4, 8}, {2, 4}, {1, 2}}) {
        for (int y = start; y < h; y += step) order.push_back(y);
      }
    } else {
      for (int y = 0; y < h; ++y) order.push_back(y);
    }
    for (int y : order) {
      auto* line = const_cast<GifPixelType*>(&frame.indices[size_t(y) * w]);
      if (EGifPutLine(gif, line, w) == GIF_ERROR) fail("image data");
    }
  }
  if (EGifCloseFile(gif, &err) == GIF_ERROR) {
    throw std::runtime_error(std::string("GIF encoding failed (close): ") + GifErrorString(err));
  }
  return out;
}

Bytes encode_bmp(const Bytes& rgb, int w, int h, int bpp, bool top_down) {
  const size_t row = (size_t(w) * bpp + 31) / 32 * 4;
  const uint32_t palette_bytes = bpp == 8 ? 256 * 4 : 0;
  const uint32_t offset = 14 + 40 + palette_bytes;
  Bytes out;
  auto put16 = [&](uint32_t v) { append(out, {uint8_t(v), uint8_t(v >> 8)}); };
  auto put32 = [&](uint32_t v) { append(out, {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}); };
  // BITMAPFILEHEADER
  append(out, {'B', 'M'});
  put32(static_cast<uint32_t>(offset + row * h));
  put32(0);
  put32(offset);
  // BITMAPINFOHEADER
  put32(40);
  put32(static_cast<uint32_t>(w));
  put32(static_cast<uint32_t>(top_down ? -h : h));
  put16(1);
  put16(static_cast<uint32_t>(bpp));
  put32(0);  // BI_RGB
  put32(static_cast<uint32_t>(row * h));
  put32(2835);  // 72 dpi
  put32(2835);
  put32(bpp == 8 ? 256 : 0);
  put32(0);
  if (bpp == 8) {
    const Bytes pal = cube_palette();
    for (int i = 0; i < 256; ++i) append(out, {pal[3 * i + 2], pal[3 * i + 1], pal[3 * i], 0});
  }
  for (int r = 0; r < h; ++r) {
    const int y = top_down ? r : h - 1 - r;
    const size_t start = out.size();
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
      if (bpp == 8) {
        out.push_back(cube_index(p));
      } else {
        append(out, {p[2], p[1], p[0]});
        if (bpp == 32) out.push_back(0);  // BI_RGB: the fourth byte is unused
      }
    }
    out.resize(start + row, 0);  // rows are padded to 4 bytes
  }
  return out;
}

}  // namespace chainbreak::tools
