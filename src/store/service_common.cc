// Role and action names, the audit chain hash, validation shared by both
// ServiceStore backends, and open_service_store's dispatch.
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "store/service_internal.h"
#include "store/service_store.h"
#include "store/store_internal.h"

namespace chainbreak::store {

namespace {

constexpr Role kRoles[] = {kRoleHasher, kRoleMatcher, kRoleCurator, kRoleReviewer, kRoleAdmin, kRoleAuditor};
constexpr ActionKind kActions[] = {ActionKind::kBlock, ActionKind::kHold,    ActionKind::kReview,
                                   ActionKind::kCase,  ActionKind::kWebhook, ActionKind::kRecord};

struct EvpFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// Feeds one field of the canonical encoding: its length as 8 bytes big
// endian, then its bytes.
bool feed(EVP_MD_CTX* ctx, std::string_view field) {
  unsigned char len[8];
  uint64_t n = field.size();
  for (int i = 7; i >= 0; --i, n >>= 8) len[i] = static_cast<unsigned char>(n & 0xff);
  return EVP_DigestUpdate(ctx, len, sizeof len) == 1 && EVP_DigestUpdate(ctx, field.data(), field.size()) == 1;
}

}  // namespace

const char* role_name(Role r) {
  switch (r) {
    case kRoleHasher: return "hasher";
    case kRoleMatcher: return "matcher";
    case kRoleCurator: return "curator";
    case kRoleReviewer: return "reviewer";
    case kRoleAdmin: return "admin";
    case kRoleAuditor: return "auditor";
  }
  return "unknown";
}

uint32_t parse_role(std::string_view name) {
  for (Role r : kRoles) {
    if (name == role_name(r)) return r;
  }
  return 0;
}

const char* action_name(ActionKind a) {
  switch (a) {
    case ActionKind::kBlock: return "block";
    case ActionKind::kHold: return "hold";
    case ActionKind::kReview: return "review";
    case ActionKind::kCase: return "case";
    case ActionKind::kWebhook: return "webhook";
    case ActionKind::kRecord: return "record";
  }
  return "unknown";
}

std::optional<ActionKind> parse_action(std::string_view name) {
  for (ActionKind a : kActions) {
    if (name == action_name(a)) return a;
  }
  return std::nullopt;
}

std::string audit_entry_hash(const AuditEntry& e) {
  std::unique_ptr<EVP_MD_CTX, EvpFree> ctx(EVP_MD_CTX_new());
  const std::string seq = std::to_string(e.seq);
  const std::string time = std::to_string(e.time_us);
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  for (std::string_view f : {std::string_view("chainbreak-audit-v1"), std::string_view(e.prev_hash),
                             std::string_view(seq), std::string_view(time), std::string_view(e.actor),
                             std::string_view(e.action), std::string_view(e.target), std::string_view(e.detail_json)}) {
    ok = ok && feed(ctx.get(), f);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), digest, &len) == 1 && len == 32;
  // Only an allocation failure gets here; an empty hash never verifies.
  if (!ok) return std::string();
  return internal::bytes_to_hex(std::string_view(reinterpret_cast<const char*>(digest), len));
}

Result<std::unique_ptr<ServiceStore>> open_service_store(const std::string& location) {
  std::string_view l(location);
  if (l.starts_with("postgresql://") || l.starts_with("postgres://") || l.starts_with("host=")) {
    return internal::open_postgres_service(location);
  }
  return internal::open_sqlite_service(location);
}

namespace internal {
namespace {

bool name_chars(std::string_view name, std::string_view extra) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              extra.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Printable text for a message: the value when it is valid text, else "?".
std::string shown(std::string_view s) { return valid_text(s) && s.size() <= 80 ? std::string(s) : "?"; }

// An http:// or https:// URL without spaces or control characters.
bool valid_url(std::string_view u) {
  if (u.size() > kMaxUrl || !valid_text(u)) return false;
  size_t host;
  if (u.starts_with("https://")) {
    host = 8;
  } else if (u.starts_with("http://")) {
    host = 7;
  } else {
    return false;
  }
  if (u.size() == host || u[host] == '/') return false;
  for (char c : u) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

Status text_field(std::string_view value, std::string_view field, size_t max_bytes) {
  if (!valid_text(value)) return InvalidInput(std::string(field) + " must be valid UTF-8 without NUL");
  if (value.size() > max_bytes) {
    return InvalidInput(std::string(field) + " is longer than " + std::to_string(max_bytes) + " bytes");
  }
  return Status::Ok();
}

}  // namespace

int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool normalize_hash(std::string_view hex, std::string* out) {
  if (hex.size() != 64) return false;
  out->resize(64);
  for (size_t i = 0; i < 64; ++i) {
    char c = hex[i];
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    (*out)[i] = c;
  }
  return true;
}

Status validate_token(const ApiToken& t, std::string* hash) {
  if (!name_chars(t.name, "_.@-")) {
    return InvalidInput("invalid token name \"" + shown(t.name) + "\": use 1 to 64 of A-Z a-z 0-9 _ . @ -");
  }
  if (t.roles == 0) return InvalidInput("token roles must not be empty");
  if ((t.roles & ~uint32_t{0x3f}) != 0) return InvalidInput("token roles has unknown bits");
  if (!normalize_hash(t.secret_hash, hash)) return InvalidInput("secret_hash must be 64 hex characters");
  return Status::Ok();
}

bool json_shaped(std::string_view s, char open, char close) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return s.empty();
  size_t e = s.find_last_not_of(" \t\r\n");
  return s[b] == open && s[e] == close && e > b;
}

Status validate_audit(std::string_view actor, std::string_view action, std::string_view target,
                      std::string_view detail_json) {
  if (actor.empty()) return InvalidInput("actor must not be empty");
  if (action.empty()) return InvalidInput("action must not be empty");
  if (Status s = text_field(actor, "actor", kMaxActor); !s.ok()) return s;
  if (Status s = text_field(action, "action", kMaxAction); !s.ok()) return s;
  if (Status s = text_field(target, "target", kMaxTarget); !s.ok()) return s;
  if (Status s = text_field(detail_json, "detail_json", 1 << 20); !s.ok()) return s;
  if (!json_shaped(detail_json, '{', '}')) return InvalidInput("detail_json must be empty or a JSON object");
  return Status::Ok();
}

Status validate_rule(const Rule& r) {
  if (!name_chars(r.name, "_.-")) {
    return InvalidInput("invalid rule name \"" + shown(r.name) + "\": use 1 to 64 of A-Z a-z 0-9 _ . -");
  }
  if (!r.bank.empty() && !name_chars(r.bank, "_.-")) {
    return InvalidInput("invalid bank \"" + shown(r.bank) + "\": \"\" or a bank name");
  }
  if (Status s = text_field(r.classification, "classification", 256); !s.ok()) return s;
  if (r.max_distance < 0 || r.max_distance > 256) {
    return InvalidInput("max_distance must be within 0..256, got " + std::to_string(r.max_distance));
  }
  if (std::string_view(action_name(r.action)) == "unknown") {
    return InvalidInput("unknown action " + std::to_string(static_cast<int>(r.action)));
  }
  if (r.action == ActionKind::kWebhook) {
    if (!valid_url(r.webhook_url)) return InvalidInput("webhook_url must be an http:// or https:// URL");
    if (Status s = text_field(r.webhook_secret, "webhook_secret", 1024); !s.ok()) return s;
  } else {
    if (!r.webhook_url.empty()) return InvalidInput("webhook_url must be empty unless the action is webhook");
    if (!r.webhook_secret.empty()) return InvalidInput("webhook_secret must be empty unless the action is webhook");
  }
  return Status::Ok();
}

Status validate_decision(const Decision& d, std::span<const WebhookDelivery> deliveries) {
  if (d.outcome != "block" && d.outcome != "hold" && d.outcome != "review" && d.outcome != "allow") {
    return InvalidInput("outcome must be block, hold, review or allow, got \"" + shown(d.outcome) + "\"");
  }
  if (Status s = text_field(d.content_id, "content_id", 1024); !s.ok()) return s;
  if (Status s = text_field(d.actor, "actor", kMaxActor); !s.ok()) return s;
  const struct {
    const std::string& value;
    const char* name;
    char open, close;
  } json[] = {{d.signals_json, "signals_json", '[', ']'},
              {d.matches_json, "matches_json", '[', ']'},
              {d.rules_json, "rules_json", '[', ']'},
              {d.detail_json, "detail_json", '{', '}'}};
  for (const auto& j : json) {
    if (Status s = text_field(j.value, j.name, 16 << 20); !s.ok()) return s;
    if (!json_shaped(j.value, j.open, j.close)) {
      return InvalidInput(std::string(j.name) + " must be empty or a JSON " + (j.open == '[' ? "array" : "object"));
    }
  }
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const WebhookDelivery& w = deliveries[i];
    auto fail = [i](const std::string& m) { return InvalidInput("delivery " + std::to_string(i) + ": " + m); };
    if (!valid_url(w.url)) return fail("url must be an http:// or https:// URL");
    if (w.rule_id < 0) return fail("rule_id must be >= 0");
    if (Status s = text_field(w.secret, "secret", 1024); !s.ok()) return fail(s.message());
    if (Status s = text_field(w.body, "body", 16 << 20); !s.ok()) return fail(s.message());
    if (w.body.empty() || !(json_shaped(w.body, '{', '}') || json_shaped(w.body, '[', ']'))) {
      return fail("body must be a JSON object or array");
    }
  }
  return Status::Ok();
}

std::string clean_text(std::string_view s, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes));
  size_t i = 0;
  while (i < s.size()) {
    // The longest valid character starting here (1..4 bytes), if any.
    size_t len = 0;
    for (size_t n = 1; n <= 4 && i + n <= s.size(); ++n) {
      if (valid_text(s.substr(i, n))) {
        len = n;
        break;
      }
    }
    std::string_view ch = len ? s.substr(i, len) : std::string_view("?");
    if (out.size() + ch.size() > max_bytes) break;
    out += ch;
    i += len ? len : 1;
  }
  return out;
}

}  // namespace internal
}  // namespace chainbreak::store
