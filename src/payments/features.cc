#include "payments/features.h"

namespace chainbreak::payments {

namespace {
const FeatureInfo kInfo[kFeatureCount] = {
#define CHAINBREAK_X(e, n, k, g) {n, Kind::k, Group::g},
    CHAINBREAK_PAY_FEATURES(CHAINBREAK_X)
#undef CHAINBREAK_X
};
}  // namespace

const FeatureInfo& feature_info(F f) { return kInfo[static_cast<int>(f)]; }

bool find_feature(std::string_view name, F* out) {
  for (int i = 0; i < kFeatureCount; ++i)
    if (name == kInfo[i].name) return *out = static_cast<F>(i), true;
  return false;
}

}  // namespace chainbreak::payments
