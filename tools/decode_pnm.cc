// chainbreak-decode-pnm: writes the pixels chainbreak decodes from an image
// as binary PNM (P5 grey or P6 RGB) on standard output. Used by the
// compatibility tests to compare --reference-io decoding with ImageMagick's
// `convert FILE pnm:-` pixel for pixel.
//   usage: chainbreak-decode-pnm [--reference-io|--fast] FILE
#include <cstdio>
#include <cstring>
#include <string>

#include "signals/image/image.h"
#include "util/file.h"

int main(int argc, char** argv) {
  using namespace chainbreak;
  image::DecodeOptions options;
  const char* path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reference-io") == 0)
      options.mode = image::DecodeMode::kReferenceIo;
    else if (std::strcmp(argv[i], "--fast") == 0)
      options.mode = image::DecodeMode::kFast;
    else
      path = argv[i];
  }
  if (path == nullptr) {
    std::fprintf(stderr, "usage: chainbreak-decode-pnm [--reference-io|--fast] FILE\n");
    return 2;
  }
  std::vector<uint8_t> bytes;
  if (Status s = read_file(path, 1ull << 30, bytes); !s.ok()) {
    std::fprintf(stderr, "chainbreak-decode-pnm: %s: %s\n", path, s.message().c_str());
    return 1;
  }
  Result<image::Image> r = image::decode_image(bytes, options);
  if (!r.ok()) {
    std::fprintf(stderr, "chainbreak-decode-pnm: %s: %s\n", path, r.status().message().c_str());
    return 1;
  }
  const image::Image& img = r.value();
  std::printf("P%d\n%d %d\n255\n", img.channels == 1 ? 5 : 6, img.width, img.height);
  std::fwrite(img.pixels.data(), 1, img.pixels.size(), stdout);
  return 0;
}
