// The oracle PDQ: simple loops, one step at a time.
#include "pdq_oracle.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace chainbreak::pdq::oracle {
namespace {

// One box-filter run along a line of n values spaced `stride` apart: the
// window [i - (w+2)/2 + 1 .. i + w - (w+2)/2] clipped to the line, computed
// as the running sum the algorithm specifies (add on the right, subtract on
// the left), output divided by the number of values in the window.
void box_line(const float* in, float* out, int n, int stride, int w) {
  const int half = (w + 2) / 2;
  float sum = 0.0f;
  int count = 0;
  int right = 0, left = 0;
  // Prime the window with the first half - 1 values.
  for (int k = 0; k < half - 1; ++k) sum += in[stride * right++], ++count;
  for (int o = 0; o < n; ++o) {
    const bool can_add = right < n;
    const bool must_drop = o >= w - half + 1;  // window is full from here on
    if (can_add && !must_drop) {
      sum += in[stride * right++];
      ++count;
    } else if (can_add && must_drop) {
      sum += in[stride * right++];
      sum -= in[stride * left++];
    } else {
      sum -= in[stride * left++];
      --count;
    }
    out[stride * o] = sum / count;
  }
}

}  // namespace

OracleHash hash_luma(const std::vector<float>& luma, int rows, int cols) {
  OracleHash r;
  if (rows < 5 || cols < 5) {
    r.hash = Hash256{};
    r.quality = 0;
    return r;
  }
  std::vector<float> a = luma, b(luma.size());
  if (rows == 64 && cols == 64) {
    for (int i = 0; i < 64; ++i)
      for (int j = 0; j < 64; ++j) r.downsample[i][j] = a[i * 64 + j];
  } else {
    const int wr = (cols + 127) / 128, wc = (rows + 127) / 128;
    for (int pass = 0; pass < 2; ++pass) {
      for (int i = 0; i < rows; ++i) box_line(&a[i * cols], &b[i * cols], cols, 1, wr);
      for (int j = 0; j < cols; ++j) box_line(&b[j], &a[j], rows, cols, wc);
    }
    for (int i = 0; i < 64; ++i) {
      const int y = static_cast<int>(((i + 0.5) * rows) / 64);
      for (int j = 0; j < 64; ++j) {
        const int x = static_cast<int>(((j + 0.5) * cols) / 64);
        r.downsample[i][j] = a[y * cols + x];
      }
    }
  }
  int grad = 0;
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 64; ++j) {
      if (i < 63) grad += std::abs(static_cast<int>(((r.downsample[i][j] - r.downsample[i + 1][j]) * 100) / 255));
      if (j < 63) grad += std::abs(static_cast<int>(((r.downsample[i][j] - r.downsample[i][j + 1]) * 100) / 255));
    }
  }
  r.quality = std::min(100, grad / 90);
  float d[16][64];
  const float scale = static_cast<float>(std::sqrt(2.0 / 64.0));
  for (int i = 0; i < 16; ++i)
    for (int k = 0; k < 64; ++k) d[i][k] = static_cast<float>(scale * std::cos((M_PI / 128.0) * (i + 1) * (2 * k + 1)));
  float t[16][64];
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 64; ++j) {
      float s = 0.0f;
      for (int k = 0; k < 64; ++k) s += d[i][k] * r.downsample[k][j];
      t[i][j] = s;
    }
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      float s = 0.0f;
      for (int k = 0; k < 64; ++k) s += t[i][k] * d[j][k];
      r.dct[i][j] = s;
    }
  std::vector<float> sorted(&r.dct[0][0], &r.dct[0][0] + 256);
  std::sort(sorted.begin(), sorted.end());
  const float median = sorted[127];
  for (int k = 0; k < 256; ++k)
    if (r.dct[k / 16][k % 16] > median) r.hash.set_bit(k);
  return r;
}

}  // namespace chainbreak::pdq::oracle
