#include "custody/vault.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "custody/crypto.h"
#include "util/text.h"

namespace chainbreak::custody {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Status text_arg(std::string_view value, std::string_view name, size_t max_bytes) {
  if (value.empty()) return InvalidInput(std::string(name) + " must not be empty");
  if (!valid_utf8(value)) return InvalidInput(std::string(name) + " must be valid UTF-8 without NUL");
  if (value.size() > max_bytes) {
    return InvalidInput(std::string(name) + " is longer than " + std::to_string(max_bytes) + " bytes");
  }
  return Status::Ok();
}

std::string item(int64_t id) { return "evidence " + std::to_string(id) + ": "; }

}  // namespace

std::string evidence_target(int64_t id) { return "evidence:" + std::to_string(id); }

Status Vault::failed(std::string_view actor, std::string_view action, int64_t id, const Status& s) {
  // Best effort: the original error is what the caller needs to see.
  (void)audit_.append_audit(actor, std::string(action) + ".failed", evidence_target(id),
                            dump(json{{"error", s.message()}}));
  return s;
}

Result<store::EvidenceRecord> Vault::add_evidence(std::string_view bytes, std::string_view name,
                                                  std::string_view media_type, std::string_view case_ref,
                                                  const Retention& retention, std::string_view actor) {
  constexpr std::string_view op = "add_evidence: ";
  auto bad = [&](const Status& s) { return Status(s.code(), std::string(op) + s.message()); };
  if (Status s = text_arg(name, "name", 255); !s.ok()) return bad(s);
  if (Status s = text_arg(media_type, "media_type", 127); !s.ok()) return bad(s);
  if (Status s = text_arg(case_ref, "case_ref", 128); !s.ok()) return bad(s);
  if (Status s = text_arg(actor, "actor", 128); !s.ok()) return bad(s);
  if (retention.retain_until < 1) return bad(InvalidInput("retain_until must be a unix time >= 1"));
  if (static_cast<int64_t>(bytes.size()) > kMaxEvidenceBytes) {
    return bad(LimitExceeded("file is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                             std::to_string(kMaxEvidenceBytes)));
  }
  store::EvidenceRecord rec;
  rec.case_ref = case_ref;
  rec.name = name;
  rec.media_type = media_type;
  rec.size = static_cast<int64_t>(bytes.size());
  rec.sha256 = sha256_hex(bytes);
  rec.md5 = md5_hex(bytes);
  if (rec.sha256.empty() || rec.md5.empty()) return Internal(std::string(op) + "OpenSSL digest failed");
  rec.key_id = key_.id();
  rec.created_at = now_seconds();
  rec.retain_until = retention.retain_until;
  rec.legal_hold = retention.legal_hold;

  auto id = custody_.reserve_evidence_id();
  if (!id.ok()) return id.status();
  rec.id = id.value();
  const std::string sealed = seal(key_, bytes, evidence_ad(rec.id, rec.sha256, rec.md5, rec.size));
  rec.ciphertext_sha256 = sha256_hex(sealed);

  const json detail = {{"sha256", rec.sha256},
                       {"md5", rec.md5},
                       {"ciphertext_sha256", rec.ciphertext_sha256},
                       {"size", rec.size},
                       {"case_ref", rec.case_ref},
                       {"media_type", rec.media_type},
                       {"key_id", rec.key_id},
                       {"retain_until", rec.retain_until},
                       {"legal_hold", rec.legal_hold}};
  auto entry = audit_.append_audit(actor, "evidence.add", evidence_target(rec.id), dump(detail));
  if (!entry.ok()) return entry.status();  // nothing stored: the reserved id stays unused
  if (Status s = custody_.insert_evidence(rec, sealed); !s.ok()) return failed(actor, "evidence.add", rec.id, s);
  return rec;
}

Result<store::EvidenceRecord> Vault::live_row(int64_t id) {
  auto row = custody_.get_evidence(id);
  if (!row.ok()) return row.status();
  if (!row.value()) return InvalidInput(item(id) + "unknown id");
  if (row.value()->purged_at != 0) {
    return InvalidInput(item(id) + "purged at " + iso_utc_seconds(row.value()->purged_at * 1'000'000) + " (unix " +
                        std::to_string(row.value()->purged_at) + "); only its hashes and metadata remain");
  }
  return *row.value();
}

Result<Evidence> Vault::open_item(int64_t id, std::string_view actor, std::string_view action,
                                  std::string_view recipient) {
  if (Status s = text_arg(actor, "actor", 128); !s.ok()) return s;
  auto row = live_row(id);
  if (!row.ok()) return row.status();
  const store::EvidenceRecord& rec = row.value();
  json detail = {{"sha256", rec.sha256}};
  if (!recipient.empty()) detail["recipient"] = std::string(recipient);
  if (auto e = audit_.append_audit(actor, action, evidence_target(id), dump(detail)); !e.ok()) return e.status();

  auto sealed = custody_.read_ciphertext(id);
  if (!sealed.ok()) return failed(actor, action, id, sealed.status());
  if (!sealed.value()) return failed(actor, action, id, InvalidInput(item(id) + "purged meanwhile"));
  if (sha256_hex(*sealed.value()) != rec.ciphertext_sha256) {
    return failed(actor, action, id, IoError(item(id) + "ciphertext sha256 differs from its row (altered)"));
  }
  if (rec.key_id != key_.id()) {
    return failed(actor, action, id,
                  Unsupported(item(id) + "encrypted with key " + rec.key_id + ", not with " + key_.id()));
  }
  auto plain = open_sealed(key_, *sealed.value(), evidence_ad(id, rec.sha256, rec.md5, rec.size));
  if (!plain) {
    return failed(actor, action, id,
                  IoError(item(id) + "does not decrypt: the ciphertext or its row's hashes were altered, or the "
                                     "ciphertext belongs to another item"));
  }
  if (sha256_hex(*plain) != rec.sha256 || md5_hex(*plain) != rec.md5) {
    return failed(actor, action, id, IoError(item(id) + "the decrypted file's hashes differ from its row"));
  }
  return Evidence{rec, std::move(*plain)};
}

Result<Evidence> Vault::read_evidence(int64_t id, std::string_view actor) {
  return open_item(id, actor, "evidence.view", "");
}

Result<Evidence> Vault::export_evidence(int64_t id, std::string_view actor, std::string_view recipient) {
  if (Status s = text_arg(recipient, "recipient", 256); !s.ok()) return s;
  return open_item(id, actor, "evidence.export", recipient);
}

Status Vault::set_legal_hold(int64_t id, bool hold, std::string_view actor) {
  if (Status s = text_arg(actor, "actor", 128); !s.ok()) return s;
  auto row = live_row(id);
  if (!row.ok()) return row.status();
  auto e = audit_.append_audit(actor, "evidence.legal_hold", evidence_target(id), dump(json{{"legal_hold", hold}}));
  if (!e.ok()) return e.status();
  if (Status s = custody_.set_legal_hold(id, hold); !s.ok()) return failed(actor, "evidence.legal_hold", id, s);
  return Status::Ok();
}

Status Vault::set_retention(int64_t id, int64_t retain_until, std::string_view reason, std::string_view actor) {
  if (Status s = text_arg(actor, "actor", 128); !s.ok()) return s;
  if (Status s = text_arg(reason, "reason", 256); !s.ok()) return s;
  if (retain_until < 1) return InvalidInput("retain_until: must be >= 1");
  auto row = live_row(id);
  if (!row.ok()) return row.status();
  const json detail = {{"retain_until", retain_until}, {"reason", std::string(reason)}};
  auto e = audit_.append_audit(actor, "evidence.retention", evidence_target(id), dump(detail));
  if (!e.ok()) return e.status();
  if (Status s = custody_.set_retention(id, retain_until); !s.ok()) return failed(actor, "evidence.retention", id, s);
  return Status::Ok();
}

Result<std::vector<int64_t>> Vault::purge_expired(int64_t now, std::string_view actor) {
  if (Status s = text_arg(actor, "actor", 128); !s.ok()) return s;
  std::vector<int64_t> purged;
  int64_t after = 0;  // items skipped (held meanwhile) are not due any more; this only bounds the loop
  for (;;) {
    auto due = custody_.due_for_purge(now, 100);
    if (!due.ok()) return due.status();
    bool progressed = false;
    for (const store::EvidenceRecord& rec : due.value()) {
      if (rec.id <= after) continue;
      after = rec.id;
      progressed = true;
      auto done = purge_one(rec, now, actor);
      if (!done.ok()) return done.status();
      if (done.value()) purged.push_back(rec.id);
    }
    if (!progressed) return purged;
  }
}

Result<std::vector<int64_t>> Vault::purge_items(std::span<const int64_t> ids, int64_t now, std::string_view actor) {
  if (Status s = text_arg(actor, "actor", 128); !s.ok()) return s;
  std::vector<int64_t> purged;
  for (int64_t id : ids) {
    auto row = custody_.get_evidence(id);
    if (!row.ok()) return row.status();
    if (!row.value()) continue;
    const store::EvidenceRecord& rec = *row.value();
    if (rec.purged_at != 0 || rec.legal_hold || rec.retain_until > now) continue;
    auto done = purge_one(rec, now, actor);
    if (!done.ok()) return done.status();
    if (done.value()) purged.push_back(id);
  }
  return purged;
}

Result<bool> Vault::purge_one(const store::EvidenceRecord& rec, int64_t now, std::string_view actor) {
  const json detail = {{"retain_until", rec.retain_until}, {"sha256", rec.sha256}};
  auto e = audit_.append_audit(actor, "evidence.purge", evidence_target(rec.id), dump(detail));
  if (!e.ok()) return e.status();
  auto done = custody_.purge_evidence(rec.id, now);
  if (!done.ok()) return failed(actor, "evidence.purge", rec.id, done.status());
  if (!done.value()) {
    (void)failed(actor, "evidence.purge", rec.id, InvalidInput("no longer due (legal hold set meanwhile)"));
    return false;
  }
  return true;
}

}  // namespace chainbreak::custody
