// PDQ hashing: luma, quality metric, DCT, median threshold, dihedral
// transforms. The blur and decimation live in jarosz.cc.
#include "signals/pdq/pdq.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace chainbreak::pdq {
namespace {

// Reference luma coefficients, as float constants.
constexpr float kLumaR = 0.299f;
constexpr float kLumaG = 0.587f;
constexpr float kLumaB = 0.114f;

// The 16x64 DCT matrix: row i is basis function i + 1. Built as the
// reference builds it: a float scale times a double cosine, stored as float.
struct DctMatrix {
  float d[16][64];   // d[i][k]
  float dt[64][16];  // transposed, for the second product
  DctMatrix() {
    constexpr double kPi = 3.14159265358979323846;
    const float scale = static_cast<float>(std::sqrt(2.0 / 64.0));
    for (int i = 0; i < 16; ++i) {
      for (int k = 0; k < 64; ++k) {
        d[i][k] = static_cast<float>(scale * std::cos((kPi / 2.0 / 64.0) * (i + 1) * (2 * k + 1)));
        dt[k][i] = d[i][k];
      }
    }
  }
};
const DctMatrix& dct_matrix() {
  static const DctMatrix m;
  return m;
}

}  // namespace

const char* dihedral_name(Dihedral d) {
  static constexpr const char* kNames[kNumDihedral] = {"original", "rotate90", "rotate180", "rotate270",
                                                       "flipx",    "flipy",    "flipplus1", "flipminus1"};
  return kNames[static_cast<int>(d)];
}

void luma_from_rgb(const uint8_t* rgb, int rows, int cols, size_t row_stride, float* out) {
  for (int r = 0; r < rows; ++r) {
    const uint8_t* p = rgb + r * row_stride;
    float* o = out + static_cast<size_t>(r) * cols;
    for (int c = 0; c < cols; ++c) {
      o[c] = kLumaR * p[3 * c] + kLumaG * p[3 * c + 1] + kLumaB * p[3 * c + 2];
    }
  }
}

void luma_from_grey(const uint8_t* grey, int rows, int cols, size_t row_stride, float* out) {
  for (int r = 0; r < rows; ++r) {
    const uint8_t* p = grey + r * row_stride;
    float* o = out + static_cast<size_t>(r) * cols;
    for (int c = 0; c < cols; ++c) o[c] = static_cast<float>(p[c]);
  }
}

int quality_from_64(const float (*a)[64]) {
  int gradient_sum = 0;
  for (int i = 0; i < 63; ++i) {
    for (int j = 0; j < 64; ++j) {
      int d = static_cast<int>(((a[i][j] - a[i + 1][j]) * 100) / 255);
      gradient_sum += std::abs(d);
    }
  }
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 63; ++j) {
      int d = static_cast<int>(((a[i][j] - a[i][j + 1]) * 100) / 255);
      gradient_sum += std::abs(d);
    }
  }
  return std::min(gradient_sum / 90, 100);
}

void dct_64_to_16(const float (*a)[64], float (*out)[16]) {
  const DctMatrix& m = dct_matrix();
  // T = D A: T[i][j] = sum over k (in order) of D[i][k] * A[k][j]. The loop
  // runs over j innermost so that it vectorises; each T[i][j] still sees the
  // same sequence of float additions as in the reference.
  alignas(64) float t[16][64];
  for (int i = 0; i < 16; ++i) {
    float* ti = t[i];
    for (int j = 0; j < 64; ++j) ti[j] = 0.0f;
    for (int k = 0; k < 64; ++k) {
      const float dik = m.d[i][k];
      const float* ak = a[k];
      for (int j = 0; j < 64; ++j) ti[j] += dik * ak[j];
    }
  }
  // B = T D^t: B[i][j] = sum over k (in order) of T[i][k] * D[j][k].
  for (int i = 0; i < 16; ++i) {
    float* bi = out[i];
    for (int j = 0; j < 16; ++j) bi[j] = 0.0f;
    for (int k = 0; k < 64; ++k) {
      const float tik = t[i][k];
      const float* dk = m.dt[k];
      for (int j = 0; j < 16; ++j) bi[j] += tik * dk[j];
    }
  }
}

void dct16_transform(const float (*in)[16], Dihedral d, float (*out)[16]) {
  // A rotation or flip of the image multiplies DCT coefficient (i, j) by
  // (-1)^i and/or (-1)^j and may transpose it (coefficient indices here are
  // one less than the basis function number, hence the parity tests).
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      const float v = in[i][j];
      switch (d) {
        case Dihedral::kOriginal: out[i][j] = v; break;
        case Dihedral::kRotate90: out[j][i] = (j & 1) ? v : -v; break;
        case Dihedral::kRotate180: out[i][j] = ((i + j) & 1) ? -v : v; break;
        case Dihedral::kRotate270: out[j][i] = (i & 1) ? v : -v; break;
        case Dihedral::kFlipX: out[i][j] = (i & 1) ? v : -v; break;
        case Dihedral::kFlipY: out[i][j] = (j & 1) ? v : -v; break;
        case Dihedral::kFlipPlus1: out[j][i] = v; break;
        case Dihedral::kFlipMinus1: out[j][i] = ((i + j) & 1) ? -v : v; break;
      }
    }
  }
}

Hash256 hash_from_dct16(const float (*dct16)[16]) {
  float sorted[256];
  std::memcpy(sorted, dct16, sizeof(sorted));
  std::nth_element(sorted, sorted + 127, sorted + 256);
  const float median = sorted[127];
  Hash256 h;
  for (int k = 0; k < 256; ++k) {
    if (dct16[k / 16][k % 16] > median) h.set_bit(k);
  }
  return h;
}

bool PdqHasher::dct(float* luma, int rows, int cols, float (*dct16)[16], int* quality) {
  if (rows < kMinHashableSide || cols < kMinHashableSide) {
    *quality = 0;
    return false;
  }
  alignas(64) float a[64][64];
  if (rows == 64 && cols == 64) {
    // The reference takes a 64x64 input as already downsampled.
    std::memcpy(a, luma, sizeof(a));
  } else {
    const size_t n = static_cast<size_t>(rows) * std::max(cols, 64);
    if (scratch_.size() < n) scratch_.resize(n);
    jarosz_downsample_64(luma, scratch_.data(), rows, cols, a);
  }
  *quality = quality_from_64(a);
  dct_64_to_16(a, dct16);
  return true;
}

PdqHash PdqHasher::hash(float* luma, int rows, int cols) {
  PdqHash out;
  float dct16[16][16];
  if (dct(luma, rows, cols, dct16, &out.quality)) out.hash = hash_from_dct16(dct16);
  return out;
}

PdqDihedralHashes PdqHasher::hash_dihedral(float* luma, int rows, int cols) {
  PdqDihedralHashes out;
  float dct16[16][16];
  if (!dct(luma, rows, cols, dct16, &out.quality)) return out;
  for (int d = 0; d < kNumDihedral; ++d) {
    float t[16][16];
    dct16_transform(dct16, static_cast<Dihedral>(d), t);
    out.hashes[d] = hash_from_dct16(t);
  }
  return out;
}

}  // namespace chainbreak::pdq
