// Entries: add/get/scan/count, validation and all-or-nothing batches,
// removal by id and by value, disable/enable, votes, a large batch.
#include <gtest/gtest.h>

#include <cmath>
#include <ctime>
#include <limits>
#include <set>

#include "store_fixture.h"

namespace chainbreak::store::testing {
namespace {

std::vector<Entry> scan(Store& s, int64_t bank_id, bool include_removed) {
  std::vector<Entry> out;
  Status st = s.scan_entries(bank_id, include_removed, [&](const Entry& e) {
    out.push_back(e);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

TEST_P(StoreTest, AddGetScanCount) {
  Bank bank = make_bank("b");
  Bank other = make_bank("other");
  Entry full;
  full.type = SignalType::kSha1;
  full.value = "0123456789ABCDEFabcdef0123456789abcdef01";  // uppercase accepted, returned lowercase
  full.external_id = "NCMEC-123\twith tab";
  full.source_org = "Org \xe2\x9c\x93";
  full.classification = "B2";
  full.legal_basis = "baseline\\n (literal backslash n)";
  full.added_at = 1700000000;
  full.expires_at = 1800000000;
  full.confidence = 1.0 / 3.0;
  full.up_votes = 3;
  full.down_votes = 1;
  full.disabled = true;
  full.metadata_json = R"({"source": "list", "n": [1, 2]})";
  std::vector<Entry> in = {full, make_entry(SignalType::kPdq), make_entry(SignalType::kMd5),
                           make_entry(SignalType::kSha256)};
  in[1].confidence = 0.1;
  const int64_t before = std::time(nullptr);
  std::vector<int64_t> ids = add(bank.id, in);
  ASSERT_EQ(ids.size(), in.size());
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i], ids[i - 1]);
  add(other.id, make_entries(3));

  auto got = store_->get_entry(ids[0]);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_TRUE(got.value().has_value());
  const Entry& e = *got.value();
  EXPECT_EQ(e.id, ids[0]);
  EXPECT_EQ(e.bank_id, bank.id);
  EXPECT_EQ(e.type, SignalType::kSha1);
  EXPECT_EQ(e.value, "0123456789abcdefabcdef0123456789abcdef01");
  EXPECT_EQ(e.external_id, full.external_id);
  EXPECT_EQ(e.source_org, full.source_org);
  EXPECT_EQ(e.classification, full.classification);
  EXPECT_EQ(e.legal_basis, full.legal_basis);
  EXPECT_EQ(e.added_at, full.added_at);
  EXPECT_EQ(e.expires_at, full.expires_at);
  EXPECT_EQ(e.confidence, full.confidence);  // exact, not approximately
  EXPECT_EQ(e.up_votes, 3);
  EXPECT_EQ(e.down_votes, 1);
  EXPECT_FALSE(e.removed);
  EXPECT_EQ(e.removed_at, 0);
  EXPECT_TRUE(e.disabled);
  EXPECT_EQ(e.metadata_json, full.metadata_json);

  auto second = store_->get_entry(ids[1]).value();
  ASSERT_TRUE(second.has_value());
  EXPECT_GE(second->added_at, before);  // 0 on add means now
  EXPECT_LE(second->added_at, std::time(nullptr));
  EXPECT_EQ(second->confidence, 0.1);
  EXPECT_EQ(second->value, in[1].value);
  EXPECT_FALSE(store_->get_entry(ids.back() + 1000).value().has_value());

  std::vector<Entry> all = scan(*store_, bank.id, false);
  ASSERT_EQ(all.size(), in.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].id, ids[i]);
    EXPECT_EQ(all[i].type, in[i].type);
    EXPECT_EQ(all[i].bank_id, bank.id);
  }
  EXPECT_EQ(all[3].value, in[3].value);
  EXPECT_EQ(store_->count_entries(bank.id, false).value(), 4);
  EXPECT_EQ(store_->count_entries(other.id, true).value(), 3);
  EXPECT_EQ(store_->count_entries(other.id + 100, true).status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(store_->scan_entries(other.id + 100, true, [](const Entry&) { return true; }).code(),
            ErrorCode::kInvalidInput);
  // An empty batch writes nothing.
  auto empty = store_->add_entries(bank.id, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().empty());
}

TEST_P(StoreTest, InvalidEntriesWriteNothing) {
  Bank bank = make_bank("b");
  add(bank.id, make_entries(10));
  const int64_t seq = last_seq();
  auto bad = [&](const std::string& why, auto mutate) {
    std::vector<Entry> batch = make_entries(1000);
    mutate(batch[500]);
    auto r = store_->add_entries(bank.id, batch);
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << why;
    EXPECT_NE(r.status().message().find("entry 500"), std::string::npos) << r.status().message();
  };
  bad("non-hex", [](Entry& e) { e.value[7] = 'g'; });
  bad("short", [](Entry& e) { e.value.pop_back(); });
  bad("long", [](Entry& e) { e.value += "00"; });
  bad("md5 length for pdq", [](Entry& e) { e.value.resize(32); });
  bad("unknown type", [](Entry& e) { e.type = static_cast<SignalType>(9); });
  bad("confidence > 1", [](Entry& e) { e.confidence = 1.5; });
  bad("confidence < 0", [](Entry& e) { e.confidence = -0.1; });
  bad("confidence NaN", [](Entry& e) { e.confidence = std::numeric_limits<double>::quiet_NaN(); });
  bad("removed", [](Entry& e) { e.removed = true; });
  bad("negative votes", [](Entry& e) { e.down_votes = -1; });
  bad("negative time", [](Entry& e) { e.expires_at = -1; });
  bad("NUL", [](Entry& e) { e.external_id = std::string("a\0b", 3); });
  bad("bad UTF-8", [](Entry& e) { e.source_org = "\xc3("; });
  bad("metadata not an object", [](Entry& e) { e.metadata_json = "[1]"; });
  // Unknown bank: nothing written either.
  EXPECT_EQ(store_->add_entries(bank.id + 100, make_entries(5)).status().code(), ErrorCode::kInvalidInput);

  EXPECT_EQ(store_->count_entries(bank.id, true).value(), 10);
  EXPECT_EQ(last_seq(), seq);
  EXPECT_EQ(all_changes().size(), 11u);  // bank + 10 entries
}

TEST_P(StoreTest, RemoveTombstones) {
  Bank bank = make_bank("b");
  std::vector<int64_t> ids = add(bank.id, make_entries(10));
  const int64_t before = std::time(nullptr);
  const int64_t seq = last_seq();
  // Unknown and repeated ids are ignored.
  std::vector<int64_t> rm = {ids[2], ids[5], ids[5], ids.back() + 999};
  auto n = store_->remove_entries(rm);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 2);
  EXPECT_EQ(store_->remove_entries(rm).value(), 0);  // already removed
  EXPECT_EQ(store_->remove_entries({}).value(), 0);

  auto e = store_->get_entry(ids[5]).value();
  ASSERT_TRUE(e.has_value());  // tombstoned, not deleted
  EXPECT_TRUE(e->removed);
  EXPECT_GE(e->removed_at, before);
  EXPECT_FALSE(store_->get_entry(ids[4]).value()->removed);

  EXPECT_EQ(store_->count_entries(bank.id, false).value(), 8);
  EXPECT_EQ(store_->count_entries(bank.id, true).value(), 10);
  std::vector<Entry> live = scan(*store_, bank.id, false);
  ASSERT_EQ(live.size(), 8u);
  for (const Entry& x : live) EXPECT_TRUE(x.id != ids[2] && x.id != ids[5] && !x.removed);
  std::vector<Entry> all = scan(*store_, bank.id, true);
  ASSERT_EQ(all.size(), 10u);
  EXPECT_TRUE(all[2].removed);
  EXPECT_EQ(all[2].id, ids[2]);

  auto changes = store_->changes_since(seq, 100).value();
  ASSERT_EQ(changes.size(), 2u);
  std::set<int64_t> logged;
  for (const Change& c : changes) {
    EXPECT_EQ(c.kind, ChangeKind::kEntryRemoved);
    EXPECT_EQ(c.bank_id, bank.id);
    logged.insert(c.entry_id);
  }
  EXPECT_EQ(logged, (std::set<int64_t>{ids[2], ids[5]}));
}

// A bulk import (begin_bulk .. end_bulk) with batches large enough for the
// SQLite store to keep its value index dropped in between: every batch is
// readable at once, removals by value in the middle and after still find
// their rows, and so they do after a "crash" that never called end_bulk.
TEST_P(StoreTest, BulkImportKeepsLookupsByValueExact) {
  Bank a = make_bank("bulk");
  auto batch = [&](size_t n) {
    std::vector<Entry> es;
    for (size_t i = 0; i < n; ++i) es.push_back(make_entry(SignalType::kPdq));
    return es;
  };
  const std::vector<Entry> first = batch(25000), second = batch(25000);
  store_->begin_bulk();
  std::vector<int64_t> ids1 = add(a.id, first);
  EXPECT_EQ(store_->count_entries(a.id, false).value(), 25000);
  // Mid-import: a deletion by value (an NCMEC deletion record).
  auto n = store_->remove_by_value(a.id, SignalType::kPdq, std::vector<std::string>{first[123].value});
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 1);
  EXPECT_TRUE(store_->get_entry(ids1[123]).value()->removed);
  std::vector<int64_t> ids2 = add(a.id, second);
  ASSERT_TRUE(store_->end_bulk().ok());
  EXPECT_EQ(store_->remove_by_value(a.id, SignalType::kPdq, std::vector<std::string>{second[7].value}).value(), 1);
  EXPECT_TRUE(store_->get_entry(ids2[7]).value()->removed);
  EXPECT_EQ(store_->count_entries(a.id, false).value(), 49998);

  // Begun, never ended (the process died): a new store still removes by value.
  store_->begin_bulk();
  const std::vector<Entry> third = batch(25000);
  std::vector<int64_t> ids3 = add(a.id, third);
  reopen();
  EXPECT_EQ(store_->remove_by_value(a.id, SignalType::kPdq, std::vector<std::string>{third[42].value}).value(), 1);
  EXPECT_TRUE(store_->get_entry(ids3[42]).value()->removed);
  EXPECT_EQ(store_->count_entries(a.id, false).value(), 74997);
  EXPECT_TRUE(store_->end_bulk().ok());  // nothing begun here: nothing to do
}

TEST_P(StoreTest, RemoveByValue) {
  Bank a = make_bank("a");
  Bank b = make_bank("b");
  const std::string v = random_value(SignalType::kPdq);
  Entry pdq = make_entry(SignalType::kPdq);
  pdq.value = v;
  Entry sha = make_entry(SignalType::kSha256);
  sha.value = v;  // same hex, other type: must stay
  std::vector<int64_t> in_a = add(a.id, {pdq, pdq, sha, make_entry()});
  std::vector<int64_t> in_b = add(b.id, {pdq});
  const int64_t seq = last_seq();

  std::string upper = v;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string absent = random_value(SignalType::kPdq);
  auto n = store_->remove_by_value(a.id, SignalType::kPdq, std::vector<std::string>{upper, absent});
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 2);  // both duplicates in bank a
  EXPECT_TRUE(store_->get_entry(in_a[0]).value()->removed);
  EXPECT_TRUE(store_->get_entry(in_a[1]).value()->removed);
  EXPECT_FALSE(store_->get_entry(in_a[2]).value()->removed);
  EXPECT_FALSE(store_->get_entry(in_a[3]).value()->removed);
  EXPECT_FALSE(store_->get_entry(in_b[0]).value()->removed);
  auto changes = store_->changes_since(seq, 100).value();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kEntryRemoved);
  EXPECT_EQ(changes[0].entry_id, in_a[0]);
  EXPECT_EQ(changes[1].entry_id, in_a[1]);
  EXPECT_EQ(store_->remove_by_value(a.id, SignalType::kPdq, std::vector<std::string>{v}).value(), 0);

  // A bad value anywhere removes nothing; an unknown bank is refused.
  const std::string sv = sha.value;
  auto bad = store_->remove_by_value(a.id, SignalType::kSha256, std::vector<std::string>{sv, "xyz"});
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidInput);
  EXPECT_FALSE(store_->get_entry(in_a[2]).value()->removed);
  auto wrong_len = store_->remove_by_value(a.id, SignalType::kMd5, std::vector<std::string>{sv});
  EXPECT_EQ(wrong_len.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(store_->remove_by_value(b.id + 100, SignalType::kPdq, std::vector<std::string>{v}).status().code(),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(store_->remove_by_value(a.id, SignalType::kSha256, std::vector<std::string>{sv}).value(), 1);
  EXPECT_EQ(store_->count_entries(a.id, false).value(), 1);
}

TEST_P(StoreTest, DisableEnableAndVotes) {
  Bank bank = make_bank("b");
  std::vector<int64_t> ids = add(bank.id, make_entries(3));
  const int64_t seq = last_seq();
  ASSERT_TRUE(store_->set_entry_disabled(ids[1], true).ok());
  EXPECT_TRUE(store_->get_entry(ids[1]).value()->disabled);
  EXPECT_FALSE(store_->get_entry(ids[0]).value()->disabled);
  ASSERT_TRUE(store_->set_entry_disabled(ids[1], true).ok());  // no change, nothing logged
  // Disabled entries are still listed (they can come back).
  EXPECT_EQ(store_->count_entries(bank.id, false).value(), 3);
  ASSERT_TRUE(store_->set_entry_disabled(ids[1], false).ok());
  EXPECT_FALSE(store_->get_entry(ids[1]).value()->disabled);
  EXPECT_EQ(store_->set_entry_disabled(ids.back() + 50, true).code(), ErrorCode::kInvalidInput);
  auto changes = store_->changes_since(seq, 100).value();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kEntryDisabled);
  EXPECT_EQ(changes[1].kind, ChangeKind::kEntryEnabled);
  EXPECT_EQ(changes[0].entry_id, ids[1]);
  EXPECT_EQ(changes[1].bank_id, bank.id);

  ASSERT_TRUE(store_->vote(ids[2], 2, 1).ok());
  ASSERT_TRUE(store_->vote(ids[2], 3, 0).ok());
  auto e = store_->get_entry(ids[2]).value();
  EXPECT_EQ(e->up_votes, 5);
  EXPECT_EQ(e->down_votes, 1);
  EXPECT_EQ(store_->vote(ids[2], -1, 0).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(store_->vote(ids.back() + 50, 1, 0).code(), ErrorCode::kInvalidInput);
  // Counters saturate instead of overflowing.
  ASSERT_TRUE(store_->vote(ids[0], std::numeric_limits<int>::max(), 0).ok());
  ASSERT_TRUE(store_->vote(ids[0], 10, 0).ok());
  EXPECT_EQ(store_->get_entry(ids[0]).value()->up_votes, std::numeric_limits<int32_t>::max());
  EXPECT_EQ(store_->get_entry(ids[2]).value()->up_votes, 5);
}

TEST_P(StoreTest, ScanStopsEarly) {
  Bank bank = make_bank("b");
  // More than one PostgreSQL scan page (2000 rows).
  std::vector<int64_t> ids = add(bank.id, make_entries(4500));
  ASSERT_TRUE(store_->remove_entries(std::vector<int64_t>{ids[1999], ids[2000]}).ok());
  int calls = 0;
  ASSERT_TRUE(store_->scan_entries(bank.id, true, [&](const Entry&) { return ++calls < 3; }).ok());
  EXPECT_EQ(calls, 3);
  // The store is usable right after an early stop.
  EXPECT_EQ(store_->count_entries(bank.id, false).value(), 4498);
  std::vector<Entry> live = scan(*store_, bank.id, false);
  ASSERT_EQ(live.size(), 4498u);
  for (size_t i = 1; i < live.size(); ++i) ASSERT_GT(live[i].id, live[i - 1].id);
  EXPECT_EQ(live[1999].id, ids[2001]);
  EXPECT_EQ(scan(*store_, bank.id, true).size(), 4500u);
}

TEST_P(StoreTest, LargeBatchRoundTrip) {
  Bank bank = make_bank("big");
  constexpr size_t kN = 100000;
  std::vector<Entry> in = make_entries(kN);
  std::vector<int64_t> ids = add(bank.id, in);
  ASSERT_EQ(ids.size(), kN);
  EXPECT_EQ(store_->count_entries(bank.id, true).value(), static_cast<int64_t>(kN));
  size_t i = 0;
  bool same = true;
  ASSERT_TRUE(store_
                  ->scan_entries(bank.id, false,
                                 [&](const Entry& e) {
                                   same = same && i < kN && e.id == ids[i] && e.value == in[i].value &&
                                          e.external_id == in[i].external_id;
                                   ++i;
                                   return true;
                                 })
                  .ok());
  EXPECT_EQ(i, kN);
  EXPECT_TRUE(same);
  auto changes = all_changes();
  ASSERT_EQ(changes.size(), kN + 1);
  for (size_t k = 0; k < kN; ++k) {
    ASSERT_EQ(changes[k + 1].kind, ChangeKind::kEntryAdded);
    ASSERT_EQ(changes[k + 1].entry_id, ids[k]);
    ASSERT_GT(changes[k + 1].seq, changes[k].seq);
  }
  EXPECT_EQ(last_seq(), changes.back().seq);
}

}  // namespace
}  // namespace chainbreak::store::testing
