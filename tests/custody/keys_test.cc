// Keys, key files and the primitives: no database needed.
#include "custody/keys.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "custody/crypto.h"
#include "store/custody_store.h"

namespace chainbreak::custody {
namespace {

class KeyDir : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("CHAINBREAK_KEY_DIR");
    std::string tmpl = (std::filesystem::temp_directory_path() / "chainbreak-keys-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static unsigned mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
  }
  std::string dir_;
};

TEST_F(KeyDir, CreatedOnFirstUseWithPrivateModesThenReloaded) {
  const std::string kd = dir_ + "/data/keys";
  auto ek = load_evidence_key(kd);
  ASSERT_TRUE(ek.ok());
  EXPECT_FALSE(ek.value()) << "load must not create";
  auto a = load_or_create_evidence_key(kd);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(mode(kd), 0700u);
  EXPECT_EQ(mode(kd + "/evidence.key"), 0600u);
  auto b = load_or_create_evidence_key(kd);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a.value().id(), b.value().id());
  EXPECT_EQ(std::memcmp(a.value().data(), b.value().data(), EvidenceKey::kBytes), 0);
  EXPECT_EQ(a.value().id().size(), 16u);

  auto s1 = load_or_create_signing_key(kd);
  ASSERT_TRUE(s1.ok()) << s1.status().message();
  EXPECT_EQ(mode(kd + "/audit-signing.key"), 0600u);
  EXPECT_EQ(mode(kd + "/audit-signing.pub"), 0644u);
  std::ifstream pub(kd + "/audit-signing.pub");
  std::string pub_hex;
  pub >> pub_hex;
  EXPECT_EQ(pub_hex, s1.value().public_key_hex());
  auto s2 = load_signing_key(kd);
  ASSERT_TRUE(s2.ok() && s2.value());
  EXPECT_EQ(s2.value()->public_key_hex(), s1.value().public_key_hex());
}

TEST_F(KeyDir, RefusesKeyFilesOthersCanRead) {
  ASSERT_TRUE(load_or_create_evidence_key(dir_).ok());
  ASSERT_EQ(chmod((dir_ + "/evidence.key").c_str(), 0644), 0);
  auto k = load_evidence_key(dir_);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(k.status().message().find("readable by group or others (mode 0644)"), std::string::npos)
      << k.status().message();
}

TEST_F(KeyDir, RefusesMalformedKeyFile) {
  {
    std::ofstream f(dir_ + "/evidence.key");
    f << "not hex at all\n";
  }
  ASSERT_EQ(chmod((dir_ + "/evidence.key").c_str(), 0600), 0);
  auto k = load_or_create_evidence_key(dir_);
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("must hold 64 hex characters"), std::string::npos) << k.status().message();
}

TEST(KeyDirResolve, DefaultsOverridesAndPostgres) {
  unsetenv("CHAINBREAK_KEY_DIR");
  EXPECT_EQ(resolve_key_dir("/srv/cb/chainbreak.db", "").value(), "/srv/cb/keys");
  EXPECT_EQ(resolve_key_dir("/srv/cb/chainbreak.db", "/k").value(), "/k");
  auto pg = resolve_key_dir("postgresql://db/chainbreak", "");
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(pg.status().message().find("key directory is required with PostgreSQL"), std::string::npos);
  setenv("CHAINBREAK_KEY_DIR", "/env/keys", 1);
  EXPECT_EQ(resolve_key_dir("host=/tmp dbname=x", "").value(), "/env/keys");
  EXPECT_EQ(resolve_key_dir("/srv/cb/chainbreak.db", "").value(), "/env/keys");
  EXPECT_EQ(resolve_key_dir("/srv/cb/chainbreak.db", "/k").value(), "/k");
  unsetenv("CHAINBREAK_KEY_DIR");
}

TEST(CheckpointMessage, ExactBytes) {
  const std::string hash(64, 'a');
  const std::string m = store::checkpoint_message(7, hash);
  std::string want;
  auto field = [&](const std::string& f) {
    for (int i = 7; i >= 0; --i) want.push_back(static_cast<char>((f.size() >> (8 * i)) & 0xff));
    want += f;
  };
  field("chainbreak-audit-checkpoint-v1");
  field("7");
  field(hash);
  EXPECT_EQ(m, want);
  EXPECT_EQ(m.size(), 8u + 30 + 8 + 1 + 8 + 64);
  EXPECT_EQ(m.substr(0, 8), std::string("\0\0\0\0\0\0\0\x1e", 8));
  EXPECT_NE(store::checkpoint_message(7, hash), store::checkpoint_message(8, hash));
}

TEST(Signatures, SignVerifyAndRejectChanges) {
  const SigningKey k = SigningKey::generate();
  const std::string msg = store::checkpoint_message(3, std::string(64, 'b'));
  const std::string sig = k.sign(msg);
  ASSERT_EQ(sig.size(), 128u);
  EXPECT_TRUE(verify_signature(k.public_key_hex(), msg, sig));
  std::string bad = sig;
  bad[10] = bad[10] == '0' ? '1' : '0';
  EXPECT_FALSE(verify_signature(k.public_key_hex(), msg, bad));
  EXPECT_FALSE(verify_signature(k.public_key_hex(), store::checkpoint_message(4, std::string(64, 'b')), sig));
  EXPECT_FALSE(verify_signature(SigningKey::generate().public_key_hex(), msg, sig));
  EXPECT_FALSE(verify_signature("zz", msg, sig));
  // Deterministic from the seed (Ed25519).
  auto a = SigningKey::from_seed(std::string(32, '\x01'));
  auto b = SigningKey::from_seed(std::string(32, '\x01'));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value().sign(msg), b.value().sign(msg));
  EXPECT_FALSE(SigningKey::from_seed("short").ok());
}

TEST(Sealing, KnownDigestsAndBoundCiphertexts) {
  // Known answers (FIPS 180-2 / RFC 1321 test vector "abc").
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  const EvidenceKey k = EvidenceKey::generate();
  const std::string ad = evidence_ad(5, sha256_hex("abc"), md5_hex("abc"), 3);
  const std::string c1 = seal(k, "abc", ad), c2 = seal(k, "abc", ad);
  EXPECT_EQ(c1.size(), 3 + kSealOverhead);
  EXPECT_NE(c1, c2) << "each seal has its own nonce";
  EXPECT_EQ(open_sealed(k, c1, ad).value_or("?"), "abc");
  EXPECT_FALSE(open_sealed(k, c1, evidence_ad(6, sha256_hex("abc"), md5_hex("abc"), 3)));
  EXPECT_FALSE(open_sealed(EvidenceKey::generate(), c1, ad));
  std::string flipped = c1;
  flipped[30] ^= 1;
  EXPECT_FALSE(open_sealed(k, flipped, ad));
  EXPECT_FALSE(open_sealed(k, c1.substr(0, 20), ad));
  EXPECT_FALSE(EvidenceKey::from_bytes("short").ok());
}

}  // namespace
}  // namespace chainbreak::custody
