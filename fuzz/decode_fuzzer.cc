// libFuzzer target: arbitrary bytes through every decoder (format sniffed
// from content) in every mode, then through PDQ hashing when they decode.
// Must never crash, hang, leak or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <span>

#include "signals/image/image.h"
#include "signals/pdq_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chainbreak;
  for (signals::PdqMode mode : {signals::PdqMode::kDefault, signals::PdqMode::kReferenceIo, signals::PdqMode::kFast}) {
    signals::PdqOptions options;
    options.mode = mode;
    options.max_pixels = 4'000'000;  // keep each input fast
    options.dihedral = mode == signals::PdqMode::kDefault;
    signals::PdqFileHasher hasher(options);
    Result<signals::PdqSignal> r = hasher.hash_bytes(std::span<const uint8_t>(data, size));
    if (r.ok() && r.value().quality > 100) __builtin_trap();
  }
  return 0;
}
