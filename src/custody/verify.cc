// verify(): the audit chain with its checkpoints, then the evidence rows
// against their ciphertexts and their audit entries. See verify.h.
#include "custody/verify.h"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "custody/chain.h"
#include "custody/crypto.h"

namespace chainbreak::custody {
namespace {

using nlohmann::json;

// What the audit log says about one evidence item.
struct ItemAudit {
  int64_t add_seq = 0;  // its "evidence.add" entry (0: none seen)
  int64_t add_time_us = 0;
  bool add_failed = false;
  store::EvidenceRecord added;  // the fields recorded by "evidence.add"
  bool hold = false;            // the last audited legal hold ...
  int64_t hold_seq = 0;         // ... and the entry that set it
  bool prev_hold = false;       // undone by a following ".failed"
  int64_t prev_hold_seq = 0;
  int64_t purge_seq = 0;  // the last "evidence.purge" not undone by ".failed"
  int64_t prev_purge_seq = 0;
  int64_t prev_retain_until = 0;  // before the last "evidence.retention", undone by ".failed"
  bool seen = false;              // its row was checked
};

constexpr size_t kMaxWarnings = 20;

class Verifier {
 public:
  Verifier(store::ServiceStore& audit, store::CustodyStore& custody, const VerifyOptions& o)
      : audit_(audit), custody_(custody), o_(o) {
    r_.signer_pinned = !o.public_key.empty();
  }

  Result<VerifyReport> run() {
    if (Status s = walk(); !s.ok() || broken()) return finish(s);
    if (Status s = trailing_checkpoints(); !s.ok() || broken()) return finish(s);
    if (Status s = evidence(); !s.ok() || broken()) return finish(s);
    missing_rows();
    return finish(Status::Ok());
  }

 private:
  bool broken() const { return !r_.problem.empty(); }
  void fail(std::string problem) {
    if (!broken()) r_.problem = std::move(problem);
  }
  void warn(std::string w) {
    if (r_.warnings.size() < kMaxWarnings) {
      r_.warnings.push_back(std::move(w));
    } else if (r_.warnings.size() == kMaxWarnings) {
      r_.warnings.push_back("(more warnings left out)");
    }
  }

  Result<VerifyReport> finish(const Status& s) {
    if (!s.ok()) return s;
    r_.ok = !broken();
    r_.head_seq = walker_.seq();
    r_.head_hash = walker_.seq() > 0 ? walker_.hash() : std::string();
    if (r_.ok) {
      if (r_.checkpoints == 0 && r_.head_seq > 0) {
        warn("no checkpoint: the audit log is not signed (run `chainbreak audit checkpoint`)");
      } else if (r_.last_checkpoint_seq < r_.head_seq) {
        warn(std::to_string(r_.head_seq - r_.last_checkpoint_seq) + " audit entries after seq " +
             std::to_string(r_.last_checkpoint_seq) + " are not covered by a checkpoint signature");
      }
      if (!r_.signer_pinned && r_.checkpoints > 0) {
        warn(
            "checkpoints were checked against the public keys stored with them; pass --public-key to pin the "
            "signer");
      }
    }
    return std::move(r_);
  }

  // The next checkpoint not yet checked, or nullptr when there is none.
  Result<const store::AuditCheckpoint*> peek_checkpoint() {
    if (cp_pos_ < cp_page_.size()) return &cp_page_[cp_pos_];
    if (cp_done_) return static_cast<const store::AuditCheckpoint*>(nullptr);
    // Pages are by seq; a full page may cut a group of checkpoints of one
    // seq (several keys), so the next page starts at that seq again and
    // skips the keys already taken.
    auto page = custody_.checkpoints_since(cp_after_, o_.page);
    if (!page.ok()) return page.status();
    const bool full = static_cast<int64_t>(page.value().size()) == o_.page;
    cp_page_.clear();
    cp_pos_ = 0;
    for (store::AuditCheckpoint& c : page.value()) {
      if (c.seq == cp_group_seq_ && cp_group_keys_.count(c.public_key)) continue;
      cp_page_.push_back(std::move(c));
    }
    if (!full) {
      cp_done_ = true;
    } else {
      const int64_t last = page.value().back().seq;
      if (last != cp_group_seq_) cp_group_keys_.clear();
      cp_group_seq_ = last;
      for (const auto& c : cp_page_) {
        if (c.seq == last) cp_group_keys_.insert(c.public_key);
      }
      cp_after_ = last - 1;
      if (cp_page_.empty()) cp_done_ = true;  // more than a page of keys at one seq: give up on the rest
    }
    if (cp_page_.empty()) return static_cast<const store::AuditCheckpoint*>(nullptr);
    return &cp_page_[0];
  }

  void check_checkpoint(const store::AuditCheckpoint& c, const store::AuditEntry& e) {
    const std::string at = "checkpoint at seq " + std::to_string(c.seq) + ": ";
    if (r_.signer_pinned && c.public_key != o_.public_key) {
      return fail(at + "signed by " + c.public_key + ", not by the trusted key " + o_.public_key);
    }
    if (!verify_signature(c.public_key, store::checkpoint_message(c.seq, c.hash), c.signature)) {
      return fail(at + "bad signature");
    }
    if (c.hash != e.hash) return fail(at + "hash differs from audit entry " + std::to_string(e.seq));
    ++r_.checkpoints;
    r_.last_checkpoint_seq = c.seq;
  }

  // Reads the log from where the walk stopped to its current end.
  Status walk() {
    for (;;) {
      auto page = audit_.audit_since(walker_.seq(), o_.page);
      if (!page.ok()) return page.status();
      for (const store::AuditEntry& e : page.value()) {
        if (std::string p = walker_.next(e); !p.empty()) {
          fail(std::move(p));
          return Status::Ok();
        }
        ++r_.audit_entries;
        for (;;) {
          auto c = peek_checkpoint();
          if (!c.ok()) return c.status();
          if (!c.value() || c.value()->seq > e.seq) break;
          if (c.value()->seq < e.seq) {
            fail("checkpoint at seq " + std::to_string(c.value()->seq) + ": no such audit entry");
          } else {
            check_checkpoint(*c.value(), e);
          }
          if (broken()) return Status::Ok();
          ++cp_pos_;
        }
        note_evidence(e);
        if (broken()) return Status::Ok();
      }
      if (static_cast<int64_t>(page.value().size()) < o_.page) return Status::Ok();
    }
  }

  Status trailing_checkpoints() {
    auto c = peek_checkpoint();
    if (!c.ok()) return c.status();
    if (!c.value()) return Status::Ok();
    // Entries appended (and signed) while we walked: read them first.
    if (Status s = walk(); !s.ok() || broken()) return s;
    c = peek_checkpoint();
    if (!c.ok()) return c.status();
    if (c.value()) {
      const std::string seq = std::to_string(c.value()->seq);
      fail("checkpoint at seq " + seq + ": audit entry " + seq + " is missing (the log ends at seq " +
           std::to_string(walker_.seq()) + ")");
    }
    return Status::Ok();
  }

  // Records what an "evidence.*" entry says about its item.
  void note_evidence(const store::AuditEntry& e) {
    if (!e.action.starts_with("evidence.") || !e.target.starts_with("evidence:")) return;
    int64_t id = 0;
    const std::string digits = e.target.substr(9);
    if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) return;
    id = std::stoll(digits);
    ItemAudit& a = items_[id];
    const std::string at = "audit entry " + std::to_string(e.seq) + ": ";
    const json d = json::parse(e.detail_json.empty() ? std::string("{}") : e.detail_json, nullptr, false);
    if (e.action == "evidence.add") {
      if (a.add_seq != 0) return fail(at + "a second evidence.add for evidence " + digits);
      auto str = [&](const char* k) { return d.contains(k) && d[k].is_string() ? d[k].get<std::string>() : ""; };
      auto num = [&](const char* k) { return d.contains(k) && d[k].is_number_integer() ? d[k].get<int64_t>() : -1; };
      if (!d.is_object() || !d.contains("legal_hold") || !d["legal_hold"].is_boolean()) {
        return fail(at + "evidence.add detail is malformed");
      }
      a.add_seq = e.seq;
      a.add_time_us = e.time_us;
      a.added.sha256 = str("sha256");
      a.added.md5 = str("md5");
      a.added.ciphertext_sha256 = str("ciphertext_sha256");
      a.added.case_ref = str("case_ref");
      a.added.media_type = str("media_type");
      a.added.key_id = str("key_id");
      a.added.size = num("size");
      a.added.retain_until = num("retain_until");
      a.hold = d["legal_hold"].get<bool>();
      a.hold_seq = e.seq;
    } else if (e.action == "evidence.add.failed") {
      a.add_failed = true;
    } else if (e.action == "evidence.legal_hold") {
      if (!d.is_object() || !d.contains("legal_hold") || !d["legal_hold"].is_boolean()) {
        return fail(at + "evidence.legal_hold detail is malformed");
      }
      a.prev_hold = a.hold;
      a.prev_hold_seq = a.hold_seq;
      a.hold = d["legal_hold"].get<bool>();
      a.hold_seq = e.seq;
    } else if (e.action == "evidence.legal_hold.failed") {
      a.hold = a.prev_hold;
      a.hold_seq = a.prev_hold_seq;
    } else if (e.action == "evidence.retention") {
      if (!d.is_object() || !d.contains("retain_until") || !d["retain_until"].is_number_integer()) {
        return fail(at + "evidence.retention detail is malformed");
      }
      a.prev_retain_until = a.added.retain_until;
      a.added.retain_until = d["retain_until"].get<int64_t>();
    } else if (e.action == "evidence.retention.failed") {
      a.added.retain_until = a.prev_retain_until;
    } else if (e.action == "evidence.purge") {
      a.prev_purge_seq = a.purge_seq;
      a.purge_seq = e.seq;
    } else if (e.action == "evidence.purge.failed") {
      a.purge_seq = a.prev_purge_seq;
    }
  }

  // The row's fields against its "evidence.add" entry; "" when they agree.
  static std::string mismatch(const store::EvidenceRecord& row, const store::EvidenceRecord& a) {
    if (row.sha256 != a.sha256) return "sha256";
    if (row.md5 != a.md5) return "md5";
    if (row.size != a.size) return "size";
    if (row.case_ref != a.case_ref) return "case_ref";
    if (row.media_type != a.media_type) return "media_type";
    if (row.key_id != a.key_id) return "key_id";
    if (row.retain_until != a.retain_until) return "retain_until";  // as added, or as the last evidence.retention
    if (row.ciphertext_sha256 != a.ciphertext_sha256) return "the row's ciphertext_sha256";
    return std::string();
  }

  Status check_row(const store::EvidenceRecord& row) {
    const std::string at = "evidence " + std::to_string(row.id) + ": ";
    auto it = items_.find(row.id);
    if (it == items_.end() || it->second.add_seq == 0) {
      // Added after the walk? Read the new entries, then decide.
      if (Status s = walk(); !s.ok() || broken()) return s;
      it = items_.find(row.id);
      if (it == items_.end() || it->second.add_seq == 0) {
        fail(at + "no evidence.add audit entry");
        return Status::Ok();
      }
    }
    ItemAudit& a = it->second;
    a.seen = true;
    ++r_.evidence_items;
    const std::string entry = "audit entry " + std::to_string(a.add_seq);
    if (std::string field = mismatch(row, a.added); !field.empty()) {
      fail(at + field + " differs from its " + entry);
      return Status::Ok();
    }
    if (row.legal_hold != a.hold) {
      fail(at + "legal_hold is " + (row.legal_hold ? "true" : "false") + " but audit entry " +
           std::to_string(a.hold_seq) + " set it to " + (a.hold ? "true" : "false"));
      return Status::Ok();
    }
    if (row.purged_at != 0) {
      ++r_.purged_items;
      if (a.purge_seq == 0) fail(at + "purged without an evidence.purge audit entry");
      return Status::Ok();
    }
    if (a.purge_seq != 0) {
      warn(at + "audit entry " + std::to_string(a.purge_seq) +
           " records a purge that was not applied (interrupted?); the next purge applies it");
    }
    auto sealed = custody_.read_ciphertext(row.id);
    if (!sealed.ok()) return sealed.status();
    if (!sealed.value()) {
      fail(at + "ciphertext missing but the item is not marked purged");
      return Status::Ok();
    }
    if (sha256_hex(*sealed.value()) != a.added.ciphertext_sha256) {
      fail(at + "ciphertext sha256 differs from its " + entry);
      return Status::Ok();
    }
    if (!o_.evidence_key) return Status::Ok();
    if (row.key_id != o_.evidence_key->id()) {
      warn(at + "encrypted with key " + row.key_id + ", not with the key given; not decrypted");
      return Status::Ok();
    }
    auto plain = open_sealed(*o_.evidence_key, *sealed.value(), evidence_ad(row.id, row.sha256, row.md5, row.size));
    if (!plain) {
      fail(at + "does not decrypt (ciphertext altered or not this item's)");
    } else if (sha256_hex(*plain) != row.sha256) {
      fail(at + "the decrypted file's sha256 differs from its row");
    } else if (md5_hex(*plain) != row.md5) {
      fail(at + "the decrypted file's md5 differs from its row");
    } else {
      ++r_.decrypted;
    }
    return Status::Ok();
  }

  Status evidence() {
    int64_t after = 0;
    for (;;) {
      auto rows = custody_.list_evidence(after, o_.page);
      if (!rows.ok()) return rows.status();
      for (const store::EvidenceRecord& row : rows.value()) {
        after = row.id;
        if (Status s = check_row(row); !s.ok() || broken()) return s;
      }
      if (static_cast<int64_t>(rows.value().size()) < o_.page) return Status::Ok();
    }
  }

  // Items the log says were added (and not failed) whose row is gone.
  void missing_rows() {
    const int64_t now_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    for (const auto& [id, a] : items_) {
      if (a.add_seq == 0 || a.add_failed || a.seen) continue;
      const std::string what = "audit entry " + std::to_string(a.add_seq) + ": evidence " + std::to_string(id);
      if (now_us - a.add_time_us < o_.in_flight_us) {
        warn(what + " has no row yet (added in the last minute: still being written?)");
        continue;
      }
      return fail(what + " is missing");
    }
  }

  store::ServiceStore& audit_;
  store::CustodyStore& custody_;
  const VerifyOptions& o_;
  VerifyReport r_;
  ChainWalker walker_;
  std::map<int64_t, ItemAudit> items_;
  std::vector<store::AuditCheckpoint> cp_page_;
  size_t cp_pos_ = 0;
  int64_t cp_after_ = 0;
  bool cp_done_ = false;
  int64_t cp_group_seq_ = -1;
  std::set<std::string> cp_group_keys_;
};

}  // namespace

Result<VerifyReport> verify(store::ServiceStore& audit, store::CustodyStore& custody, const VerifyOptions& options) {
  if (!options.public_key.empty() && !is_public_key_hex(options.public_key)) {
    return InvalidInput("public_key must be 64 hex characters");
  }
  VerifyOptions o = options;
  for (char& c : o.public_key) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  if (o.page < 1) o.page = 1000;
  Verifier v(audit, custody, o);
  return v.run();
}

}  // namespace chainbreak::custody
