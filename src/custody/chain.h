// Walking the audit chain: the link checks shared by sign_checkpoint and
// verify. Internal to src/custody.
#pragma once

#include <cstdint>
#include <string>

#include "store/service_store.h"

namespace chainbreak::custody {

// Follows entries in order from a known point. next() returns "" when e
// extends the chain, else what is wrong ("audit entry 57: hash mismatch").
class ChainWalker {
 public:
  // From the start of the log (seq 0, 64 zeros), or from a trusted entry.
  ChainWalker() : prev_hash_(64, '0') {}
  ChainWalker(int64_t seq, std::string hash) : prev_seq_(seq), prev_hash_(std::move(hash)) {}

  std::string next(const store::AuditEntry& e);
  int64_t seq() const { return prev_seq_; }
  const std::string& hash() const { return prev_hash_; }

 private:
  int64_t prev_seq_ = 0;
  std::string prev_hash_;
};

}  // namespace chainbreak::custody
