// The evidence vault on both backends: round trip, audit entries, wrong
// key, swapped ciphertexts, retention, legal hold and purge.
#include <nlohmann/json.hpp>

#include "custody/crypto.h"
#include "custody_fixture.h"

namespace chainbreak::custody::testing {
namespace {

using nlohmann::json;

TEST_P(CustodyTest, RoundTripKeepsBytesHashesAndAuditsEveryStep) {
  const std::string bytes = synthetic_bytes(100'000);
  Retention r;
  r.retain_until = 4'000'000'000;
  auto rec = vault_->add_evidence(bytes, "IMG 0001.jpg", "image/jpeg", "case:12", r, "analyst-1");
  ASSERT_TRUE(rec.ok()) << rec.status().message();
  const int64_t id = rec.value().id;
  EXPECT_GE(id, 1);
  EXPECT_EQ(rec.value().sha256, sha256_hex(bytes));
  EXPECT_EQ(rec.value().md5, md5_hex(bytes));
  EXPECT_EQ(rec.value().size, 100'000);

  // Stored encrypted: not the bytes, 40 bytes longer, hashed as stored.
  const std::string stored = ciphertext(id);
  EXPECT_EQ(stored.size(), bytes.size() + kSealOverhead);
  EXPECT_EQ(stored.find(bytes.substr(1000, 64)), std::string::npos);
  auto row = custody_->get_evidence(id);
  ASSERT_TRUE(row.ok() && row.value());
  EXPECT_EQ(row.value()->ciphertext_sha256, sha256_hex(stored));
  EXPECT_EQ(row.value()->name, "IMG 0001.jpg");
  EXPECT_EQ(row.value()->case_ref, "case:12");
  EXPECT_EQ(row.value()->key_id, vault_->key().id());

  auto got = vault_->read_evidence(id, "reviewer-2");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got.value().bytes, bytes);
  auto out = vault_->export_evidence(id, "analyst-1", "NCMEC");
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value().bytes, bytes);

  const auto log = audit_log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].action, "evidence.add");
  EXPECT_EQ(log[0].actor, "analyst-1");
  EXPECT_EQ(log[0].target, "evidence:" + std::to_string(id));
  const json d = json::parse(log[0].detail_json);
  EXPECT_EQ(d["sha256"], sha256_hex(bytes));
  EXPECT_EQ(d["md5"], md5_hex(bytes));
  EXPECT_EQ(d["ciphertext_sha256"], sha256_hex(stored));
  EXPECT_EQ(d["size"], 100'000);
  EXPECT_EQ(log[0].detail_json.find("IMG 0001"), std::string::npos) << "file names stay out of the chain";
  EXPECT_EQ(log[1].action, "evidence.view");
  EXPECT_EQ(log[1].actor, "reviewer-2");
  EXPECT_EQ(log[2].action, "evidence.export");
  EXPECT_EQ(json::parse(log[2].detail_json)["recipient"], "NCMEC");

  // The well-known hashes of an empty file.
  auto empty = vault_->add_evidence("", "empty", "text/plain", "case:1", r, "analyst-1");
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(empty.value().sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(empty.value().md5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(vault_->read_evidence(empty.value().id, "a").value().bytes, "");
  EXPECT_TRUE(verify_now().ok);
}

TEST_P(CustodyTest, InvalidArgumentsNameTheFieldAndStoreNothing) {
  Retention r;
  r.retain_until = 4'000'000'000;
  struct Case {
    std::string name, media, case_ref, actor;
    int64_t retain;
    std::string want;
  } cases[] = {
      {"", "image/png", "case:1", "a", r.retain_until, "name must not be empty"},
      {"x", "", "case:1", "a", r.retain_until, "media_type must not be empty"},
      {"x", "image/png", std::string(129, 'c'), "a", r.retain_until, "case_ref is longer than 128 bytes"},
      {"x\xff", "image/png", "case:1", "a", r.retain_until, "name must be valid UTF-8"},
      {"x", "image/png", "case:1", "", r.retain_until, "actor must not be empty"},
      {"x", "image/png", "case:1", "a", 0, "retain_until must be a unix time >= 1"},
  };
  for (const Case& c : cases) {
    Retention rr;
    rr.retain_until = c.retain;
    auto rec = vault_->add_evidence("data", c.name, c.media, c.case_ref, rr, c.actor);
    ASSERT_FALSE(rec.ok()) << c.want;
    EXPECT_EQ(rec.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(rec.status().message().find(c.want), std::string::npos) << rec.status().message();
  }
  EXPECT_TRUE(audit_log().empty());
  auto rows = custody_->list_evidence(0, 10);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows.value().empty());
  auto unknown = vault_->read_evidence(999, "a");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "evidence 999: unknown id");
}

TEST_P(CustodyTest, WrongKeyFailsCleanlyAndIsAudited) {
  const auto rec = add(synthetic_bytes(5000));
  Vault other(*svc_, *custody_, EvidenceKey::generate());
  auto got = other.read_evidence(rec.id, "reviewer-2");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnsupported);  // not "purged": the service answers 503, not 410
  EXPECT_NE(got.status().message().find("encrypted with key " + vault_->key().id() + ", not with " + other.key().id()),
            std::string::npos)
      << got.status().message();
  const auto log = audit_log();
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log.back().action, "evidence.view.failed");
  EXPECT_NE(log.back().detail_json.find("encrypted with key"), std::string::npos);
  // The right key still reads it, and the chain is intact.
  EXPECT_TRUE(vault_->read_evidence(rec.id, "reviewer-2").ok());
  EXPECT_TRUE(verify_now().ok) << verify_now().problem;
}

TEST_P(CustodyTest, CiphertextSwappedBetweenRowsDoesNotDecrypt) {
  const auto a = add(synthetic_bytes(3000));
  const auto b = add(synthetic_bytes(3000));
  const std::string ca = ciphertext(a.id), cb = ciphertext(b.id);
  // Swap the ciphertexts and their hashes, so only the binding can tell.
  ASSERT_NO_FATAL_FAILURE(set_ciphertext(a.id, cb));
  ASSERT_NO_FATAL_FAILURE(set_ciphertext(b.id, ca));
  ASSERT_NO_FATAL_FAILURE(
      raw_exec("UPDATE evidence SET ciphertext_sha256 = '" + sha256_hex(cb) + "' WHERE id = " + std::to_string(a.id)));
  ASSERT_NO_FATAL_FAILURE(
      raw_exec("UPDATE evidence SET ciphertext_sha256 = '" + sha256_hex(ca) + "' WHERE id = " + std::to_string(b.id)));
  auto got = vault_->read_evidence(a.id, "reviewer-2");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kIo);
  EXPECT_NE(got.status().message().find("evidence " + std::to_string(a.id) + ": does not decrypt"), std::string::npos)
      << got.status().message();
  // verify sees the row no longer agrees with the chain.
  const VerifyReport rep = verify_now();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.problem, "evidence " + std::to_string(a.id) +
                             ": the row's ciphertext_sha256 differs from its audit entry " +
                             std::to_string(audit_seq("evidence.add", evidence_target(a.id))));
}

TEST_P(CustodyTest, PurgeHonoursRetentionAndLegalHoldAndKeepsHashes) {
  const auto expired = add(synthetic_bytes(700), 1000);
  const auto held = add(synthetic_bytes(700), 1000, true);
  const auto later = add(synthetic_bytes(700), 5000);
  auto p = vault_->purge_expired(2000);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p.value(), std::vector<int64_t>{expired.id});

  auto row = custody_->get_evidence(expired.id);
  ASSERT_TRUE(row.ok() && row.value());
  EXPECT_EQ(row.value()->purged_at, 2000);
  EXPECT_EQ(row.value()->sha256, expired.sha256);
  EXPECT_EQ(row.value()->md5, expired.md5);
  EXPECT_EQ(row.value()->ciphertext_sha256, expired.ciphertext_sha256);
  auto gone = custody_->read_ciphertext(expired.id);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone.value());
  auto read = vault_->read_evidence(expired.id, "reviewer-2");
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("purged at 1970-01-01T00:33:20Z (unix 2000)"), std::string::npos);
  EXPECT_TRUE(vault_->read_evidence(held.id, "reviewer-2").ok());
  EXPECT_TRUE(vault_->read_evidence(later.id, "reviewer-2").ok());
  EXPECT_NE(audit_seq("evidence.purge", evidence_target(expired.id)), 0);
  EXPECT_EQ(audit_seq("evidence.purge", evidence_target(held.id)), 0);

  // Nothing more is due at the same time; releasing the hold makes it due.
  EXPECT_TRUE(vault_->purge_expired(2000).value().empty());
  ASSERT_TRUE(vault_->set_legal_hold(held.id, false, "supervisor").ok());
  EXPECT_EQ(vault_->purge_expired(2000).value(), std::vector<int64_t>{held.id});
  // A hold protects an item past its retention; a purged item cannot be held.
  ASSERT_TRUE(vault_->set_legal_hold(later.id, true, "supervisor").ok());
  EXPECT_TRUE(vault_->purge_expired(9000).value().empty());
  EXPECT_FALSE(vault_->set_legal_hold(expired.id, true, "supervisor").ok());
  EXPECT_NE(audit_seq("evidence.legal_hold", evidence_target(later.id)), 0);
  const VerifyReport rep = verify_now();
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.purged_items, 2);
  EXPECT_EQ(rep.evidence_items, 3);
}

}  // namespace
TEST_P(CustodyTest, RetentionMovesAreAuditedAndVerified) {
  const auto item = add(synthetic_bytes(700), 5000);
  const auto held = add(synthetic_bytes(700), 5000, true);
  // A case closed as not illegal: its items are kept no longer than now.
  EXPECT_FALSE(vault_->set_retention(item.id, 0, "case 1 closed: not_illegal", "reviewer-1").ok());
  EXPECT_FALSE(vault_->set_retention(item.id, 2000, "", "reviewer-1").ok());
  ASSERT_TRUE(vault_->set_retention(item.id, 2000, "case 1 closed: not_illegal", "reviewer-1").ok());
  ASSERT_TRUE(vault_->set_retention(held.id, 2000, "case 2 closed: false_positive", "reviewer-1").ok());
  EXPECT_EQ(custody_->get_evidence(item.id).value()->retain_until, 2000);
  EXPECT_NE(audit_seq("evidence.retention", evidence_target(item.id)), 0);
  EXPECT_EQ(vault_->purge_expired(2000).value(), std::vector<int64_t>{item.id});  // the hold still keeps the other
  EXPECT_FALSE(vault_->set_retention(item.id, 3000, "after the purge", "reviewer-1").ok());
  VerifyReport rep = verify_now();
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.purged_items, 1);
  // A retention changed in the row without its audit entry is caught.
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE evidence SET retain_until = 99999 WHERE id = " + std::to_string(held.id)));
  rep = verify_now();
  EXPECT_FALSE(rep.ok);
  EXPECT_NE(rep.problem.find("retain_until"), std::string::npos) << rep.problem;
}

TEST_P(CustodyTest, PurgeItemsTouchesOnlyTheItemsNamed) {
  // Two items of a closed case and one of another case, all past retention.
  const auto mine = add(synthetic_bytes(700), 1000);
  const auto mine_held = add(synthetic_bytes(700), 1000, true);
  const auto other = add(synthetic_bytes(700), 1000);
  const auto not_due = add(synthetic_bytes(700), 5000);
  const std::vector<int64_t> ids = {mine.id, mine_held.id, not_due.id, 424242};
  auto p = vault_->purge_items(ids, 2000, "reviewer-1");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p.value(), std::vector<int64_t>{mine.id});
  EXPECT_EQ(custody_->get_evidence(mine.id).value()->purged_at, 2000);
  EXPECT_EQ(custody_->get_evidence(other.id).value()->purged_at, 0);  // another case's: left to the hourly purge
  EXPECT_EQ(custody_->get_evidence(mine_held.id).value()->purged_at, 0);
  EXPECT_EQ(custody_->get_evidence(not_due.id).value()->purged_at, 0);
  EXPECT_NE(audit_seq("evidence.purge", evidence_target(mine.id)), 0);
  EXPECT_EQ(audit_seq("evidence.purge", evidence_target(other.id)), 0);
  // Again: nothing left to do among these; the general purge takes the other.
  EXPECT_TRUE(vault_->purge_items(ids, 2000, "reviewer-1").value().empty());
  EXPECT_EQ(vault_->purge_expired(2000).value(), std::vector<int64_t>{other.id});
  const VerifyReport rep = verify_now();
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.purged_items, 2);
}

}  // namespace chainbreak::custody::testing
