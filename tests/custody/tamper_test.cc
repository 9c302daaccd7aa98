// The tamper tests, on both backends: one byte changed directly in the
// database -- an audit entry's actor, detail or time, an evidence
// ciphertext, a checkpoint signature -- or an audit row deleted, and both
// verify() and `chainbreak audit verify` (exit 1) name exactly that item.
#include "custody/crypto.h"
#include "custody_fixture.h"

namespace chainbreak::custody::testing {
namespace {

class TamperTest : public CustodyTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CustodyTest::SetUp());
    if (IsSkipped()) return;
    // 3 items, views and holds in between: 9 entries, signed at the head
    // by the key directory's signing key (as `audit checkpoint` would).
    for (int i = 0; i < 3; ++i) {
      ids_.push_back(add(synthetic_bytes(2000 + 100 * i)).id);
      ASSERT_TRUE(vault_->read_evidence(ids_.back(), "reviewer-2").ok());
    }
    ASSERT_TRUE(vault_->set_legal_hold(ids_[0], true, "supervisor").ok());
    ASSERT_TRUE(vault_->export_evidence(ids_[1], "analyst-1", "NCMEC").ok());
    ASSERT_TRUE(svc_->append_audit("admin", "token.create", "token:ops", "").ok());
    auto key = load_or_create_signing_key(key_dir_);
    ASSERT_TRUE(key.ok()) << key.status().message();
    auto c = sign_checkpoint(*svc_, *custody_, key.value());
    ASSERT_TRUE(c.ok() && c.value()) << c.status().message();
    head_ = c.value()->seq;
    ASSERT_EQ(head_, 9);
    // Intact before anything is touched, through the library and the CLI.
    VerifyOptions o;
    o.evidence_key = vault_->key();
    o.public_key = key.value().public_key_hex();
    const VerifyReport rep = verify_now(o);
    ASSERT_TRUE(rep.ok) << rep.problem;
    ASSERT_EQ(rep.decrypted, 3);
    std::string out;
    ASSERT_EQ(cli_verify(&out), 0) << out;
    ASSERT_NE(out.find("audit verify: intact"), std::string::npos) << out;
  }

  // `chainbreak audit verify` on this database with the key directory.
  int cli_verify(std::string* out) {
    std::vector<std::string> args = {"audit", "verify"};
    for (const auto& a : cli_location()) args.push_back(a);
    return run_cli(args, out);
  }

  // Both verifiers report exactly `problem`.
  void expect_broken(const std::string& problem) {
    VerifyOptions o;
    o.evidence_key = vault_->key();
    EXPECT_EQ(verify_now(o).problem, problem);
    EXPECT_EQ(verify_now().problem, problem) << "without keys";
    std::string out;
    EXPECT_EQ(cli_verify(&out), 1) << out;
    EXPECT_NE(out.find("chainbreak: audit verify: BROKEN: " + problem + "\n"), std::string::npos) << out;
  }

  // One character of a text column replaced by another.
  void change_char(const std::string& table, const std::string& column, const std::string& where, int pos) {
    const std::string p = std::to_string(pos);
    // The replacement differs from whatever is at pos.
    raw_exec("UPDATE " + table + " SET " + column + " = substr(" + column + ", 1, " + std::to_string(pos - 1) +
             ") || CASE WHEN substr(" + column + ", " + p + ", 1) = 'x' THEN 'y' ELSE 'x' END || substr(" + column +
             ", " + std::to_string(pos + 1) + ") WHERE " + where);
  }

  std::vector<int64_t> ids_;
  int64_t head_ = 0;
};

TEST_P(TamperTest, OneByteOfAnAuditEntryActor) {
  ASSERT_NO_FATAL_FAILURE(change_char("audit_log", "actor", "seq = 4", 3));
  expect_broken("audit entry 4: hash mismatch");
}

TEST_P(TamperTest, OneByteOfAnAuditEntryDetail) {
  const int64_t seq = audit_seq("evidence.add", evidence_target(ids_[1]));
  ASSERT_NO_FATAL_FAILURE(change_char("audit_log", "detail_json", "seq = " + std::to_string(seq), 15));
  expect_broken("audit entry " + std::to_string(seq) + ": hash mismatch");
}

TEST_P(TamperTest, AnAuditEntryTime) {
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE audit_log SET time_us = time_us + 1 WHERE seq = 7"));
  expect_broken("audit entry 7: hash mismatch");
}

TEST_P(TamperTest, AnAuditEntryRehashedBreaksTheNextLink) {
  // Whoever rewrites an entry and its hash still breaks the next link.
  auto log = audit_log();
  store::AuditEntry e = log[4];
  e.actor = "mallory";
  const std::string h = store::audit_entry_hash(e);
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE audit_log SET actor = 'mallory', hash = '" + h + "' WHERE seq = 5"));
  expect_broken("audit entry 6: prev_hash does not match entry 5");
}

TEST_P(TamperTest, OneByteOfAnEvidenceCiphertext) {
  const int64_t id = ids_[2];
  std::string c = ciphertext(id);
  c[c.size() / 2] = static_cast<char>(c[c.size() / 2] ^ 0x01);
  ASSERT_NO_FATAL_FAILURE(set_ciphertext(id, c));
  const int64_t seq = audit_seq("evidence.add", evidence_target(id));
  expect_broken("evidence " + std::to_string(id) + ": ciphertext sha256 differs from its audit entry " +
                std::to_string(seq));
  auto read = vault_->read_evidence(id, "reviewer-2");
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("ciphertext sha256 differs from its row"), std::string::npos);
}

TEST_P(TamperTest, OneByteOfACheckpointSignature) {
  ASSERT_NO_FATAL_FAILURE(change_char("audit_checkpoints", "signature", "seq = 9", 40));
  expect_broken("checkpoint at seq 9: bad signature");
}

TEST_P(TamperTest, AnAuditRowDeletedInTheMiddle) {
  ASSERT_NO_FATAL_FAILURE(raw_exec("DELETE FROM audit_log WHERE seq = 5"));
  expect_broken("audit entry 5: missing (entry 4 is followed by entry 6)");
}

TEST_P(TamperTest, CliJsonAndCheckpoint) {
  std::vector<std::string> args = {"audit", "checkpoint"};
  for (const auto& a : cli_location()) args.push_back(a);
  std::string out;
  ASSERT_TRUE(svc_->append_audit("admin", "rule.create", "rule:z", "").ok());
  ASSERT_EQ(run_cli(args, &out), 0) << out;
  EXPECT_NE(out.find("audit checkpoint: seq 10 "), std::string::npos) << out;
  args = {"audit", "verify", "--json"};
  for (const auto& a : cli_location()) args.push_back(a);
  ASSERT_EQ(run_cli(args, &out), 0) << out;
  EXPECT_NE(out.find("\"ok\":true"), std::string::npos) << out;
  EXPECT_NE(out.find("\"last_checkpoint_seq\":10"), std::string::npos) << out;
  EXPECT_NE(out.find("\"decrypted\":3"), std::string::npos) << out;
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE audit_log SET target = 'rule:w' WHERE seq = 10"));
  ASSERT_EQ(run_cli(args, &out), 1) << out;
  EXPECT_NE(out.find("\"problem\":\"audit entry 10: hash mismatch\""), std::string::npos) << out;
  // A public key that did not sign is refused.
  args = {"audit", "verify", "--public-key", SigningKey::generate().public_key_hex()};
  for (const auto& a : cli_location()) args.push_back(a);
  ASSERT_EQ(run_cli(args, &out), 1) << out;
  EXPECT_NE(out.find("BROKEN: checkpoint at seq 9: signed by"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, TamperTest, ::testing::Values(Backend::kSqlite), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, TamperTest, ::testing::Values(Backend::kPostgres), backend_name);

}  // namespace
}  // namespace chainbreak::custody::testing
