// Searches running while another thread adds and removes (with seals and
// merges): a stable set present throughout is always found exactly, and
// nothing is ever reported that was not in the index or at a wrong distance.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "index/pdq_index.h"
#include "index_test_support.h"

namespace chainbreak::index {
namespace {

using pdq::Hash256;
using test::flip_bits;
using test::random_hash;

TEST(PdqIndexConcurrency, ReadersStayExactOnTheStableSetWhileWriting) {
  std::mt19937_64 rng(4242);
  PdqIndex::Options opt;
  opt.tail_capacity = 512;
  PdqIndex index(opt);
  // Stable entries: ids 1..N, never removed.
  const size_t kStable = 12000;
  std::vector<Hash256> stable;
  std::vector<uint64_t> stable_ids;
  for (size_t i = 0; i < kStable; ++i) {
    stable.push_back(random_hash(rng));
    stable_ids.push_back(i + 1);
  }
  index.build(stable, stable_ids);

  // Churn entries have ids above 1e9; their hashes are kept so readers can
  // check any churn hit's distance.
  const size_t kChurn = 30000;
  std::vector<Hash256> churn(kChurn);
  for (auto& h : churn) h = flip_bits(stable[rng() % kStable], static_cast<int>(rng() % 40), rng);

  std::atomic<bool> done{false};
  std::atomic<size_t> searches{0};
  std::atomic<size_t> failures{0};
  auto reader = [&](uint64_t seed) {
    std::mt19937_64 r(seed);
    std::vector<Hit> got;
    while (!done.load()) {
      const size_t k = r() % kStable;
      const Hash256 q = flip_bits(stable[k], static_cast<int>(r() % 32), r);
      got.clear();
      index.search(q, 31, &got);
      // Every stable entry within 31 must be there.
      std::set<uint64_t> ids;
      for (const auto& h : got) {
        ids.insert(h.id);
        const Hash256& e = h.id > 1000000000u ? churn[h.id - 1000000001u] : stable[h.id - 1];
        if (pdq::hamming_distance(e, q) != h.distance || h.distance > 31) failures.fetch_add(1);
      }
      for (size_t i = 0; i < kStable; ++i) {
        if (pdq::hamming_distance(stable[i], q) <= 31 && !ids.count(i + 1)) failures.fetch_add(1);
      }
      searches.fetch_add(1);
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);
  // Writer: add all churn entries, removing every other one shortly after.
  for (size_t i = 0; i < kChurn; ++i) {
    index.add(1000000001u + i, churn[i]);
    if (i >= 10 && i % 2 == 0) {
      EXPECT_EQ(index.remove(1000000001u + i - 10, churn[i - 10]), 1u);
    }
  }
  // Removed entries are gone for every search that starts afterwards.
  std::vector<Hit> got;
  index.search(churn[10], 0, &got);
  for (const auto& h : got) EXPECT_NE(h.id, 1000000011u);
  done.store(true);
  r1.join();
  r2.join();
  EXPECT_EQ(failures.load(), 0u);
  EXPECT_GT(searches.load(), 10u);
  const auto st = index.stats();
  EXPECT_EQ(st.live, kStable + kChurn - (kChurn - 10) / 2);
}

}  // namespace
}  // namespace chainbreak::index
