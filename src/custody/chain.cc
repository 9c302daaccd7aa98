// ChainWalker and sign_checkpoint.
#include "custody/chain.h"

#include <chrono>

#include "custody/verify.h"

namespace chainbreak::custody {

std::string ChainWalker::next(const store::AuditEntry& e) {
  const std::string n = std::to_string(e.seq);
  if (e.seq != prev_seq_ + 1) {
    const std::string want = std::to_string(prev_seq_ + 1);
    if (e.seq <= prev_seq_) return "audit entry " + n + ": out of order after entry " + std::to_string(prev_seq_);
    if (prev_seq_ == 0) return "audit entry 1: missing (the log starts at entry " + n + ")";
    return "audit entry " + want + ": missing (entry " + std::to_string(prev_seq_) + " is followed by entry " + n + ")";
  }
  if (e.prev_hash != prev_hash_) {
    if (prev_seq_ == 0) return "audit entry 1: prev_hash is not 64 zeros";
    return "audit entry " + n + ": prev_hash does not match entry " + std::to_string(prev_seq_);
  }
  if (store::audit_entry_hash(e) != e.hash) return "audit entry " + n + ": hash mismatch";
  prev_seq_ = e.seq;
  prev_hash_ = e.hash;
  return std::string();
}

Result<std::optional<store::AuditCheckpoint>> sign_checkpoint(store::ServiceStore& audit, store::CustodyStore& custody,
                                                              const SigningKey& key) {
  constexpr int64_t kPage = 1000;
  auto last = custody.last_checkpoint();
  if (!last.ok()) return last.status();
  std::optional<store::AuditCheckpoint> mine;
  ChainWalker walker;
  // Start from this key's latest checkpoint when it is the latest one and
  // still holds (its signature, and its entry unchanged); else from seq 0.
  if (const auto& c = last.value();
      c && c->public_key == key.public_key_hex() &&
      verify_signature(c->public_key, store::checkpoint_message(c->seq, c->hash), c->signature)) {
    auto at = audit.audit_since(c->seq - 1, 1);
    if (!at.ok()) return at.status();
    if (!at.value().empty() && at.value()[0].seq == c->seq && at.value()[0].hash == c->hash &&
        store::audit_entry_hash(at.value()[0]) == c->hash) {
      walker = ChainWalker(c->seq, c->hash);
      mine = c;
    }
  }
  for (;;) {
    auto page = audit.audit_since(walker.seq(), kPage);
    if (!page.ok()) return page.status();
    for (const store::AuditEntry& e : page.value()) {
      if (std::string problem = walker.next(e); !problem.empty()) return InvalidInput(problem + "; not signed");
    }
    if (static_cast<int64_t>(page.value().size()) < kPage) break;
  }
  if (walker.seq() == 0) return std::optional<store::AuditCheckpoint>();
  if (mine && mine->seq == walker.seq()) return mine;
  store::AuditCheckpoint c;
  c.seq = walker.seq();
  c.hash = walker.hash();
  c.signed_at =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  c.public_key = key.public_key_hex();
  c.signature = key.sign(store::checkpoint_message(c.seq, c.hash));
  if (Status s = custody.insert_checkpoint(c); !s.ok()) return s;
  return std::optional<store::AuditCheckpoint>(c);
}

}  // namespace chainbreak::custody
