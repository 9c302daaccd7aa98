// Synthetic test images for chainbreak-gen-fixtures, and the encoders that
// turn them into file bytes (JPEG, PNG, WebP, GIF, BMP). Everything here is
// deterministic: the same arguments give the same bytes on every run. The
// pictures are generated patterns only (sinusoidal gradients, shapes, noise).
// Encoders throw std::runtime_error with a short reason on failure.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace chainbreak::tools {

using Bytes = std::vector<uint8_t>;

// out += bytes (push_back: GCC 12 warns falsely on vector::insert of a list).
inline void append(Bytes& out, std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) out.push_back(b);
}

// xorshift64* seeded through splitmix64: small, fixed, platform independent.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next();
  double uniform(double lo, double hi);  // in [lo, hi)
  int below(int n);                      // in [0, n)

 private:
  uint64_t state_;
};

// An RGB 8-bit image (w * h * 3 bytes, rows top to bottom) with real
// structure: a sum of sinusoidal gradients whose frequencies and orientations
// depend on the seed, a few filled circles and rectangles, and mild noise.
// Coordinates are normalised, so one seed at two sizes gives similar images.
Bytes make_pattern(uint64_t seed, int w, int h);

// Derived planes: BT.601 luma (w * h) and an alpha plane varying over the
// image (w * h), both seeded.
Bytes to_grey(const Bytes& rgb);
Bytes make_alpha(uint64_t seed, int w, int h);
// Index into the 6x6x6 colour cube (0..215) for one RGB pixel, and the cube
// itself as 256 RGB triples (entries 216..255 are black).
uint8_t cube_index(const uint8_t* rgb);
Bytes cube_palette();

// JPEG through turbojpeg. subsamp is a TJSAMP_* value; cmyk converts the RGB
// input to CMYK (k = 255 - max) and compresses it as TJPF_CMYK.
Bytes encode_jpeg(const Bytes& rgb, int w, int h, int quality, int subsamp, bool progressive = false,
                  bool cmyk = false);

// PNG through libpng. `rows` holds h rows already packed for the colour type
// and bit depth (16-bit samples big-endian). palette: RGB triples; trns:
// alpha per palette entry.
struct PngSpec {
  PngSpec(int w_, int h_, int color_type_, int bit_depth_, bool interlaced_ = false, Bytes palette_ = {},
          Bytes trns_ = {})
      : w(w_),
        h(h_),
        color_type(color_type_),
        bit_depth(bit_depth_),
        interlaced(interlaced_),
        palette(std::move(palette_)),
        trns(std::move(trns_)) {}
  int w = 0, h = 0;
  int color_type = 0;  // PNG_COLOR_TYPE_*
  int bit_depth = 8;
  bool interlaced = false;
  Bytes palette;
  Bytes trns;
};
Bytes encode_png(const PngSpec& spec, const Bytes& rows);

// WebP: lossy from RGB, lossless from RGB or RGBA (channels 3 or 4).
Bytes encode_webp_lossy(const Bytes& rgb, int w, int h, float quality);
Bytes encode_webp_lossless(const Bytes& pixels, int w, int h, int channels);

// GIF through giflib. Each frame is a full-canvas image of cube (or grey)
// indices with its palette of 256 RGB triples.
struct GifFrame {
  Bytes indices;
  Bytes palette;
  bool local_palette = false;  // palette as a local colour map only
  bool interlaced = false;
};
Bytes encode_gif(int w, int h, const std::vector<GifFrame>& frames);

// BMP written by hand: bpp 24 or 32 (BI_RGB) from RGB, or 8 with the cube
// palette. top_down stores a negative height.
Bytes encode_bmp(const Bytes& rgb, int w, int h, int bpp, bool top_down);

}  // namespace chainbreak::tools
