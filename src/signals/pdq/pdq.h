// PDQ perceptual hashing of images given as pixel arrays (no I/O here).
//
// The algorithm is Meta's PDQ (luma, two-pass Jarosz tent filter, decimation
// to 64x64, 16x16 DCT without the DC row and column, median threshold,
// gradient-based quality 0..100). Given the same float luma array, every
// function here returns the same hash and quality as the reference C++
// implementation, bit for bit: the float operations are performed in the
// reference's order (the build forbids fused multiply-add), only laid out
// so that they vectorise.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "signals/pdq/hash256.h"

namespace chainbreak::pdq {

// Images with a side shorter than this hash to all zeros with quality 0.
inline constexpr int kMinHashableSide = 5;
// Documented by the reference: hashes under this quality are not to be trusted.
inline constexpr int kMinTrustedQuality = 50;
// Documented by the reference: a match is a Hamming distance <= 31.
inline constexpr int kDefaultMatchThreshold = 31;

struct PdqHash {
  Hash256 hash;
  int quality = 0;  // 0..100
};

// The eight dihedral transforms, in the order the reference prints them.
enum class Dihedral : int {
  kOriginal = 0,
  kRotate90,
  kRotate180,
  kRotate270,
  kFlipX,
  kFlipY,
  kFlipPlus1,
  kFlipMinus1,
};
inline constexpr int kNumDihedral = 8;
// "original", "rotate90", ...: stable names used in JSON output.
const char* dihedral_name(Dihedral d);

struct PdqDihedralHashes {
  std::array<Hash256, kNumDihedral> hashes;  // indexed by Dihedral
  int quality = 0;
};

// Writes rows x cols float luma (row-major, `out` must hold rows*cols) from
// interleaved 8-bit RGB with `row_stride` bytes between rows:
// Y = 0.299 R + 0.587 G + 0.114 B evaluated in float as the reference does.
void luma_from_rgb(const uint8_t* rgb, int rows, int cols, size_t row_stride, float* out);
// Same from 8-bit grey: Y is the grey value.
void luma_from_grey(const uint8_t* grey, int rows, int cols, size_t row_stride, float* out);

// Hashes float luma images. Holds scratch buffers reused across calls, so one
// hasher per thread; not thread-safe. Never fails: every rows x cols input
// (rows, cols >= 0) has a hash.
class PdqHasher {
 public:
  // `luma` is rows x cols, row-major; it is overwritten (used as scratch).
  PdqHash hash(float* luma, int rows, int cols);
  // The eight dihedral hashes from one DCT, as the reference computes them.
  PdqDihedralHashes hash_dihedral(float* luma, int rows, int cols);

 private:
  // Fills dct16 (16x16) and returns quality; false for images too small.
  bool dct(float* luma, int rows, int cols, float (*dct16)[16], int* quality);
  std::vector<float> scratch_;
};

// ---- Steps of the algorithm, exposed for tests and benchmarks. ----

// Blurs `luma` with the reference's Jarosz filter (window (dim + 127) / 128,
// two passes of rows then columns) and samples it at ((i + 0.5) * dim / 64).
// `luma` is overwritten; `scratch` must hold rows * max(cols, 64) floats.
void jarosz_downsample_64(float* luma, float* scratch, int rows, int cols, float (*out)[64]);
// The reference's quality metric on the 64x64 downsample, 0..100.
int quality_from_64(const float (*a)[64]);
// The 16x16 DCT of the 64x64 downsample (coefficients 1..16 on each axis).
void dct_64_to_16(const float (*a)[64], float (*out)[16]);
// The DCT of the transformed image, from the DCT of the original.
void dct16_transform(const float (*in)[16], Dihedral d, float (*out)[16]);
// Bit k = i*16+j is set when out[i][j] is strictly above the median (the
// 128th smallest of the 256 values).
Hash256 hash_from_dct16(const float (*dct16)[16]);

}  // namespace chainbreak::pdq
