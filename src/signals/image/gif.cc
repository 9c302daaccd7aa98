// GIF decoding through giflib: the first frame, in its own rectangle, with
// its local or the global colour table (the transparent index keeps its
// table colour: alpha is dropped).
#include <gif_lib.h>

#include <algorithm>
#include <cstring>

#include "signals/image/image.h"

namespace chainbreak::image {
namespace {

struct Reader {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
};

int read_bytes(GifFileType* gif, GifByteType* out, int n) {
  auto* r = static_cast<Reader*>(gif->UserData);
  const size_t take = std::min(static_cast<size_t>(n), r->bytes.size() - r->pos);
  std::memcpy(out, r->bytes.data() + r->pos, take);
  r->pos += take;
  return static_cast<int>(take);
}

struct GifCloser {
  GifFileType* gif;
  ~GifCloser() {
    int err;
    if (gif != nullptr) DGifCloseFile(gif, &err);
  }
};

Status gif_error(const char* what, int code) {
  const char* msg = GifErrorString(code);
  return InvalidInput(std::string("corrupt GIF: ") + what + ": " + (msg ? msg : "unknown error"));
}

}  // namespace

Result<Image> decode_gif(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  Reader reader{bytes};
  int err = 0;
  GifFileType* gif = DGifOpen(&reader, read_bytes, &err);
  if (gif == nullptr) return gif_error("header", err);
  GifCloser closer{gif};
  GifRecordType type;
  do {
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) return gif_error("record", gif->Error);
    if (type == EXTENSION_RECORD_TYPE) {
      int code;
      GifByteType* ext;
      if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR) return gif_error("extension", gif->Error);
      while (ext != nullptr) {
        if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR) return gif_error("extension", gif->Error);
      }
    } else if (type == TERMINATE_RECORD_TYPE) {
      return InvalidInput("GIF has no image");
    }
  } while (type != IMAGE_DESC_RECORD_TYPE);
  if (DGifGetImageDesc(gif) == GIF_ERROR) return gif_error("image descriptor", gif->Error);
  const int w = gif->Image.Width, h = gif->Image.Height;
  if (Status s = check_dimensions("GIF", w > 0 ? w : 0, h > 0 ? h : 0, options); !s.ok()) return s;
  const ColorMapObject* map = gif->Image.ColorMap ? gif->Image.ColorMap : gif->SColorMap;
  if (map == nullptr) return InvalidInput("GIF has no colour table");
  std::vector<GifPixelType> indices(static_cast<size_t>(w) * h);
  if (gif->Image.Interlace) {
    static constexpr int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
    for (int pass = 0; pass < 4; ++pass) {
      for (int y = kStart[pass]; y < h; y += kStep[pass]) {
        if (DGifGetLine(gif, &indices[static_cast<size_t>(y) * w], w) == GIF_ERROR) {
          return gif_error("image data", gif->Error);
        }
      }
    }
  } else {
    for (int y = 0; y < h; ++y) {
      if (DGifGetLine(gif, &indices[static_cast<size_t>(y) * w], w) == GIF_ERROR) {
        return gif_error("image data", gif->Error);
      }
    }
  }
  Image img;
  img.width = w;
  img.height = h;
  img.channels = 3;
  img.pixels.resize(indices.size() * 3);
  for (size_t i = 0; i < indices.size(); ++i) {
    const int k = indices[i] < map->ColorCount ? indices[i] : 0;
    img.pixels[3 * i] = map->Colors[k].Red;
    img.pixels[3 * i + 1] = map->Colors[k].Green;
    img.pixels[3 * i + 2] = map->Colors[k].Blue;
  }
  return img;
}

}  // namespace chainbreak::image
