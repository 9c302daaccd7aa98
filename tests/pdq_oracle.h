// A plain, unoptimised statement of the PDQ algorithm, written from its
// description (Meta's PDQ paper and reference behaviour): full-buffer box
// filters with strides, textbook DCT loops, median by sorting. It is the
// oracle the fast implementation in src/signals/pdq is tested against.
#pragma once

#include <vector>

#include "signals/pdq/hash256.h"

namespace chainbreak::pdq::oracle {

struct OracleHash {
  Hash256 hash;
  int quality = 0;
  float downsample[64][64];
  float dct[16][16];
};

// `luma` rows x cols, row-major (copied, not modified).
OracleHash hash_luma(const std::vector<float>& luma, int rows, int cols);

}  // namespace chainbreak::pdq::oracle
