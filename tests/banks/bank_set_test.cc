// BankSet over both stores: matches equal a brute-force computation over
// the banks' live entries with bank rules applied; changes made through
// another connection are followed; snapshots reload to the same state.
#include "banks/bank_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "banks/hex.h"
#include "store/store_fixture.h"

namespace chainbreak::banks {
namespace {

using store::testing::Backend;
using store::testing::StoreTest;

class BankSetTest : public StoreTest {
 protected:
  int64_t now_ = static_cast<int64_t>(std::time(nullptr));

  pdq::Hash256 near(const std::string& hex, int bits) {
    auto h = pdq::Hash256::from_hex(hex).value();
    for (int i = 0; i < bits; ++i) h.words[i % 4] ^= uint64_t{1} << (i * 7 % 64);
    return h;
  }
  // Brute force: (bank name, entry id, distance) of live entries of usable
  // banks within their thresholds.
  std::vector<std::tuple<std::string, int64_t, int>> expected(const pdq::Hash256& q) {
    std::vector<std::tuple<std::string, int64_t, int>> out;
    const auto banks = store_->list_banks();
    EXPECT_TRUE(banks.ok());
    for (const auto& b : banks.value()) {
      if (!b.enabled || b.disabled_until > now_) continue;
      EXPECT_TRUE(store_
                      ->scan_entries(b.id, false,
                                     [&](const store::Entry& e) {
                                       if (e.type != store::SignalType::kPdq || e.disabled) return true;
                                       if (e.expires_at != 0 && e.expires_at <= now_) return true;
                                       const int d = pdq::hamming_distance(q, pdq::Hash256::from_hex(e.value).value());
                                       if (d <= b.pdq_threshold) out.emplace_back(b.name, e.id, d);
                                       return true;
                                     })
                      .ok());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::tuple<std::string, int64_t, int>> got(const BankSet& set, const pdq::Hash256& q) {
    auto m = set.match_pdq(*store_, q, {}, std::nullopt, now_);
    EXPECT_TRUE(m.ok()) << m.status().message();
    std::vector<std::tuple<std::string, int64_t, int>> out;
    for (const auto& x : m.value()) out.emplace_back(x.bank, x.entry_id, x.distance);
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_P(BankSetTest, MatchesEqualBruteForceWithBankRules) {
  auto a = make_bank("alpha");
  auto b = make_bank("beta");
  b.pdq_threshold = 10;
  ASSERT_TRUE(store_->update_bank(b).ok());
  auto ea = make_entries(3000);
  auto eb = make_entries(500);
  eb[0].value = ea[0].value;     // the same hash in both banks
  ea[1].expires_at = now_ - 10;  // expired: never matches
  ea[2].expires_at = now_ + 3600;
  const auto ida = add(a.id, ea);
  add(b.id, eb);
  ASSERT_TRUE(store_->set_entry_disabled(ida[3], true).ok());
  ASSERT_TRUE(store_->remove_entries(std::vector<int64_t>{ida[4]}).ok());
  auto set = BankSet::open(*store_);
  ASSERT_TRUE(set.ok()) << set.status().message();
  size_t hits = 0;
  for (int i = 0; i < 40; ++i) {
    const auto q = near(ea[i % 6].value, i % 25);
    const auto want = expected(q);
    ASSERT_EQ(got(*set.value(), q), want) << "query " << i;
    hits += want.size();
  }
  EXPECT_GT(hits, 20u);
  // A named bank restricts the search; an unknown name is an error.
  const std::string only[] = {"beta"};
  auto m = set.value()->match_pdq(*store_, near(ea[0].value, 0), only, std::nullopt, now_);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m.value().size(), 1u);
  EXPECT_EQ(m.value()[0].bank, "beta");
  const std::string bad[] = {"gamma"};
  EXPECT_FALSE(set.value()->match_pdq(*store_, near(ea[0].value, 0), bad, std::nullopt, now_).ok());
}

TEST_P(BankSetTest, AllowlistSuppressesOtherMatches) {
  auto known = make_bank("known");
  auto allow = make_bank("allow");
  allow.allowlist = true;
  ASSERT_TRUE(store_->update_bank(allow).ok());
  auto e = make_entries(2);
  add(known.id, e);
  add(allow.id, {e[0]});
  auto set = BankSet::open(*store_).value();
  const std::string names[] = {"known"};
  auto m = set->match_pdq(*store_, near(e[0].value, 3), names, std::nullopt, now_).value();
  ASSERT_EQ(m.size(), 2u);
  for (const auto& x : m) EXPECT_EQ(x.suppressed, !x.allowlist) << x.bank;
  m = set->match_pdq(*store_, near(e[1].value, 3), names, std::nullopt, now_).value();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_FALSE(m[0].suppressed);
}

TEST_P(BankSetTest, FollowsChangesFromAnotherConnection) {
  auto a = make_bank("alpha");
  auto e = make_entries(100);
  const auto ids = add(a.id, e);
  auto set = BankSet::open(*store_).value();
  auto other = open_again();
  ASSERT_NE(other, nullptr);
  // Another writer: adds, removes, disables; creates a bank; disables one.
  auto more = make_entries(50);
  ASSERT_TRUE(other->add_entries(a.id, more).ok());
  ASSERT_TRUE(other->remove_entries(std::vector<int64_t>{ids[0]}).ok());
  ASSERT_TRUE(other->set_entry_disabled(ids[1], true).ok());
  store::Bank nb;
  nb.name = "late";
  auto late = other->create_bank(nb).value();
  ASSERT_TRUE(other->add_entries(late.id, std::vector<store::Entry>{e[2]}).ok());
  // Before refresh the old state holds; after it, the new one.
  EXPECT_EQ(got(*set, near(more[0].value, 0)).size(), 0u);
  ASSERT_TRUE(set->refresh(*store_).ok());
  for (const auto& q : {near(more[0].value, 2), near(e[0].value, 0), near(e[1].value, 0), near(e[2].value, 1)}) {
    EXPECT_EQ(got(*set, q), expected(q));
  }
  EXPECT_EQ(got(*set, near(e[2].value, 0)).size(), 2u);  // alpha and late
  ASSERT_TRUE(other->set_entry_disabled(ids[1], false).ok());
  ASSERT_TRUE(other->delete_bank(late.id).ok());
  ASSERT_TRUE(set->refresh(*store_).ok());
  EXPECT_EQ(got(*set, near(e[1].value, 0)).size(), 1u);  // enabled again
  EXPECT_EQ(got(*set, near(e[2].value, 0)).size(), 1u);  // late is gone
  // An entry held in the entry cache (it matched just now) that is disabled
  // or removed elsewhere stops matching at the next refresh.
  EXPECT_EQ(got(*set, near(e[3].value, 0)).size(), 1u);
  EXPECT_EQ(got(*set, near(e[4].value, 0)).size(), 1u);
  ASSERT_TRUE(other->set_entry_disabled(ids[3], true).ok());
  ASSERT_TRUE(other->remove_entries(std::vector<int64_t>{ids[4]}).ok());
  ASSERT_TRUE(set->refresh(*store_).ok());
  EXPECT_EQ(got(*set, near(e[3].value, 0)).size(), 0u);
  EXPECT_EQ(got(*set, near(e[4].value, 0)).size(), 0u);
  EXPECT_EQ(set->seq(), last_seq());
}

TEST_P(BankSetTest, SnapshotsReloadToTheSameState) {
  auto a = make_bank("alpha");
  auto e = make_entries(9000);  // large enough for an indexed segment
  const auto ids = add(a.id, e);
  auto x = make_entries(3, store::SignalType::kSha256);
  add(a.id, x);
  const std::string dir = dir_ + "/snapshots";
  {
    auto set = BankSet::open(*store_, dir).value();
    ASSERT_TRUE(set->save_snapshots().ok());
  }
  ASSERT_TRUE(std::filesystem::exists(dir + "/bank-" + std::to_string(a.id) + ".pdq"));
  // Changes after the snapshot are applied on open.
  ASSERT_TRUE(store_->remove_entries(std::vector<int64_t>{ids[5]}).ok());
  auto later = make_entries(5);
  add(a.id, later);
  auto set = BankSet::open(*store_, dir).value();
  EXPECT_EQ(set->pdq_size(a.id), 9000u - 1 + 5);
  for (const auto& q : {near(e[5].value, 0), near(later[0].value, 4), near(e[100].value, 20)}) {
    EXPECT_EQ(got(*set, q), expected(q));
  }
  auto m = set->match_exact(*store_, store::SignalType::kSha256, hex_bytes(x[1].value), {}, now_);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m.value().size(), 1u);
  EXPECT_EQ(m.value()[0].entry.value, x[1].value);
  // Saving writes only when something changed since the snapshots.
  const std::string file = dir + "/bank-" + std::to_string(a.id) + ".pdq";
  ASSERT_TRUE(set->save_snapshots().ok());  // the changes above were applied: written
  const auto written = std::filesystem::last_write_time(file);
  {
    auto again = BankSet::open(*store_, dir).value();
    ASSERT_TRUE(again->save_snapshots().ok());  // nothing changed: not rewritten
  }
  EXPECT_EQ(std::filesystem::last_write_time(file), written);
  // A corrupt snapshot is ignored (rebuilt from the store), not trusted.
  {
    std::FILE* f = std::fopen((dir + "/bank-" + std::to_string(a.id) + ".pdq").c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 100, SEEK_SET);
    std::fputc(0x77, f);
    std::fclose(f);
  }
  auto rebuilt = BankSet::open(*store_, dir).value();
  EXPECT_EQ(rebuilt->pdq_size(a.id), 9000u - 1 + 5);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, BankSetTest, ::testing::Values(Backend::kSqlite), store::testing::backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, BankSetTest, ::testing::Values(Backend::kPostgres), store::testing::backend_name);

}  // namespace
}  // namespace chainbreak::banks
