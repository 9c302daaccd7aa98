// checkpoint_message, the validation both CustodyStore backends share, and
// open_custody_store's dispatch.
#include <string>

#include "store/custody_internal.h"
#include "store/custody_store.h"
#include "store/store_internal.h"
#include "util/text.h"

namespace chainbreak::store {
namespace {

void field(std::string& out, std::string_view f) { append_length_prefixed(out, f); }

// Lowercases exactly n hex characters into *out; false for anything else.
bool lower_hex(std::string_view hex, size_t n, std::string* out) {
  if (hex.size() != n) return false;
  out->resize(n);
  for (size_t i = 0; i < n; ++i) {
    char c = hex[i];
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    (*out)[i] = c;
  }
  return true;
}

Status text(std::string_view value, std::string_view name, size_t max_bytes) {
  if (value.empty()) return InvalidInput(std::string(name) + " must not be empty");
  if (!internal::valid_text(value)) return InvalidInput(std::string(name) + " must be valid UTF-8 without NUL");
  if (value.size() > max_bytes) {
    return InvalidInput(std::string(name) + " is longer than " + std::to_string(max_bytes) + " bytes");
  }
  return Status::Ok();
}

Status hex_field(std::string_view value, std::string_view name, size_t n, std::string* out) {
  if (!lower_hex(value, n, out)) {
    return InvalidInput(std::string(name) + " must be " + std::to_string(n) + " hex characters");
  }
  return Status::Ok();
}

}  // namespace

std::string checkpoint_message(int64_t seq, std::string_view hash) {
  std::string m;
  m.reserve(8 * 3 + 30 + 20 + hash.size());
  field(m, "chainbreak-audit-checkpoint-v1");
  field(m, std::to_string(seq));
  field(m, hash);
  return m;
}

Result<std::unique_ptr<CustodyStore>> open_custody_store(const std::string& location) {
  std::string_view l(location);
  if (l.starts_with("postgresql://") || l.starts_with("postgres://") || l.starts_with("host=")) {
    return internal::open_postgres_custody(location);
  }
  return internal::open_sqlite_custody(location);
}

namespace internal {

Status validate_evidence(const EvidenceRecord& rec, std::string_view ciphertext, EvidenceRecord* out) {
  *out = rec;
  if (rec.id < 1) return InvalidInput("id must be >= 1 (from reserve_evidence_id)");
  if (Status s = text(rec.case_ref, "case_ref", 128); !s.ok()) return s;
  if (Status s = text(rec.name, "name", 255); !s.ok()) return s;
  if (Status s = text(rec.media_type, "media_type", 127); !s.ok()) return s;
  if (rec.size < 0) return InvalidInput("size must be >= 0");
  if (Status s = hex_field(rec.sha256, "sha256", 64, &out->sha256); !s.ok()) return s;
  if (Status s = hex_field(rec.md5, "md5", 32, &out->md5); !s.ok()) return s;
  if (Status s = hex_field(rec.ciphertext_sha256, "ciphertext_sha256", 64, &out->ciphertext_sha256); !s.ok()) {
    return s;
  }
  if (Status s = hex_field(rec.key_id, "key_id", 16, &out->key_id); !s.ok()) return s;
  if (rec.created_at < 0) return InvalidInput("created_at must be >= 0");
  if (rec.retain_until < 1) return InvalidInput("retain_until must be a unix time >= 1");
  if (rec.purged_at != 0) return InvalidInput("purged_at must be 0 for a new item");
  if (static_cast<int64_t>(ciphertext.size()) > kMaxCiphertextBytes) {
    return LimitExceeded("ciphertext is " + std::to_string(ciphertext.size()) + " bytes, over the limit of " +
                         std::to_string(kMaxCiphertextBytes));
  }
  return Status::Ok();
}

Status validate_checkpoint(const AuditCheckpoint& c, AuditCheckpoint* out) {
  *out = c;
  if (c.seq < 1) return InvalidInput("seq must be >= 1");
  if (Status s = hex_field(c.hash, "hash", 64, &out->hash); !s.ok()) return s;
  if (Status s = hex_field(c.public_key, "public_key", 64, &out->public_key); !s.ok()) return s;
  if (Status s = hex_field(c.signature, "signature", 128, &out->signature); !s.ok()) return s;
  if (c.signed_at < 0) return InvalidInput("signed_at must be >= 0");
  return Status::Ok();
}

}  // namespace internal
}  // namespace chainbreak::store
