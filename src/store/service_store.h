// Durable state of the matching service beyond banks (see store.h): API
// tokens, the hash-chained audit log, action rules, decision records and the
// webhook outbox. Same two implementations and conventions as store.h
// (SQLite in the data directory, PostgreSQL for replicas); open it on the
// same location as the Store.
//
// Thread-safety: one ServiceStore object per thread at a time; safe across
// processes and replicas (transactions; on PostgreSQL the audit append and
// the outbox claim are serialised/locked so several replicas can share it).
// Errors: Status/Result, kInvalidInput for bad arguments (message names the
// field), kIo for database failures; never an exception.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "util/result.h"

namespace chainbreak::store {

// Roles, as bits of ApiToken::roles. kAdmin implies every other role.
enum Role : uint32_t {
  kRoleHasher = 1u << 0,    // hash content
  kRoleMatcher = 1u << 1,   // look up signals, hash-and-match
  kRoleCurator = 1u << 2,   // write banks, entries, rules
  kRoleReviewer = 1u << 3,  // read decisions, review holds
  kRoleAdmin = 1u << 4,     // tokens, everything
  kRoleAuditor = 1u << 5,   // read the audit log and decisions
};
// "hasher", "matcher", ...; parse returns 0 for an unknown name.
const char* role_name(Role r);
uint32_t parse_role(std::string_view name);

struct ApiToken {
  int64_t id = 0;
  std::string name;         // [A-Za-z0-9_.@-]{1,64}, unique
  uint32_t roles = 0;       // Role bits, non-zero
  std::string secret_hash;  // lowercase hex SHA-256 of the secret (never the secret)
  int64_t created_at = 0;   // unix seconds
  bool revoked = false;
};

// One audit entry. hash = SHA-256 (hex) over prev_hash and the canonical
// encoding of (seq, time_us, actor, action, target, detail_json) -- see
// audit_entry_hash(); the first entry's prev_hash is 64 '0's.
struct AuditEntry {
  int64_t seq = 0;          // 1, 2, 3 ... without gaps
  int64_t time_us = 0;      // unix microseconds, set by the store
  std::string actor;        // token name, "system", or "anonymous"
  std::string action;       // e.g. "bank.create", "decision.read"
  std::string target;       // e.g. "bank:csam-industry", "decision:42"
  std::string detail_json;  // "" or a JSON object
  std::string prev_hash;
  std::string hash;
};
// The chain hash of e (uses every field but e.hash). Pure; used by the store
// on append and by verifiers. Lowercase hex of
//   SHA-256( F("chainbreak-audit-v1") F(prev_hash) F(seq) F(time_us)
//            F(actor) F(action) F(target) F(detail_json) )
// where F(x) is the byte length of x as 8 bytes big-endian followed by the
// bytes of x, and seq and time_us are written in decimal ASCII ("-" for a
// negative number, no leading zeros). The length prefixes make the encoding
// unambiguous: no two different entries encode alike. (Empty only if
// OpenSSL fails to allocate.)
std::string audit_entry_hash(const AuditEntry& e);

enum class ActionKind : uint8_t { kBlock = 1, kHold = 2, kReview = 3, kCase = 4, kWebhook = 5, kRecord = 6 };
// "block", "hold", "review", "case", "webhook", "record"; parse -> nullopt when unknown.
const char* action_name(ActionKind a);
std::optional<ActionKind> parse_action(std::string_view name);

// A match (bank, classification, distance) -> action rule.
struct Rule {
  int64_t id = 0;
  std::string name;            // unique, [A-Za-z0-9_.-]{1,64}
  std::string bank;            // bank name; "" = any bank
  std::string classification;  // "" = any
  int max_distance = 256;      // a match qualifies when distance <= this (0..256)
  ActionKind action = ActionKind::kRecord;
  std::string webhook_url;     // required (http:// or https://) for kWebhook, else ""
  std::string webhook_secret;  // HMAC key for kWebhook bodies ("" = unsigned)
  bool enabled = true;
  int priority = 0;  // higher first when several rules fire
  int64_t created_at = 0;
};

// One decision: what the service did about one piece of content (or one
// signal lookup) and why. Everything later reports need reads this record.
struct Decision {
  int64_t id = 0;
  int64_t time_us = 0;       // set by the store
  std::string content_id;    // caller's id for the content ("" when none)
  std::string outcome;       // "block", "hold", "review", "allow"
  std::string signals_json;  // JSON array [{"signal_type":"pdq","signal":"<hex>"}...]
  std::string matches_json;  // JSON array of matches (bank, entry id, distance, classification, suppressed)
  std::string rules_json;    // JSON array of the rules that fired [{"id","name","action"}]
  bool automated = true;
  std::string actor;        // token name that made the request
  std::string detail_json;  // "" or JSON object (e.g. quarantined banks)
};

struct WebhookDelivery {
  int64_t id = 0;
  int64_t decision_id = 0;
  int64_t rule_id = 0;
  std::string url;
  std::string secret;
  std::string body;  // JSON sent as is
  int attempts = 0;
  int64_t next_attempt_us = 0;
  std::string state;  // "pending", "delivered", "failed"
  std::string last_error;
};

class ServiceStore {
 public:
  virtual ~ServiceStore() = default;

  // Tokens. create_token: kInvalidInput for a bad or duplicate name, roles 0,
  // secret_hash not 64 hex, or a secret_hash another token has. The store
  // sets id, created_at (now), revoked (false) and lowercases secret_hash.
  // find_token_by_hash returns revoked tokens too (caller checks), nullopt
  // for anything that is not 64 hex (either case).
  virtual Result<ApiToken> create_token(const ApiToken& token) = 0;
  virtual Result<std::optional<ApiToken>> find_token_by_hash(std::string_view secret_hash) = 0;
  virtual Result<std::vector<ApiToken>> list_tokens() = 0;  // by id
  virtual Status revoke_token(std::string_view name) = 0;   // kInvalidInput when unknown

  // Audit: appends atomically (seq = last + 1, prev_hash = last hash), even
  // with several writers/replicas. Returns the stored entry. time_us is now,
  // but never below the previous entry's. kInvalidInput for an empty actor
  // or action, text that is not UTF-8 or holds NUL, actor/action over 128
  // bytes, target over 512, detail_json neither "" nor {...}.
  virtual Result<AuditEntry> append_audit(std::string_view actor, std::string_view action, std::string_view target,
                                          std::string_view detail_json) = 0;
  // Entries with seq > after, in order, at most limit (>= 1).
  virtual Result<std::vector<AuditEntry>> audit_since(int64_t after, int64_t limit) = 0;

  // Rules. create: kInvalidInput names the bad field (name, max_distance,
  // webhook_url, ...), or a duplicate name. list ordered by priority desc,
  // then id. created_at is set by create and kept by update; bank is "" or
  // a bank name (its existence is not checked).
  virtual Result<Rule> create_rule(const Rule& rule) = 0;
  virtual Result<std::vector<Rule>> list_rules() = 0;
  virtual Status update_rule(const Rule& rule) = 0;  // by id; same validation
  virtual Status delete_rule(int64_t id) = 0;        // kInvalidInput when unknown

  // Decisions, with their webhook deliveries enqueued in the same
  // transaction (all or nothing). Returns the decision with id and time_us.
  // deliveries: decision_id, id, attempts, state are set by the store
  // (pending, due at once: next_attempt_us = the decision's time_us).
  // kInvalidInput (nothing stored) for a bad outcome, a JSON field that is
  // neither "" nor shaped as documented ([...] or {...}; not parsed), text
  // that is not UTF-8 or holds NUL, or a bad delivery ("delivery 2: url
  // ..."; url http(s)://, body a JSON object or array, rule_id >= 0).
  virtual Result<Decision> insert_decision(const Decision& decision, std::span<const WebhookDelivery> deliveries) = 0;
  virtual Result<std::optional<Decision>> get_decision(int64_t id) = 0;
  // Newest first: decisions with id < before (0 = from the newest), at most
  // limit (1..1000), only those of content_id when it is not empty.
  // kInvalidInput for a limit outside 1..1000 or a negative before.
  virtual Result<std::vector<Decision>> list_decisions(int64_t before, int64_t limit, std::string_view content_id) = 0;

  // Webhook outbox. claim_due: pending deliveries with next_attempt_us <=
  // now_us, at most limit, each pushed to now_us + lease_us so another
  // replica does not take it meanwhile (PostgreSQL: FOR UPDATE SKIP LOCKED).
  // Returned in id order with next_attempt_us = now_us + lease_us.
  // kInvalidInput for limit < 1 or lease_us < 0. The mark calls return
  // kInvalidInput for an unknown id or attempts < 0; error is stored cleaned
  // (invalid UTF-8 and NUL bytes as '?', cut to 1000 bytes).
  virtual Result<std::vector<WebhookDelivery>> claim_due_deliveries(int64_t now_us, int64_t lease_us,
                                                                    int64_t limit) = 0;
  virtual Status mark_delivered(int64_t id, int attempts) = 0;
  // Retry at next_attempt_us, or give up (state "failed") when final.
  virtual Status mark_attempt_failed(int64_t id, int attempts, int64_t next_attempt_us, bool final,
                                     std::string_view error) = 0;
  virtual Result<std::vector<WebhookDelivery>> deliveries_for(int64_t decision_id) = 0;
};

// Same location rules as open_store (store.h).
Result<std::unique_ptr<ServiceStore>> open_service_store(const std::string& location);

}  // namespace chainbreak::store
