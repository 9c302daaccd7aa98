// Banks: create, find, list, update, delete (with its entries), settings
// round trip, validation; opening and the type names.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>

#include "store_fixture.h"

namespace chainbreak::store::testing {
namespace {

TEST_P(StoreTest, BankCrudAndUniqueness) {
  const int64_t before = std::time(nullptr);
  Bank b = make_bank("ncmec");
  EXPECT_GT(b.id, 0);
  EXPECT_GE(b.created_at, before);
  EXPECT_LE(b.created_at, std::time(nullptr));
  Bank a = make_bank("alpha.list-1");
  Bank z = make_bank("Zeta_2");
  EXPECT_NE(a.id, b.id);

  // Names sort bytewise: uppercase before lowercase.
  auto list = store_->list_banks();
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list.value().size(), 3u);
  EXPECT_EQ(list.value()[0].name, "Zeta_2");
  EXPECT_EQ(list.value()[1].name, "alpha.list-1");
  EXPECT_EQ(list.value()[2].name, "ncmec");

  auto found = store_->find_bank("ncmec");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found.value().has_value());
  EXPECT_EQ(found.value()->id, b.id);
  auto missing = store_->find_bank("NCMEC");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value().has_value());

  // Duplicate names are refused on create and on rename.
  Bank dup;
  dup.name = "ncmec";
  EXPECT_EQ(store_->create_bank(dup).status().code(), ErrorCode::kInvalidInput);
  Bank renamed = a;
  renamed.name = "ncmec";
  EXPECT_EQ(store_->update_bank(renamed).code(), ErrorCode::kInvalidInput);
  // Renaming to a free name works, and to its own name too.
  renamed.name = "alpha2";
  ASSERT_TRUE(store_->update_bank(renamed).ok());
  EXPECT_TRUE(store_->update_bank(renamed).ok());
  EXPECT_FALSE(store_->find_bank("alpha.list-1").value().has_value());
  EXPECT_EQ(store_->find_bank("alpha2").value()->id, a.id);

  // Unknown ids.
  Bank ghost = z;
  ghost.id = z.id + 1000;
  EXPECT_EQ(store_->update_bank(ghost).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(store_->delete_bank(z.id + 1000).code(), ErrorCode::kInvalidInput);

  ASSERT_TRUE(store_->delete_bank(z.id).ok());
  EXPECT_EQ(store_->list_banks().value().size(), 2u);
  EXPECT_FALSE(store_->find_bank("Zeta_2").value().has_value());
  EXPECT_EQ(store_->delete_bank(z.id).code(), ErrorCode::kInvalidInput);
}

TEST_P(StoreTest, BankValidation) {
  ASSERT_EQ(last_seq(), 0);
  for (const char* name : {"", "has space", "slash/", "ümlaut", "semi;colon",
                           "a234567890123456789012345678901234567890123456789012345678901234x"}) {
    Bank b;
    b.name = name;
    EXPECT_EQ(store_->create_bank(b).status().code(), ErrorCode::kInvalidInput) << name;
  }
  Bank b;
  b.name = std::string(64, 'a');  // the longest allowed
  EXPECT_TRUE(store_->create_bank(b).ok());
  for (int t : {-1, 64, 1000}) {
    Bank x;
    x.name = "t" + std::to_string(t + 10);
    x.pdq_threshold = t;
    EXPECT_EQ(store_->create_bank(x).status().code(), ErrorCode::kInvalidInput) << t;
  }
  Bank neg;
  neg.name = "neg";
  neg.disabled_until = -5;
  EXPECT_EQ(store_->create_bank(neg).status().code(), ErrorCode::kInvalidInput);
  Bank bad_text;
  bad_text.name = "badtext";
  bad_text.description = std::string("a\xff", 2);
  EXPECT_EQ(store_->create_bank(bad_text).status().code(), ErrorCode::kInvalidInput);
  // Only the one valid bank was written (and logged).
  EXPECT_EQ(store_->list_banks().value().size(), 1u);
  auto changes = all_changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kBankCreated);
  Bank ok = make_bank("ok");
  ok.pdq_threshold = 64;
  EXPECT_EQ(store_->update_bank(ok).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(store_->find_bank("ok").value()->pdq_threshold, 31);
}

TEST_P(StoreTest, SettingsRoundTrip) {
  Bank in;
  in.name = "settings";
  in.description = "Liste \xc3\xa9trang\xc3\xa8re \xe2\x80\x94 tabs\tand\nnewlines and \\backslash";
  in.allowlist = true;
  in.pdq_threshold = 10;
  in.enabled = false;
  in.disabled_until = 1900000000;
  auto created = store_->create_bank(in);
  ASSERT_TRUE(created.ok()) << created.status().message();
  auto check = [&](const Bank& got, const Bank& want) {
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.description, want.description);
    EXPECT_EQ(got.allowlist, want.allowlist);
    EXPECT_EQ(got.pdq_threshold, want.pdq_threshold);
    EXPECT_EQ(got.enabled, want.enabled);
    EXPECT_EQ(got.disabled_until, want.disabled_until);
    EXPECT_EQ(got.created_at, want.created_at);
  };
  Bank want = in;
  want.id = created.value().id;
  want.created_at = created.value().created_at;
  check(created.value(), want);
  ASSERT_NO_FATAL_FAILURE(reopen());
  check(*store_->find_bank("settings").value(), want);

  // Every setting changes on update; created_at stays.
  Bank upd = want;
  upd.name = "settings2";
  upd.description = "";
  upd.allowlist = false;
  upd.pdq_threshold = 0;
  upd.enabled = true;
  upd.disabled_until = 0;
  upd.created_at = 12345;  // ignored
  ASSERT_TRUE(store_->update_bank(upd).ok());
  upd.created_at = want.created_at;
  auto list = store_->list_banks().value();
  ASSERT_EQ(list.size(), 1u);
  check(list[0], upd);
}

TEST_P(StoreTest, DeleteBankCascades) {
  Bank keep = make_bank("keep");
  Bank gone = make_bank("gone");
  std::vector<int64_t> kept = add(keep.id, make_entries(20));
  std::vector<int64_t> ids = add(gone.id, make_entries(50));
  ASSERT_TRUE(store_->remove_entries(std::span(ids).first(5)).ok());
  const int64_t seq = last_seq();
  ASSERT_TRUE(store_->delete_bank(gone.id).ok());

  for (int64_t id : ids) EXPECT_FALSE(store_->get_entry(id).value().has_value()) << id;
  EXPECT_EQ(store_->count_entries(gone.id, true).status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(store_->count_entries(keep.id, true).value(), 20);
  EXPECT_TRUE(store_->get_entry(kept[0]).value().has_value());
  // One change for the bank, none per entry.
  auto after = store_->changes_since(seq, 100).value();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].kind, ChangeKind::kBankDeleted);
  EXPECT_EQ(after[0].bank_id, gone.id);
  EXPECT_EQ(after[0].entry_id, 0);
  // The name is free again; neither the bank id nor the entry ids (the
  // deleted ones were the newest) are reused, also after a reopen.
  Bank again = make_bank("gone");
  EXPECT_GT(again.id, gone.id);
  EXPECT_EQ(store_->count_entries(again.id, true).value(), 0);
  ASSERT_NO_FATAL_FAILURE(reopen());
  std::vector<int64_t> fresh = add(again.id, make_entries(3));
  ASSERT_EQ(fresh.size(), 3u);
  EXPECT_GT(fresh[0], ids.back());
}

TEST(StoreOpen, Errors) {
  // A directory is not a database file.
  auto dir = open_sqlite(std::filesystem::temp_directory_path().string());
  EXPECT_EQ(dir.status().code(), ErrorCode::kIo);
  EXPECT_NE(dir.status().message().find("sqlite"), std::string::npos) << dir.status().message();
  // open_store sends conninfo forms to PostgreSQL (no server at this socket).
  for (const char* where : {"host=/nonexistent-chainbreak port=1 dbname=x", "postgresql:///x?host=/nonexistent-cb",
                            "postgres:///x?host=/nonexistent-cb"}) {
    auto pg = open_store(where);
    EXPECT_EQ(pg.status().code(), ErrorCode::kIo) << where;
    EXPECT_NE(pg.status().message().find("postgres connect"), std::string::npos) << pg.status().message();
  }
}

TEST(StoreOpen, SignalTypeNames) {
  for (SignalType t : {SignalType::kPdq, SignalType::kMd5, SignalType::kSha1, SignalType::kSha256}) {
    auto parsed = parse_signal_type(signal_type_name(t));
    ASSERT_TRUE(parsed.has_value()) << signal_type_name(t);
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(parse_signal_type("SHA256"), SignalType::kSha256);
  EXPECT_EQ(parse_signal_type("Pdq"), SignalType::kPdq);
  EXPECT_FALSE(parse_signal_type("sha512").has_value());
  EXPECT_FALSE(parse_signal_type("").has_value());
  EXPECT_STREQ(signal_type_name(SignalType::kSha1), "sha1");
}

}  // namespace
}  // namespace chainbreak::store::testing
