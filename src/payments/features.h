// The fixed catalogue of features a rule can read (docs/PAYMENTS.md lists
// each with its meaning). Every feature has a kind, which fixes how rule
// constants are read and how values print in reasons, and a group: the
// features of one group are computed together, lazily, the first time a
// rule reads one of them for the current transaction.
//
// Windows ("_1h", "_24h", "_7d") count the transactions with time in
// (t - W, t], including the current one. Account windows keep the last
// kLongWindow seconds, at most kRingCapacity transactions per direction per
// account (older ones drop out first).
#pragma once

#include <cstdint>
#include <string_view>

namespace chainbreak::payments {

enum class Kind : uint8_t {
  kMoney,    // 1e-4 units; constants are decimals ("25", "99.5")
  kInt,      // counts, seconds, days, hours
  kBool,     // true / false
  kChannel,  // channel names
  kCountry,  // two-letter codes
  kAgeBand,  // minor / adult / unknown
  kString,   // free text: currency, merchant_category, wallet, corridor "US-PH"
  kMemo,     // the normalised memo: in_list matches list terms on word boundaries
};

enum class Group : uint8_t { kTx, kPayerOut, kPayerIn, kPayeeIn, kPayeeOut, kPairReverse, kBankWallet, kBankPayee };
constexpr int kGroupCount = 8;

#define CHAINBREAK_PAY_FEATURES(X)                                    \
  X(kAmount, "tx.amount", kMoney, kTx)                                \
  X(kCurrency, "tx.currency", kString, kTx)                           \
  X(kChannelF, "tx.channel", kChannel, kTx)                           \
  X(kHour, "tx.hour", kInt, kTx)                                      \
  X(kNight, "tx.night", kBool, kTx)                                   \
  X(kRound, "tx.round_amount", kBool, kTx)                            \
  X(kMemoF, "tx.memo", kMemo, kTx)                                    \
  X(kHasMemo, "tx.has_memo", kBool, kTx)                              \
  X(kMerchantCategory, "tx.merchant_category", kString, kTx)          \
  X(kHasMerchant, "tx.has_merchant_category", kBool, kTx)             \
  X(kWallet, "tx.wallet", kString, kTx)                               \
  X(kHasWallet, "tx.has_wallet", kBool, kTx)                          \
  X(kCrossBorder, "tx.cross_border", kBool, kTx)                      \
  X(kCorridor, "tx.corridor", kString, kTx)                           \
  X(kWalletInBank, "tx.wallet_in_bank", kBool, kBankWallet)           \
  X(kPayeeInBank, "payee.id_in_bank", kBool, kBankPayee)              \
  X(kPayerCountry, "payer.country", kCountry, kTx)                    \
  X(kPayerAgeBand, "payer.age_band", kAgeBand, kTx)                   \
  X(kPayerAgeDays, "payer.account_age_days", kInt, kTx)               \
  X(kPayeeCountry, "payee.country", kCountry, kTx)                    \
  X(kPayeeAgeBand, "payee.age_band", kAgeBand, kTx)                   \
  X(kPayeeAgeDays, "payee.account_age_days", kInt, kTx)               \
  X(kPairPrior, "pair.prior_count", kInt, kTx)                        \
  X(kPairFirstAge, "pair.first_contact_age_s", kInt, kTx)             \
  X(kPairReverse, "pair.reverse_prior_count", kInt, kPairReverse)     \
  X(kPairCount24, "pair.count_24h", kInt, kPayerOut)                  \
  X(kPairSum24, "pair.sum_24h", kMoney, kPayerOut)                    \
  X(kOutCount1, "payer.out_count_1h", kInt, kPayerOut)                \
  X(kOutCount24, "payer.out_count_24h", kInt, kPayerOut)              \
  X(kOutSum1, "payer.out_sum_1h", kMoney, kPayerOut)                  \
  X(kOutSum24, "payer.out_sum_24h", kMoney, kPayerOut)                \
  X(kOutDistinct24, "payer.out_distinct_payees_24h", kInt, kPayerOut) \
  X(kOutRound24, "payer.out_round_count_24h", kInt, kPayerOut)        \
  X(kOutNight24, "payer.out_night_count_24h", kInt, kPayerOut)        \
  X(kOutNew24, "payer.out_new_payee_count_24h", kInt, kPayerOut)      \
  X(kSinceOut, "payer.secs_since_last_out", kInt, kPayerOut)          \
  X(kPairCount7, "pair.count_7d", kInt, kPayerOut)                    \
  X(kPairSince, "pair.secs_since_last", kInt, kPayerOut)              \
  X(kOutCount7, "payer.out_count_7d", kInt, kPayerOut)                \
  X(kOutDistinct7, "payer.out_distinct_payees_7d", kInt, kPayerOut)   \
  X(kOutAbroad7, "payer.out_personal_abroad_7d", kInt, kPayerOut)     \
  X(kInCount24, "payer.in_count_24h", kInt, kPayerIn)                 \
  X(kInSum24, "payer.in_sum_24h", kMoney, kPayerIn)                   \
  X(kInDistinct24, "payer.in_distinct_payers_24h", kInt, kPayerIn)    \
  X(kSinceIn, "payer.secs_since_last_in", kInt, kPayerIn)             \
  X(kMule, "payer.mule", kBool, kPayerIn)                             \
  X(kInCount7, "payer.in_count_7d", kInt, kPayerIn)                   \
  X(kInSum7, "payer.in_sum_7d", kMoney, kPayerIn)                     \
  X(kInDistinct7, "payer.in_distinct_payers_7d", kInt, kPayerIn)      \
  X(kInUnrelated7, "payer.in_unrelated_payers_7d", kInt, kPayerIn)    \
  X(kPeIn1, "payee.in_count_1h", kInt, kPayeeIn)                      \
  X(kPeIn24, "payee.in_count_24h", kInt, kPayeeIn)                    \
  X(kPeInSum24, "payee.in_sum_24h", kMoney, kPayeeIn)                 \
  X(kFanIn24, "payee.fan_in_24h", kInt, kPayeeIn)                     \
  X(kPeIn7, "payee.in_count_7d", kInt, kPayeeIn)                      \
  X(kFanIn7, "payee.fan_in_7d", kInt, kPayeeIn)                       \
  X(kUnrelatedFanIn7, "payee.unrelated_fan_in_7d", kInt, kPayeeIn)    \
  X(kPeOut24, "payee.out_count_24h", kInt, kPayeeOut)

enum class F : uint8_t {
#define CHAINBREAK_X(e, n, k, g) e,
  CHAINBREAK_PAY_FEATURES(CHAINBREAK_X)
#undef CHAINBREAK_X
      kCount
};
constexpr int kFeatureCount = static_cast<int>(F::kCount);

struct FeatureInfo {
  const char* name;
  Kind kind;
  Group group;
};
const FeatureInfo& feature_info(F f);
// The feature with this name; false when not in the catalogue.
bool find_feature(std::string_view name, F* out);

// A value that is absent (an unknown account age, a missing country): every
// condition over it is false.
constexpr int64_t kMissing = INT64_MIN;
// secs_since_last_* when there is no such transaction within the window
// (24 h for payer.secs_since_last_out, 7 days for payer.secs_since_last_in
// and pair.secs_since_last).
constexpr int64_t kNever = 1'000'000'000;
// The longest window a feature reads: rings keep this much history.
constexpr int64_t kLongWindow = 7 * 86400;
constexpr int kRingCapacity = 256;

}  // namespace chainbreak::payments
