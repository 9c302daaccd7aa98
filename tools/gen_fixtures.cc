// chainbreak-gen-fixtures: writes deterministic synthetic test images (same
// bytes on every run) for the decoder tests, the benchmarks and the README
// demo. The pictures are generated patterns only (gen_patterns.h).
//   usage: chainbreak-gen-fixtures formats DIR      format and edge-case set,
//                                                    with DIR/MANIFEST.tsv
//          chainbreak-gen-fixtures bench DIR N W H  N JPEGs of WxH (q90, 4:2:0)
//          chainbreak-gen-fixtures sample DIR       8 small varied images
// MANIFEST.tsv lists every file of the formats set in the order written, as
// `name<TAB>kind`: kind `ok` must decode and hash, `bad` must be refused.
// On failure prints `chainbreak-gen-fixtures: PATH: REASON` and exits 1.
#include <png.h>
#include <turbojpeg.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>

#include "gen_patterns.h"

namespace chainbreak::tools {
namespace {

namespace fs = std::filesystem;

struct Failure {
  std::string path, reason;
};

// Writes files into one directory and remembers the manifest.
class Output {
 public:
  explicit Output(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) throw Failure{dir_.string(), ec.message()};
  }

  // Generates and writes `name`; kind ("ok" / "bad") goes to the manifest.
  Bytes add(const std::string& name, const char* kind, const std::function<Bytes()>& make) {
    Bytes bytes;
    try {
      bytes = make();
    } catch (const std::exception& e) {
      throw Failure{(dir_ / name).string(), e.what()};
    }
    write(name, bytes);
    manifest_ += name + "\t" + kind + "\n";
    return bytes;
  }

  void write(const std::string& name, const Bytes& bytes) const {
    const fs::path path = dir_ / name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) throw Failure{path.string(), std::strerror(errno)};
  }

  void write_manifest() const { write("MANIFEST.tsv", Bytes(manifest_.begin(), manifest_.end())); }

 private:
  fs::path dir_;
  std::string manifest_;
};

// FNV-1a of the file name: every fixture gets its own stable seed.
uint64_t seed_of(const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

Bytes head(const Bytes& b, size_t percent) { return Bytes(b.begin(), b.begin() + b.size() * percent / 100); }

Bytes interleave(const Bytes& colour, int channels, const Bytes& alpha) {
  Bytes out;
  for (size_t i = 0; i < alpha.size(); ++i) {
    out.insert(out.end(), colour.begin() + i * channels, colour.begin() + (i + 1) * channels);
    out.push_back(alpha[i]);
  }
  return out;
}

// Packs 8-bit samples (w per row) to `bits` per sample, MSB first.
Bytes pack(const Bytes& samples, int w, int h, int bits) {
  const size_t stride = (size_t(w) * bits + 7) / 8;
  Bytes out(stride * h, 0);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int v = samples[size_t(y) * w + x] >> (8 - bits);
      out[y * stride + x * bits / 8] |= static_cast<uint8_t>(v << (8 - bits - x * bits % 8));
    }
  }
  return out;
}

// 16-bit big-endian samples v * 257 + d with a small seeded d, so the high
// and low bytes differ.
Bytes widen16(const Bytes& samples, uint64_t seed) {
  Rng rng(seed);
  Bytes out;
  for (uint8_t v : samples) {
    const int s = std::clamp(v * 257 + rng.below(25) - 12, 0, 65535);
    append(out, {uint8_t(s >> 8), uint8_t(s)});
  }
  return out;
}

Bytes indices(const Bytes& rgb) {
  Bytes out(rgb.size() / 3);
  for (size_t i = 0; i < out.size(); ++i) out[i] = cube_index(&rgb[3 * i]);
  return out;
}

Bytes grey_palette() {
  Bytes pal(256 * 3);
  for (int i = 0; i < 256 * 3; ++i) pal[i] = static_cast<uint8_t>(i / 3);
  return pal;
}

Bytes png_rgb8(uint64_t seed, int w, int h) {
  return encode_png({w, h, PNG_COLOR_TYPE_RGB, 8, false, {}, {}}, make_pattern(seed, w, h));
}

// Offset of the first JPEG marker segment `marker` (at its 0xFF byte).
size_t jpeg_find(const Bytes& b, uint8_t marker) {
  for (size_t p = 2; p + 4 <= b.size();) {
    if (b[p] != 0xff) break;
    if (b[p + 1] == marker) return p;
    p += 2 + (size_t(b[p + 2]) << 8 | b[p + 3]);
  }
  throw std::runtime_error("JPEG marker not found");
}

void put_be32(Bytes& out, uint32_t v) {
  append(out, {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)});
}

void png_chunk(Bytes& out, const char* type, const Bytes& data) {
  put_be32(out, static_cast<uint32_t>(data.size()));
  const size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_be32(out, static_cast<uint32_t>(crc32(0, &out[start], static_cast<uInt>(out.size() - start))));
}

// A well-formed PNG declaring 60000x60000 RGB8 with two zero rows of data.
Bytes png_bomb() {
  const uint32_t side = 60000;
  Bytes out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  Bytes ihdr;
  put_be32(ihdr, side);
  put_be32(ihdr, side);
  append(ihdr, {8, 2, 0, 0, 0});
  png_chunk(out, "IHDR", ihdr);
  const Bytes rows(2 * (1 + size_t(side) * 3), 0);
  uLongf size = compressBound(static_cast<uLong>(rows.size()));
  Bytes z(size);
  if (compress2(z.data(), &size, rows.data(), static_cast<uLong>(rows.size()), 9) != Z_OK) {
    throw std::runtime_error("zlib compress2 failed");
  }
  z.resize(size);
  png_chunk(out, "IDAT", z);
  png_chunk(out, "IEND", {});
  return out;
}

constexpr int W = 200, H = 150;  // the size of most format fixtures

void write_formats(Output& out) {
  auto rgb = [](const std::string& name, int w = W, int h = H) { return make_pattern(seed_of(name), w, h); };

  // JPEG
  auto jpeg = [&](const std::string& name, int q, int samp, bool progressive = false, bool cmyk = false, int w = W,
                  int h = H) {
    return out.add(name, "ok", [&] { return encode_jpeg(rgb(name, w, h), w, h, q, samp, progressive, cmyk); });
  };
  const Bytes j420 = jpeg("jpeg-420.jpg", 90, TJSAMP_420);
  jpeg("jpeg-444.jpg", 95, TJSAMP_444);
  jpeg("jpeg-grey.jpg", 90, TJSAMP_GRAY);
  jpeg("jpeg-progressive.jpg", 90, TJSAMP_420, true);
  jpeg("jpeg-cmyk.jpg", 90, TJSAMP_444, false, true);
  jpeg("jpeg-large.jpg", 90, TJSAMP_420, false, false, 1300, 900);
  jpeg("jpeg-tall.jpg", 90, TJSAMP_420, false, false, 300, 700);

  // PNG
  auto png = [&](const std::string& name, PngSpec spec, const std::function<Bytes(const Bytes&)>& rows) {
    return out.add(name, "ok", [&] { return encode_png(spec, rows(rgb(name, spec.w, spec.h))); });
  };
  auto same = [](const Bytes& p) { return p; };
  auto grey = [](const Bytes& p) { return to_grey(p); };
  auto alpha = [](const char* name) { return make_alpha(seed_of(name), W, H); };
  const Bytes png8 = png("png-rgb8.png", {W, H, PNG_COLOR_TYPE_RGB, 8}, same);
  png("png-rgba8.png", {W, H, PNG_COLOR_TYPE_RGB_ALPHA, 8},
      [&](const Bytes& p) { return interleave(p, 3, alpha("png-rgba8.png")); });
  png("png-grey8.png", {W, H, PNG_COLOR_TYPE_GRAY, 8}, grey);
  png("png-grey-alpha8.png", {W, H, PNG_COLOR_TYPE_GRAY_ALPHA, 8},
      [&](const Bytes& p) { return interleave(to_grey(p), 1, alpha("png-grey-alpha8.png")); });
  png("png-grey1.png", {W, H, PNG_COLOR_TYPE_GRAY, 1}, [](const Bytes& p) {
    Bytes g = to_grey(p);
    size_t sum = 0;
    for (uint8_t v : g) sum += v;
    const size_t mean = sum / g.size();  // threshold at the mean keeps both colours
    for (uint8_t& v : g) v = v >= mean ? 255 : 0;
    return pack(g, W, H, 1);
  });
  png("png-grey4.png", {W, H, PNG_COLOR_TYPE_GRAY, 4}, [](const Bytes& p) { return pack(to_grey(p), W, H, 4); });
  Bytes cube = cube_palette();
  cube.resize(216 * 3);
  png("png-palette.png", {W, H, PNG_COLOR_TYPE_PALETTE, 8, false, cube, {}}, indices);
  Bytes trns(216);
  for (int i = 0; i < 216; ++i) trns[i] = static_cast<uint8_t>(255 - i % 6 * 40);
  png("png-palette-trns.png", {W, H, PNG_COLOR_TYPE_PALETTE, 8, false, cube, trns}, indices);
  png("png-rgb16.png", {W, H, PNG_COLOR_TYPE_RGB, 16}, [](const Bytes& p) { return widen16(p, 16); });
  png("png-grey16.png", {W, H, PNG_COLOR_TYPE_GRAY, 16}, [](const Bytes& p) { return widen16(to_grey(p), 17); });
  png("png-interlaced.png", {W, H, PNG_COLOR_TYPE_RGB, 8, true}, same);
  png("png-large.png", {700, 520, PNG_COLOR_TYPE_RGB, 8}, same);
  png("png-allgrey-rgb.png", {W, H, PNG_COLOR_TYPE_RGB, 8}, [](const Bytes& p) {
    Bytes out;
    for (uint8_t v : to_grey(p)) append(out, {v, v, v});
    return out;
  });

  // WebP
  const Bytes webp =
      out.add("webp-lossy.webp", "ok", [&] { return encode_webp_lossy(rgb("webp-lossy.webp"), W, H, 85); });
  out.add("webp-lossless.webp", "ok", [&] { return encode_webp_lossless(rgb("webp-lossless.webp"), W, H, 3); });
  out.add("webp-alpha.webp", "ok", [&] {
    return encode_webp_lossless(interleave(rgb("webp-alpha.webp"), 3, alpha("webp-alpha.webp")), W, H, 4);
  });

  // GIF
  auto gif_frame = [&](const char* name, bool local, bool interlaced, bool greys = false) {
    const Bytes p = rgb(name);
    return GifFrame{greys ? to_grey(p) : indices(p), greys ? grey_palette() : cube_palette(), local, interlaced};
  };
  const Bytes gif =
      out.add("gif-plain.gif", "ok", [&] { return encode_gif(W, H, {gif_frame("gif-plain.gif", false, false)}); });
  out.add("gif-interlaced.gif", "ok", [&] { return encode_gif(W, H, {gif_frame("gif-interlaced.gif", false, true)}); });
  out.add("gif-local-palette.gif", "ok",
          [&] { return encode_gif(W, H, {gif_frame("gif-local-palette.gif", true, false, true)}); });
  out.add("gif-two-frames.gif", "ok", [&] {
    return encode_gif(
        W, H, {gif_frame("gif-two-frames.gif", false, false), gif_frame("gif-two-frames.gif#2", true, false, true)});
  });

  // BMP
  auto bmp = [&](const std::string& name, int bpp, bool top_down, int w = W) {
    return out.add(name, "ok", [&] { return encode_bmp(rgb(name, w, H), w, H, bpp, top_down); });
  };
  const Bytes bmp24 = bmp("bmp-24.bmp", 24, false);
  bmp("bmp-24-topdown.bmp", 24, true);
  bmp("bmp-8-palette.bmp", 8, false);
  bmp("bmp-32.bmp", 32, false);
  bmp("bmp-width-odd.bmp", 24, false, 201);

  // Edge sizes
  for (const auto& edge : {std::tuple{"edge-tiny-4x4.png", 4, 4},
                           {"edge-5x5.png", 5, 5},
                           {"edge-64x64.png", 64, 64},
                           {"edge-wide-1000x3.png", 1000, 3}}) {
    const auto& [name, w, h] = edge;
    out.add(name, "ok", [&edge] { return png_rgb8(seed_of(std::get<0>(edge)), std::get<1>(edge), std::get<2>(edge)); });
  }

  // Files that must be refused (except bad-wrong-extension.png, which is a
  // valid JPEG under a .png name: the format comes from the content).
  out.add("bad-empty.jpg", "bad", [] { return Bytes{}; });
  out.add("bad-truncated.jpg", "bad", [&] { return head(j420, 60); });
  out.add("bad-truncated.png", "bad", [&] { return head(png8, 60); });
  out.add("bad-corrupt.jpg", "bad", [&] {
    // 200 bytes in the middle of the entropy-coded data; headers intact.
    Bytes b = j420;
    const size_t sos = jpeg_find(b, 0xda);
    const size_t start = sos + 2 + (size_t(b[sos + 2]) << 8 | b[sos + 3]), end = b.size() - 2;
    if (end - start < 400) throw std::runtime_error("JPEG entropy data too short to corrupt");
    const size_t at = start + (end - start) / 2 - 100;
    for (size_t i = 0; i < 200; ++i) b[at + i] = i % 2 ? 0x5a : 0xa5;
    return b;
  });
  out.add("bad-corrupt.png", "bad", [&] {
    // Flip 64 bytes inside the first IDAT's data, leaving its CRC stale.
    Bytes b = png8;
    size_t p = 8;
    while (p + 8 <= b.size() && std::memcmp(&b[p + 4], "IDAT", 4) != 0) {
      p += 12 + (size_t(b[p]) << 24 | size_t(b[p + 1]) << 16 | size_t(b[p + 2]) << 8 | b[p + 3]);
    }
    const size_t len = size_t(b[p]) << 24 | size_t(b[p + 1]) << 16 | size_t(b[p + 2]) << 8 | b[p + 3];
    if (p + 8 > b.size() || len < 256) throw std::runtime_error("PNG IDAT not found");
    for (size_t i = 0; i < 64; ++i) b[p + 8 + len / 2 + i] ^= 0xff;
    return b;
  });
  out.add("bad-not-image.jpg", "bad", [] {
    const std::string text = "this is not an image\n";
    return Bytes(text.begin(), text.end());
  });
  out.add("bad-wrong-extension.png", "ok", [&] { return j420; });
  out.add("bad-bomb.png", "bad", png_bomb);
  out.add("bad-bomb.jpg", "bad", [] {
    // A valid 16x16 JPEG whose SOF0 is patched to declare 30000x30000.
    Bytes b = encode_jpeg(make_pattern(seed_of("bad-bomb.jpg"), 16, 16), 16, 16, 90, TJSAMP_420);
    const size_t sof = jpeg_find(b, 0xc0);
    const uint8_t side[2] = {30000 >> 8, 30000 & 0xff};
    for (int i = 0; i < 4; ++i) b[sof + 5 + i] = side[i % 2];  // height, then width
    return b;
  });
  out.add("bad-truncated.gif", "bad", [&] { return head(gif, 50); });
  out.add("bad-truncated.webp", "bad", [&] { return head(webp, 50); });
  out.add("bad-truncated.bmp", "bad", [&] { return head(bmp24, 50); });
  out.write_manifest();
}

void write_bench(Output& out, int n, int w, int h) {
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "bench-%04d.jpg", i);
    out.add(name, "ok", [&] { return encode_jpeg(make_pattern(0xbe9c4000u + i, w, h), w, h, 90, TJSAMP_420); });
  }
}

// Eight varied images for the README demo. sample-08.webp is sample-01 drawn
// again at a smaller size (same seed), so the two have near-identical hashes.
void write_sample(Output& out) {
  auto p = [](int index, int w, int h) { return make_pattern(0x5a3b1e00u + index, w, h); };
  out.add("sample-01.jpg", "ok", [&] { return encode_jpeg(p(1, 800, 600), 800, 600, 90, TJSAMP_420); });
  out.add("sample-02.png", "ok", [&] { return encode_png({640, 480, PNG_COLOR_TYPE_RGB, 8}, p(2, 640, 480)); });
  out.add("sample-03.webp", "ok", [&] { return encode_webp_lossy(p(3, 500, 500), 500, 500, 85); });
  out.add("sample-04.gif", "ok", [&] { return encode_gif(400, 300, {{indices(p(4, 400, 300)), cube_palette()}}); });
  out.add("sample-05.bmp", "ok", [&] { return encode_bmp(p(5, 320, 240), 320, 240, 24, false); });
  out.add("sample-06.jpg", "ok", [&] { return encode_jpeg(p(9, 450, 800), 450, 800, 85, TJSAMP_420); });
  out.add("sample-07.png", "ok", [&] { return encode_png({256, 256, PNG_COLOR_TYPE_RGB, 8}, p(7, 256, 256)); });
  out.add("sample-08.webp", "ok", [&] { return encode_webp_lossy(p(1, 400, 300), 400, 300, 80); });
}

bool parse_int(const char* s, int lo, int hi, int& v) {
  const char* end = s + std::strlen(s);
  auto [ptr, ec] = std::from_chars(s, end, v);
  return ec == std::errc() && ptr == end && v >= lo && v <= hi;
}

int usage() {
  std::fprintf(stderr,
               "usage: chainbreak-gen-fixtures formats DIR\n"
               "       chainbreak-gen-fixtures bench DIR N W H\n"
               "       chainbreak-gen-fixtures sample DIR\n");
  return 2;
}

}  // namespace
}  // namespace chainbreak::tools

int main(int argc, char** argv) {
  using namespace chainbreak::tools;
  if (argc < 3) return usage();
  const std::string mode = argv[1];
  int n = 0, w = 0, h = 0;
  if (mode == "bench") {
    if (argc != 6 || !parse_int(argv[3], 0, 1000000, n) || !parse_int(argv[4], 1, 16384, w) ||
        !parse_int(argv[5], 1, 16384, h)) {
      return usage();
    }
  } else if ((mode != "formats" && mode != "sample") || argc != 3) {
    return usage();
  }
  try {
    Output out(argv[2]);
    if (mode == "formats")
      write_formats(out);
    else if (mode == "bench")
      write_bench(out, n, w, h);
    else
      write_sample(out);
  } catch (const Failure& f) {
    std::fprintf(stderr, "chainbreak-gen-fixtures: %s: %s\n", f.path.c_str(), f.reason.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chainbreak-gen-fixtures: %s: %s\n", argv[2], e.what());
    return 1;
  }
  return 0;
}
