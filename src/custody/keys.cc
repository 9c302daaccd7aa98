#include "custody/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "custody/crypto.h"

namespace chainbreak::custody {
namespace {

constexpr const char* kEvidenceFile = "evidence.key";
constexpr const char* kSigningFile = "audit-signing.key";
constexpr const char* kPublicFile = "audit-signing.pub";

std::string errno_text() { return std::strerror(errno); }

bool is_postgres(std::string_view l) {
  return l.starts_with("postgresql://") || l.starts_with("postgres://") || l.starts_with("host=");
}

// Creates dir (mode 0700) when missing.
Status make_dir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::Ok();
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("cannot create key directory " + dir + ": " + errno_text());
  }
  return Status::Ok();
}

// Reads a key file of 64 hex characters (and an optional newline) into 32
// raw bytes. nullopt when the file does not exist.
Result<std::optional<std::string>> read_key_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return IoError("cannot open key file " + path + ": " + errno_text());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = IoError("cannot stat key file " + path + ": " + errno_text());
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidInput("key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return InvalidInput("key file " + path + " is readable by group or others (mode " + mode + "): chmod 600 it");
  }
  char buf[130];
  ssize_t n = ::read(fd, buf, sizeof buf);
  const int read_errno = errno;
  ::close(fd);
  if (n < 0) return IoError("cannot read key file " + path + ": " + std::strerror(read_errno));
  std::string_view text(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  std::string raw;
  if (text.size() != 64 || !hex_decode(text, &raw)) {
    return InvalidInput("key file " + path + " must hold 64 hex characters");
  }
  return std::optional<std::string>(std::move(raw));
}

// Writes content to a temporary file in dir with mode, fsyncs it and links
// it to dir/name unless that exists. true when this call created it.
Result<bool> publish_file(const std::string& dir, const char* name, const std::string& content, mode_t mode) {
  std::string tmp = dir + "/." + name + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return IoError("cannot create a key file in " + dir + ": " + errno_text());
  bool ok = ::fchmod(fd, mode) == 0;
  size_t done = 0;
  while (ok && done < content.size()) {
    ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0 && errno == EINTR) continue;
    ok = w > 0;
    if (ok) done += static_cast<size_t>(w);
  }
  ok = ok && ::fsync(fd) == 0;
  const int write_errno = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return IoError("cannot write key file in " + dir + ": " + std::strerror(write_errno));
  }
  const std::string final_path = dir + "/" + name;
  const int rc = ::link(tmp.c_str(), final_path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0 && link_errno != EEXIST) {
    return IoError("cannot create key file " + final_path + ": " + std::strerror(link_errno));
  }
  if (rc == 0) {
    // Make the new name durable too.
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  return rc == 0;
}

}  // namespace

Result<std::string> resolve_key_dir(const std::string& location, const std::string& key_dir) {
  if (!key_dir.empty()) return key_dir;
  if (const char* env = std::getenv("CHAINBREAK_KEY_DIR"); env && *env) return std::string(env);
  if (is_postgres(location)) {
    return InvalidInput("a key directory is required with PostgreSQL: pass --key-dir or set CHAINBREAK_KEY_DIR");
  }
  std::filesystem::path parent = std::filesystem::path(location).parent_path();
  return (parent.empty() ? std::string(".") : parent.string()) + "/keys";
}

EvidenceKey::~EvidenceKey() { sodium_memzero(key_.data(), key_.size()); }

Result<EvidenceKey> EvidenceKey::from_bytes(std::string_view raw) {
  if (raw.size() != kBytes) return InvalidInput("an evidence key must be 32 bytes");
  ensure_sodium();
  EvidenceKey k;
  std::memcpy(k.key_.data(), raw.data(), kBytes);
  static constexpr char kLabel[] = "chainbreak-evidence-key-id";
  unsigned char id[8];
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof id);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kLabel), sizeof kLabel - 1);
  crypto_generichash_update(&st, k.key_.data(), kBytes);
  crypto_generichash_final(&st, id, sizeof id);
  k.id_ = hex_encode(std::string_view(reinterpret_cast<const char*>(id), sizeof id));
  return k;
}

EvidenceKey EvidenceKey::generate() {
  ensure_sodium();
  std::string raw(kBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  EvidenceKey k = std::move(from_bytes(raw)).value();
  sodium_memzero(raw.data(), raw.size());
  return k;
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

Result<SigningKey> SigningKey::from_seed(std::string_view seed) {
  if (seed.size() != crypto_sign_SEEDBYTES) return InvalidInput("an Ed25519 seed must be 32 bytes");
  ensure_sodium();
  SigningKey k;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(pk, k.secret_.data(), reinterpret_cast<const unsigned char*>(seed.data()));
  k.public_hex_ = hex_encode(std::string_view(reinterpret_cast<const char*>(pk), sizeof pk));
  return k;
}

SigningKey SigningKey::generate() {
  ensure_sodium();
  std::string seed(crypto_sign_SEEDBYTES, '\0');
  randombytes_buf(seed.data(), seed.size());
  SigningKey k = std::move(from_seed(seed)).value();
  sodium_memzero(seed.data(), seed.size());
  return k;
}

std::string SigningKey::sign(std::string_view message) const {
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_.data());
  return hex_encode(std::string_view(reinterpret_cast<const char*>(sig), sizeof sig));
}

bool is_public_key_hex(std::string_view s) {
  std::string raw;
  return s.size() == 64 && hex_decode(s, &raw);
}

bool verify_signature(std::string_view public_key_hex, std::string_view message, std::string_view signature_hex) {
  ensure_sodium();
  std::string pk, sig;
  if (public_key_hex.size() != 2 * crypto_sign_PUBLICKEYBYTES || !hex_decode(public_key_hex, &pk)) return false;
  if (signature_hex.size() != 2 * crypto_sign_BYTES || !hex_decode(signature_hex, &sig)) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     reinterpret_cast<const unsigned char*>(pk.data())) == 0;
}

Result<std::optional<EvidenceKey>> load_evidence_key(const std::string& key_dir) {
  auto raw = read_key_file(key_dir + "/" + kEvidenceFile);
  if (!raw.ok()) return raw.status();
  if (!raw.value()) return std::optional<EvidenceKey>();
  auto k = EvidenceKey::from_bytes(*raw.value());
  sodium_memzero(raw.value()->data(), raw.value()->size());
  if (!k.ok()) return k.status();
  return std::optional<EvidenceKey>(std::move(k).value());
}

Result<EvidenceKey> load_or_create_evidence_key(const std::string& key_dir) {
  auto have = load_evidence_key(key_dir);
  if (!have.ok()) return have.status();
  if (have.value()) return std::move(*have.value());
  if (Status s = make_dir(key_dir); !s.ok()) return s;
  ensure_sodium();
  std::string raw(EvidenceKey::kBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string text = hex_encode(raw) + "\n";
  sodium_memzero(raw.data(), raw.size());
  auto made = publish_file(key_dir, kEvidenceFile, text, 0600);
  sodium_memzero(text.data(), text.size());
  if (!made.ok()) return made.status();
  // Load what is there now: ours, or another process's if it won the race.
  auto loaded = load_evidence_key(key_dir);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return IoError("key file " + key_dir + "/" + kEvidenceFile + " vanished after creation");
  return std::move(*loaded.value());
}

Result<std::optional<SigningKey>> load_signing_key(const std::string& key_dir) {
  auto raw = read_key_file(key_dir + "/" + kSigningFile);
  if (!raw.ok()) return raw.status();
  if (!raw.value()) return std::optional<SigningKey>();
  auto k = SigningKey::from_seed(*raw.value());
  sodium_memzero(raw.value()->data(), raw.value()->size());
  if (!k.ok()) return k.status();
  return std::optional<SigningKey>(std::move(k).value());
}

Result<SigningKey> load_or_create_signing_key(const std::string& key_dir) {
  auto have = load_signing_key(key_dir);
  if (!have.ok()) return have.status();
  if (have.value()) return std::move(*have.value());
  if (Status s = make_dir(key_dir); !s.ok()) return s;
  ensure_sodium();
  std::string seed(crypto_sign_SEEDBYTES, '\0');
  randombytes_buf(seed.data(), seed.size());
  std::string text = hex_encode(seed) + "\n";
  sodium_memzero(seed.data(), seed.size());
  auto made = publish_file(key_dir, kSigningFile, text, 0600);
  sodium_memzero(text.data(), text.size());
  if (!made.ok()) return made.status();
  auto loaded = load_signing_key(key_dir);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return IoError("key file " + key_dir + "/" + kSigningFile + " vanished after creation");
  // The public half beside it, for verifiers (not secret).
  auto pub = publish_file(key_dir, kPublicFile, loaded.value()->public_key_hex() + "\n", 0644);
  if (!pub.ok()) return pub.status();
  return std::move(*loaded.value());
}

}  // namespace chainbreak::custody
