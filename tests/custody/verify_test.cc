// Checkpoints and verify on both backends: what an intact chain reports,
// and the discrepancies between rows and the audit log.
#include "custody/crypto.h"
#include "custody_fixture.h"

namespace chainbreak::custody::testing {
namespace {

TEST_P(CustodyTest, IntactChainWithCheckpointsAndDecryption) {
  EXPECT_TRUE(verify_now().ok);
  const SigningKey key = SigningKey::generate();
  auto none = sign_checkpoint(*svc_, *custody_, key);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value()) << "an empty log has nothing to sign";

  std::vector<store::EvidenceRecord> recs;
  for (int i = 0; i < 4; ++i) recs.push_back(add(synthetic_bytes(1000 + i)));
  auto c1 = sign_checkpoint(*svc_, *custody_, key);
  ASSERT_TRUE(c1.ok() && c1.value()) << c1.status().message();
  EXPECT_EQ(c1.value()->seq, 4);
  // Signing again without new entries returns the same checkpoint.
  auto again = sign_checkpoint(*svc_, *custody_, key);
  ASSERT_TRUE(again.ok() && again.value());
  EXPECT_EQ(again.value()->signature, c1.value()->signature);
  ASSERT_TRUE(vault_->read_evidence(recs[1].id, "reviewer-2").ok());
  ASSERT_TRUE(svc_->append_audit("admin", "token.create", "token:x", "").ok());
  auto c2 = sign_checkpoint(*svc_, *custody_, key);
  ASSERT_TRUE(c2.ok() && c2.value());
  EXPECT_EQ(c2.value()->seq, 6);
  // A second signer at the same head.
  ASSERT_TRUE(sign_checkpoint(*svc_, *custody_, SigningKey::generate()).ok());
  ASSERT_TRUE(svc_->append_audit("admin", "rule.create", "rule:y", "{\"n\":1}").ok());

  VerifyOptions o;
  o.evidence_key = vault_->key();
  o.page = 2;  // several pages of entries, rows and checkpoints
  VerifyReport rep = verify_now(o);
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.audit_entries, 7);
  EXPECT_EQ(rep.head_seq, 7);
  EXPECT_EQ(rep.head_hash, audit_log().back().hash);
  EXPECT_EQ(rep.checkpoints, 3);
  EXPECT_EQ(rep.last_checkpoint_seq, 6);
  EXPECT_EQ(rep.evidence_items, 4);
  EXPECT_EQ(rep.decrypted, 4);
  EXPECT_FALSE(rep.signer_pinned);
  bool uncovered = false;
  for (const auto& w : rep.warnings) uncovered |= w.find("1 audit entries after seq 6") != std::string::npos;
  EXPECT_TRUE(uncovered);

  // Pinned to the first key: the second signer's checkpoint is refused.
  o.public_key = key.public_key_hex();
  rep = verify_now(o);
  EXPECT_FALSE(rep.ok);
  EXPECT_NE(rep.problem.find("checkpoint at seq 6: signed by "), std::string::npos) << rep.problem;
  EXPECT_NE(rep.problem.find("not by the trusted key"), std::string::npos) << rep.problem;
  o.public_key = "xyz";
  EXPECT_FALSE(verify(*svc_, *custody_, o).ok());
}

TEST_P(CustodyTest, SigningRefusesABrokenChain) {
  add(synthetic_bytes(100));
  add(synthetic_bytes(100));
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"));
  auto c = sign_checkpoint(*svc_, *custody_, SigningKey::generate());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "audit entry 1: hash mismatch; not signed");
  auto last = custody_->last_checkpoint();
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(last.value());
}

TEST_P(CustodyTest, TruncationBehindACheckpointIsDetected) {
  for (int i = 0; i < 3; ++i) add(synthetic_bytes(50));
  ASSERT_TRUE(vault_->read_evidence(1, "reviewer-2").ok());
  ASSERT_TRUE(sign_checkpoint(*svc_, *custody_, SigningKey::generate()).ok());
  ASSERT_NO_FATAL_FAILURE(raw_exec("DELETE FROM audit_log WHERE seq = 4"));
  const VerifyReport rep = verify_now();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.problem, "checkpoint at seq 4: audit entry 4 is missing (the log ends at seq 3)");
}

TEST_P(CustodyTest, RowsAndAuditMustAgree) {
  const auto a = add(synthetic_bytes(64));
  const auto b = add(synthetic_bytes(64));
  const std::string ea = std::to_string(a.id), eb = std::to_string(b.id);
  const int64_t add_b = audit_seq("evidence.add", evidence_target(b.id));
  ASSERT_TRUE(verify_now().ok);

  // A hold cleared behind the audit log's back.
  ASSERT_TRUE(vault_->set_legal_hold(a.id, true, "supervisor").ok());
  const int64_t hold_seq = audit_seq("evidence.legal_hold", evidence_target(a.id));
  ASSERT_NO_FATAL_FAILURE(
      raw_exec("UPDATE evidence SET legal_hold = " + std::string(GetParam() == Backend::kPostgres ? "false" : "0") +
               " WHERE id = " + ea));
  EXPECT_EQ(verify_now().problem,
            "evidence " + ea + ": legal_hold is false but audit entry " + std::to_string(hold_seq) + " set it to true");
  ASSERT_TRUE(custody_->set_legal_hold(a.id, true).ok());
  ASSERT_TRUE(verify_now().ok);

  // An edited hash or retention in the row.
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE evidence SET retain_until = retain_until + 1 WHERE id = " + eb));
  EXPECT_EQ(verify_now().problem,
            "evidence " + eb + ": retain_until differs from its audit entry " + std::to_string(add_b));
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE evidence SET retain_until = retain_until - 1 WHERE id = " + eb));

  // A purge nobody audited.
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE evidence SET ciphertext = NULL, purged_at = 5 WHERE id = " + eb));
  EXPECT_EQ(verify_now().problem, "evidence " + eb + ": purged without an evidence.purge audit entry");

  // A row removed altogether.
  ASSERT_NO_FATAL_FAILURE(raw_exec("DELETE FROM evidence WHERE id = " + eb));
  EXPECT_EQ(verify_now().problem, "audit entry " + std::to_string(add_b) + ": evidence " + eb + " is missing");

  // A row slipped in without the vault.
  store::EvidenceRecord fake = a;
  fake.id = 77;
  ASSERT_TRUE(custody_->insert_evidence(fake, ciphertext(a.id)).ok());
  EXPECT_EQ(verify_now().problem, "evidence 77: no evidence.add audit entry");
}

TEST_P(CustodyTest, InterruptedAddIsReportedUnlessRecordedAsFailed) {
  const auto a = add(synthetic_bytes(64));
  // An add whose row write failed: ".failed" follows, nothing is missing.
  ASSERT_TRUE(svc_->append_audit("analyst-1", "evidence.add", "evidence:40",
                                 "{\"sha256\":\"" + a.sha256 + "\",\"legal_hold\":false}")
                  .ok());
  ASSERT_TRUE(svc_->append_audit("analyst-1", "evidence.add.failed", "evidence:40", "{\"error\":\"disk full\"}").ok());
  EXPECT_TRUE(verify_now().ok) << verify_now().problem;
  // An add without its row and without ".failed" (a crash in between).
  ASSERT_TRUE(svc_->append_audit("analyst-1", "evidence.add", "evidence:41",
                                 "{\"sha256\":\"" + a.sha256 + "\",\"legal_hold\":false}")
                  .ok());
  const int64_t seq = audit_log().back().seq;
  EXPECT_EQ(verify_now().problem, "audit entry " + std::to_string(seq) + ": evidence 41 is missing");
  // Within the in-flight window it is only a warning.
  VerifyOptions o;
  auto r = verify(*svc_, *custody_, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().ok);
  ASSERT_FALSE(r.value().warnings.empty());
  EXPECT_NE(r.value().warnings[0].find("evidence 41 has no row yet"), std::string::npos);
}

}  // namespace
}  // namespace chainbreak::custody::testing
