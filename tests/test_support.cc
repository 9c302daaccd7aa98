// Test helpers: data locations, file reading, ImageMagick PNM decoding.
#include "test_support.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "signals/image/image.h"

namespace chainbreak::testing {

std::string pdq_reference_dir() {
  const char* env = std::getenv("CHAINBREAK_SHARED_DATA");
  std::string dir = std::string(env ? env : CHAINBREAK_SHARED_DATA) + "/pdq-reference";
  return std::filesystem::exists(dir + "/our_build_cpp_hashes.csv") ? dir : "";
}

std::string fixtures_dir() { return CHAINBREAK_FIXTURES; }

std::vector<std::pair<std::string, std::string>> fixture_manifest() {
  std::vector<std::pair<std::string, std::string>> rows;
  std::ifstream in(fixtures_dir() + "/MANIFEST.tsv");
  std::string line;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab != std::string::npos) rows.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return rows;
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

bool imagemagick_available() { return std::system("command -v convert >/dev/null 2>&1") == 0; }

std::optional<PnmImage> imagemagick_decode(const std::string& path) {
  const std::string cmd = "convert '" + path + "' pnm:- 2>/dev/null";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string data;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) data.append(buf, n);
  if (::pclose(p) != 0 || data.size() < 2 || data[0] != 'P') return std::nullopt;
  // Header: magic, width, height, [maxval], each separated by whitespace.
  size_t pos = 2;
  auto next_int = [&]() {
    while (pos < data.size() && std::isspace(static_cast<unsigned char>(data[pos]))) ++pos;
    size_t start = pos;
    while (pos < data.size() && std::isdigit(static_cast<unsigned char>(data[pos]))) ++pos;
    return std::stol(data.substr(start, pos - start));
  };
  const char type = data[1];
  PnmImage img;
  img.width = static_cast<int>(next_int());
  img.height = static_cast<int>(next_int());
  const long maxval = type == '4' ? 1 : next_int();
  ++pos;  // the single whitespace before the raster
  const size_t n_pixels = static_cast<size_t>(img.width) * img.height;
  if (type == '4') {
    img.channels = 1;
    const size_t row_bytes = (img.width + 7) / 8;
    img.pixels.resize(n_pixels);
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) {
        const uint8_t byte = static_cast<uint8_t>(data[pos + y * row_bytes + x / 8]);
        img.pixels[static_cast<size_t>(y) * img.width + x] = (byte & (0x80 >> (x % 8))) ? 0 : 255;
      }
    return img;
  }
  if (type != '5' && type != '6') return std::nullopt;
  img.channels = type == '5' ? 1 : 3;
  const size_t samples = n_pixels * img.channels;
  img.pixels.resize(samples);
  const int bytes_per = maxval > 255 ? 2 : 1;
  if (data.size() < pos + samples * bytes_per) return std::nullopt;
  for (size_t i = 0; i < samples; ++i) img.pixels[i] = static_cast<uint8_t>(data[pos + i * bytes_per + bytes_per - 1]);
  return img;
}

::testing::AssertionResult same_pixels_as_imagemagick(const std::string& path) {
  std::optional<PnmImage> want = imagemagick_decode(path);
  if (!want) return ::testing::AssertionFailure() << path << ": ImageMagick could not decode it";
  image::DecodeOptions o;
  o.mode = image::DecodeMode::kReferenceIo;
  Result<image::Image> got = image::decode_image(read_bytes(path), o);
  if (!got.ok()) return ::testing::AssertionFailure() << path << ": " << got.status().message();
  const image::Image& g = got.value();
  if (g.width != want->width || g.height != want->height || g.channels != want->channels) {
    return ::testing::AssertionFailure() << path << ": " << g.width << "x" << g.height << "x" << g.channels
                                         << ", ImageMagick " << want->width << "x" << want->height << "x"
                                         << want->channels;
  }
  if (g.pixels != want->pixels) return ::testing::AssertionFailure() << path << ": pixels differ from ImageMagick's";
  return ::testing::AssertionSuccess();
}

}  // namespace chainbreak::testing
