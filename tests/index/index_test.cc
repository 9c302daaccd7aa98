// The PDQ index against the brute-force oracle: random and clustered data
// (families of near-duplicates), thresholds 0..63, tables forced and
// automatic, incremental adds/removes with seals and merges, snapshots.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "index/pdq_index.h"
#include "index/pdq_scan.h"
#include "index_test_support.h"

namespace chainbreak::index {
namespace {

using pdq::Hash256;
using test::flip_bits;
using test::random_hash;

// The oracle: plain bit-by-bit distances over the live entries.
std::vector<Hit> oracle(const std::vector<Hash256>& hashes, const std::vector<uint64_t>& ids, const Hash256& q, int t) {
  std::vector<ScanHit> raw;
  const int th[1] = {t};
  scan_reference(hashes, std::span(&q, 1), th, &raw);
  std::vector<Hit> hits;
  for (const auto& h : raw) hits.push_back({ids[h.pos], h.distance});
  return test::sorted(hits);
}

TEST(PdqScan, SimdEqualsReference) {
  std::mt19937_64 rng(1);
  std::vector<Hash256> data;
  for (int i = 0; i < 1003; ++i) data.push_back(random_hash(rng));
  std::vector<Hash256> queries;
  std::vector<int> th;
  for (int i = 0; i < 40; ++i) {
    queries.push_back(i % 2 ? random_hash(rng) : flip_bits(data[(i * 37) % data.size()], i, rng));
    th.push_back(std::vector<int>{0, 16, 31, 48, 63, 100, 128, 140}[i % 8]);
  }
  std::vector<ScanHit> fast, ref;
  scan(data, queries, th, &fast);
  scan_reference(data, queries, th, &ref);
  ASSERT_EQ(fast.size(), ref.size());
  size_t found = 0;
  for (size_t i = 0; i < fast.size(); ++i) {
    EXPECT_EQ(fast[i].query, ref[i].query);
    EXPECT_EQ(fast[i].pos, ref[i].pos);
    EXPECT_EQ(fast[i].distance, ref[i].distance);
    found += fast[i].distance <= 63;
  }
  EXPECT_GT(found, 10u);  // the planted queries do match
}

TEST(SearchPlan, SatisfiesThePigeonholeConditions) {
  for (int t = 0; t <= 256; ++t) {
    const SearchPlan& p = plan_for(t);
    int sum = 0;
    for (int c = 0; c < 8; ++c) {
      ASSERT_GE(p.tau[c], -1);
      sum += p.tau[c];
      if (p.tau[c] >= 0) {
        EXPECT_GE(p.r[2 * c] + p.r[2 * c + 1], p.tau[c] - 1) << "t=" << t << " c=" << c;
        EXPECT_GE(std::max(p.r[2 * c], p.r[2 * c + 1]), 0) << "t=" << t << " c=" << c;
      }
    }
    EXPECT_GE(sum, t - 7) << "t=" << t;
  }
}

struct Data {
  std::vector<Hash256> hashes;
  std::vector<uint64_t> ids;
  std::vector<Hash256> queries;
};

// Random entries; queries: half planted 0..max_flip bits from an entry, half random.
Data random_data(size_t n, size_t nq, int max_flip, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Data d;
  for (size_t i = 0; i < n; ++i) {
    d.hashes.push_back(random_hash(rng));
    d.ids.push_back(1000 + i * 3);
  }
  for (size_t i = 0; i < nq; ++i) {
    if (i % 2) {
      d.queries.push_back(random_hash(rng));
    } else {
      const int k = static_cast<int>(rng() % (max_flip + 1));
      d.queries.push_back(flip_bits(d.hashes[rng() % n], k, rng));
    }
  }
  return d;
}

// Families: a few centres, each with many members 0..40 bits away, and
// duplicates of the same hash under different ids; queries near centres.
Data clustered_data(size_t families, size_t per_family, size_t nq, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Data d;
  std::vector<Hash256> centres;
  for (size_t f = 0; f < families; ++f) centres.push_back(random_hash(rng));
  uint64_t id = 1;
  for (size_t f = 0; f < families; ++f) {
    for (size_t m = 0; m < per_family; ++m) {
      const Hash256 h = flip_bits(centres[f], static_cast<int>(rng() % 41), rng);
      d.hashes.push_back(h);
      d.ids.push_back(id++);
      if (m % 50 == 0) {  // an exact duplicate under another id
        d.hashes.push_back(h);
        d.ids.push_back(id++);
      }
    }
  }
  for (size_t i = 0; i < nq; ++i) {
    d.queries.push_back(flip_bits(centres[rng() % families], static_cast<int>(rng() % 33), rng));
  }
  return d;
}

void expect_exact(const MihSegment& seg, const Data& d, const std::vector<int>& thresholds, MihSegment::Mode mode,
                  size_t* total_hits) {
  for (size_t qi = 0; qi < d.queries.size(); ++qi) {
    const auto all = oracle(d.hashes, d.ids, d.queries[qi], 256);  // every distance, once per query
    for (int t : thresholds) {
      std::vector<Hit> want;
      for (const auto& h : all) {
        if (h.distance <= t) want.push_back(h);
      }
      std::vector<Hit> got;
      seg.search(d.queries[qi], t, &got, mode);
      ASSERT_EQ(test::sorted(got), want) << "t=" << t << " query " << qi << " (" << d.queries[qi].hex() << ")";
      *total_hits += want.size();
    }
  }
}

const std::vector<int> kThresholds = {0, 1, 2, 7, 8, 16, 31, 32, 48, 63};

TEST(MihSegment, ExactOnRandomData) {
  const Data d = random_data(20000, 120, 63, 7);
  auto seg = MihSegment::build(d.hashes, d.ids, 2);
  size_t hits = 0;
  expect_exact(*seg, d, kThresholds, MihSegment::Mode::kTables, &hits);
  expect_exact(*seg, d, {31, 63}, MihSegment::Mode::kAuto, &hits);
  EXPECT_GT(hits, 200u);
}

TEST(MihSegment, ExactOnClusteredData) {
  const Data d = clustered_data(12, 1500, 60, 11);
  auto seg = MihSegment::build(d.hashes, d.ids, 1);
  size_t hits = 0;
  expect_exact(*seg, d, kThresholds, MihSegment::Mode::kTables, &hits);
  EXPECT_GT(hits, 10000u);  // dense families: many hits per query
}

TEST(MihSegment, EveryThresholdUpTo64ViaTables) {
  const Data d = random_data(9000, 16, 64, 3);
  auto seg = MihSegment::build(d.hashes, d.ids, 1);
  std::vector<int> all;
  for (int t = 0; t <= 64; ++t) all.push_back(t);
  size_t hits = 0;
  expect_exact(*seg, d, all, MihSegment::Mode::kTables, &hits);
  EXPECT_GT(hits, 100u);
}

TEST(MihSegment, SearchManyEqualsSearchForMixedThresholds) {
  const Data d = random_data(30000, 90, 40, 13);
  auto seg = MihSegment::build(d.hashes, d.ids, 1);
  std::vector<int> th;
  for (size_t i = 0; i < d.queries.size(); ++i) th.push_back(std::vector<int>{31, 0, 16, 63, -1, 48, 100}[i % 7]);
  std::vector<std::vector<Hit>> many(d.queries.size());
  seg->search_many(d.queries, th, &many);
  size_t hits = 0;
  for (size_t i = 0; i < d.queries.size(); ++i) {
    std::vector<Hit> one;
    seg->search(d.queries[i], th[i], &one);
    ASSERT_EQ(test::sorted(many[i]), test::sorted(one)) << "query " << i << " t=" << th[i];
    hits += one.size();
  }
  EXPECT_GT(hits, 40u);
}

TEST(MihSegment, RemoveTombstonesOnlyThatEntry) {
  Data d = random_data(10000, 0, 0, 5);
  d.hashes.push_back(d.hashes[10]);  // same hash, another id
  d.ids.push_back(999999);
  auto seg = MihSegment::build(d.hashes, d.ids, 1);
  EXPECT_EQ(seg->remove(d.ids[10], d.hashes[10]), 1u);
  EXPECT_EQ(seg->remove(d.ids[10], d.hashes[10]), 0u);  // already gone
  EXPECT_EQ(seg->remove(d.ids[11], d.hashes[10]), 0u);  // id and hash must agree
  std::vector<Hit> got;
  seg->search(d.hashes[10], 0, &got, MihSegment::Mode::kTables);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, 999999u);
  EXPECT_EQ(seg->removed(), 1u);
}

// A model of the index: the live (id, hash) pairs.
struct Model {
  std::vector<Hash256> hashes;
  std::vector<uint64_t> ids;
  void remove(uint64_t id, const Hash256& h) {
    for (size_t i = 0; i < ids.size();) {
      if (ids[i] == id && hashes[i] == h) {
        ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(i));
        hashes.erase(hashes.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }
};

TEST(PdqIndex, IncrementalAddsAndRemovesStayExact) {
  std::mt19937_64 rng(99);
  PdqIndex::Options opt;
  opt.tail_capacity = 700;  // many seals and merges, some segments with tables
  PdqIndex index(opt);
  Model model;
  uint64_t next_id = 1;
  size_t checked_hits = 0;
  for (int round = 0; round < 40; ++round) {
    for (int i = 0; i < 900; ++i) {
      // Some additions are near-duplicates of earlier entries.
      const Hash256 h = (!model.hashes.empty() && i % 5 == 0)
                            ? flip_bits(model.hashes[rng() % model.hashes.size()], static_cast<int>(rng() % 20), rng)
                            : random_hash(rng);
      index.add(next_id, h);
      model.hashes.push_back(h);
      model.ids.push_back(next_id++);
    }
    for (int i = 0; i < 150 && !model.ids.empty(); ++i) {
      const size_t k = rng() % model.ids.size();
      const uint64_t id = model.ids[k];
      const Hash256 h = model.hashes[k];
      EXPECT_EQ(index.remove(id, h), 1u);
      model.remove(id, h);
    }
    for (int qn = 0; qn < 6; ++qn) {
      const Hash256 q = flip_bits(model.hashes[rng() % model.hashes.size()], static_cast<int>(rng() % 32), rng);
      const int t = std::vector<int>{0, 16, 31, 48}[qn % 4];
      std::vector<Hit> got;
      index.search(q, t, &got);
      const auto want = oracle(model.hashes, model.ids, q, t);
      ASSERT_EQ(test::sorted(got), want) << "round " << round << " t=" << t;
      checked_hits += want.size();
    }
  }
  // The batch path gives the same answers.
  std::vector<Hash256> qs;
  std::vector<int> ts;
  for (int i = 0; i < 30; ++i) {
    qs.push_back(flip_bits(model.hashes[rng() % model.hashes.size()], i, rng));
    ts.push_back(i % 3 ? 31 : 48);
  }
  std::vector<std::vector<Hit>> batch;
  index.search_batch(qs, ts, &batch);
  for (size_t i = 0; i < qs.size(); ++i)
    ASSERT_EQ(test::sorted(batch[i]), oracle(model.hashes, model.ids, qs[i], ts[i]));
  const auto st = index.stats();
  EXPECT_EQ(st.live, model.ids.size());
  EXPECT_GE(st.segments, 2u);
  EXPECT_GT(checked_hits, 100u);
  index.compact();
  EXPECT_EQ(index.stats().segments, 1u);
  EXPECT_EQ(index.stats().removed, 0u);
  const Hash256 q = model.hashes[17];
  std::vector<Hit> got;
  index.search(q, 31, &got);
  EXPECT_EQ(test::sorted(got), oracle(model.hashes, model.ids, q, 31));
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/chainbreak-index-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TEST(PdqIndex, SnapshotRoundTripAndCorruption) {
  const Data d = random_data(12000, 30, 31, 21);
  PdqIndex index;
  index.build(d.hashes, d.ids);
  index.add(424242, d.hashes[3]);
  index.remove(d.ids[5], d.hashes[5]);
  TempDir dir;
  const std::string path = dir.file("pdq.snap");
  ASSERT_TRUE(index.save(path, 77).ok());
  uint64_t tag = 0;
  auto loaded = PdqIndex::load(path, {}, &tag);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(tag, 77u);
  EXPECT_EQ(loaded.value()->stats().live, d.hashes.size());  // +1 added, -1 removed
  for (const auto& q : d.queries) {
    std::vector<Hit> a, b;
    index.search(q, 31, &a);
    loaded.value()->search(q, 31, &b);
    EXPECT_EQ(test::sorted(a), test::sorted(b));
  }
  // One flipped byte in the data: checksum mismatch.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40 + 1000);
    f.put('\x5a');
  }
  auto bad = PdqIndex::load(path, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("checksum"), std::string::npos) << bad.status().message();
  // Truncated.
  std::filesystem::resize_file(path, 40 + 31);
  bad = PdqIndex::load(path, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("truncated"), std::string::npos) << bad.status().message();
  // Not a snapshot.
  std::ofstream(dir.file("other")) << "hello, this is not an index snapshot at all....";
  bad = PdqIndex::load(dir.file("other"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("not a chainbreak"), std::string::npos);
  EXPECT_EQ(PdqIndex::load(dir.file("missing"), {}).status().code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace chainbreak::index

#include "index/exact_index.h"

namespace chainbreak::index {
namespace {

TEST(ExactIndex, AddLookupRemoveAcrossLengths) {
  ExactIndex idx;
  std::mt19937_64 rng(8);
  std::vector<std::vector<uint8_t>> digests;
  for (size_t len : {16u, 20u, 32u}) {
    for (int i = 0; i < 500; ++i) {
      std::vector<uint8_t> d(len);
      for (auto& b : d) b = static_cast<uint8_t>(rng());
      digests.push_back(d);
    }
  }
  for (size_t i = 0; i < digests.size(); ++i) ASSERT_TRUE(idx.add(digests[i], i));
  ASSERT_TRUE(idx.add(digests[7], 9999));  // a second id for one digest
  EXPECT_EQ(idx.size(), digests.size() + 1);
  std::vector<uint64_t> out;
  idx.lookup(digests[7], &out);
  std::sort(out.begin(), out.end());
  EXPECT_EQ(out, (std::vector<uint64_t>{7, 9999}));
  // A 16-byte prefix of a 20-byte digest is a different key.
  out.clear();
  idx.lookup(std::span(digests[600]).first(16), &out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(idx.remove(digests[7], 7));
  EXPECT_FALSE(idx.remove(digests[7], 7));
  out.clear();
  idx.lookup(digests[7], &out);
  EXPECT_EQ(out, (std::vector<uint64_t>{9999}));
  std::vector<uint8_t> too_long(33, 1);
  EXPECT_FALSE(idx.add(too_long, 1));
}

}  // namespace
}  // namespace chainbreak::index
