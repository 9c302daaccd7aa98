// The reference's Jarosz blur and 64x64 decimation, bit for bit, fast.
//
// The reference runs a running-sum box filter along each row, then along
// each column, twice, over the whole image, then samples 64x64 points. Per
// output value we perform exactly the reference's float operations in the
// reference's order, but:
//  - filters along columns process all columns at once (one vector lane per
//    column); filters along rows process eight rows at once after a
//    transposition of the eight-row strip, so the sequential running sum
//    becomes eight independent lanes and the divisions vectorise;
//  - the second pass is only finished where it is sampled: the row filter
//    divides and stores only at the 64 sampled columns, and the last column
//    filter runs only on those 64 columns and stores only the sampled rows.
#include <algorithm>
#include <array>
#include <vector>

#include "signals/pdq/pdq.h"

namespace chainbreak::pdq {
namespace {

int window_size(int dim) { return (dim + 2 * 64 - 1) / (2 * 64); }

// Sample positions of the reference's decimation: (int)((i + 0.5) * dim / 64).
std::array<int, 64> sample_positions(int dim) {
  std::array<int, 64> s;
  for (int i = 0; i < 64; ++i) s[i] = static_cast<int>(((i + 0.5) * dim) / 64);
  return s;
}

// The reference's 1-D box filter along `length` steps of `width` independent
// lanes: step s of lane j is in[s * width + j]. `sum` holds `width` floats.
// For each output step o, emit(o, sum, divisor) is called; the output value
// of lane j is sum[j] / divisor, which emit computes where it needs it.
template <int kWidth, class Emit>
void box_steps(const float* in, int length, int width_rt, int window, float* sum, Emit&& emit) {
  const int width = kWidth > 0 ? kWidth : width_rt;
  const int half = (window + 2) / 2;
  const int phase1 = half - 1;
  const int phase2 = window - half + 1;
  const int phase3 = length - window;
  const int phase4 = half - 1;
  std::fill(sum, sum + width, 0.0f);
  int n = 0, ri = 0, li = 0, oi = 0;
  for (int s = 0; s < phase1; ++s, ++ri, ++n) {
    const float* x = in + static_cast<size_t>(ri) * width;
    for (int j = 0; j < width; ++j) sum[j] += x[j];
  }
  for (int s = 0; s < phase2; ++s, ++ri, ++oi) {
    const float* x = in + static_cast<size_t>(ri) * width;
    for (int j = 0; j < width; ++j) sum[j] += x[j];
    ++n;
    emit(oi, sum, static_cast<float>(n));
  }
  for (int s = 0; s < phase3; ++s, ++ri, ++li, ++oi) {
    const float* x = in + static_cast<size_t>(ri) * width;
    const float* y = in + static_cast<size_t>(li) * width;
    for (int j = 0; j < width; ++j) {
      float v = sum[j] + x[j];
      sum[j] = v - y[j];
    }
    emit(oi, sum, static_cast<float>(n));
  }
  for (int s = 0; s < phase4; ++s, ++li, ++oi) {
    const float* y = in + static_cast<size_t>(li) * width;
    for (int j = 0; j < width; ++j) sum[j] -= y[j];
    --n;
    emit(oi, sum, static_cast<float>(n));
  }
}

constexpr int kStrip = 8;

// Copies rows [r0, r0 + kStrip) of `in` (rows x cols) into `t` as cols steps
// of kStrip lanes; lanes past the last row are zero.
void transpose_strip(const float* in, int rows, int cols, int r0, float* t) {
  const int nr = std::min(kStrip, rows - r0);
  for (int r = 0; r < nr; ++r) {
    const float* src = in + static_cast<size_t>(r0 + r) * cols;
    for (int c = 0; c < cols; ++c) t[c * kStrip + r] = src[c];
  }
  for (int r = nr; r < kStrip; ++r) {
    for (int c = 0; c < cols; ++c) t[c * kStrip + r] = 0.0f;
  }
}

// Box filter along every row of `in`, all outputs, into `out`.
void box_rows_full(const float* in, float* out, int rows, int cols, int window, std::vector<float>& t) {
  t.resize(static_cast<size_t>(cols) * kStrip);
  alignas(32) float sum[kStrip];
  for (int r0 = 0; r0 < rows; r0 += kStrip) {
    transpose_strip(in, rows, cols, r0, t.data());
    const int nr = std::min(kStrip, rows - r0);
    float* dst = out + static_cast<size_t>(r0) * cols;
    box_steps<kStrip>(t.data(), cols, kStrip, window, sum, [&](int o, const float* s, float div) {
      alignas(32) float v[kStrip];
      for (int j = 0; j < kStrip; ++j) v[j] = s[j] / div;
      for (int r = 0; r < nr; ++r) dst[static_cast<size_t>(r) * cols + o] = v[r];
    });
  }
}

// Box filter along every row of `in`, kept only at the sampled columns:
// out is rows x 64, out[r][j] = filtered(r, cols_sampled[j]).
void box_rows_sampled(const float* in, float* out, int rows, int cols, int window, const std::array<int, 64>& sampled,
                      std::vector<float>& t) {
  t.resize(static_cast<size_t>(cols) * kStrip);
  alignas(32) float sum[kStrip];
  for (int r0 = 0; r0 < rows; r0 += kStrip) {
    transpose_strip(in, rows, cols, r0, t.data());
    const int nr = std::min(kStrip, rows - r0);
    float* dst = out + static_cast<size_t>(r0) * 64;
    int next = 0;  // next sample index to fill; positions are non-decreasing
    box_steps<kStrip>(t.data(), cols, kStrip, window, sum, [&](int o, const float* s, float div) {
      if (next >= 64 || sampled[next] != o) return;
      alignas(32) float v[kStrip];
      for (int j = 0; j < kStrip; ++j) v[j] = s[j] / div;
      for (; next < 64 && sampled[next] == o; ++next) {
        for (int r = 0; r < nr; ++r) dst[static_cast<size_t>(r) * 64 + next] = v[r];
      }
    });
  }
}

// Box filter down every column of `in` (rows x width), all outputs.
void box_cols_full(const float* in, float* out, int rows, int width, int window, std::vector<float>& sum) {
  sum.resize(width);
  box_steps<0>(in, rows, width, window, sum.data(), [&](int o, const float* s, float div) {
    float* dst = out + static_cast<size_t>(o) * width;
    for (int j = 0; j < width; ++j) dst[j] = s[j] / div;
  });
}

}  // namespace

void jarosz_downsample_64(float* luma, float* scratch, int rows, int cols, float (*out)[64]) {
  const int wr = window_size(cols);  // window along rows spans columns
  const int wc = window_size(rows);
  std::vector<float> t, sum;
  // Pass 1: rows, then columns, over the whole image (back into luma).
  box_rows_full(luma, scratch, rows, cols, wr, t);
  box_cols_full(scratch, luma, rows, cols, wc, sum);
  // Pass 2: rows, finished only at the sampled columns (rows x 64 in
  // scratch), then the 64 sampled columns, finished only at sampled rows.
  const std::array<int, 64> scol = sample_positions(cols);
  const std::array<int, 64> srow = sample_positions(rows);
  box_rows_sampled(luma, scratch, rows, cols, wr, scol, t);
  alignas(32) float s64[64];
  int next = 0;
  box_steps<64>(scratch, rows, 64, wc, s64, [&](int o, const float* s, float div) {
    for (; next < 64 && srow[next] == o; ++next) {
      for (int j = 0; j < 64; ++j) out[next][j] = s[j] / div;
    }
  });
}

}  // namespace chainbreak::pdq
