// What both ServiceStore implementations share: argument validation (done
// before anything is written), the microsecond clock, and text clean-up for
// values the store records as given (delivery errors). Internal to
// src/store; not part of the public interface.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "store/service_store.h"
#include "util/result.h"

// Column lists shared by the SQLite and PostgreSQL statements (the readers
// of both backends take the columns in this order).
#define TOKEN_COLS "id, name, roles, secret_hash, created_at, revoked"
#define AUDIT_COLS "seq, time_us, actor, action, target, detail_json, prev_hash, hash"
#define RULE_COLS                                                                                          \
  "id, name, bank, classification, max_distance, action, webhook_url, webhook_secret, enabled, priority, " \
  "created_at"

namespace chainbreak::store::internal {

// Longest accepted texts (bytes unless noted).
inline constexpr size_t kMaxActor = 128;
inline constexpr size_t kMaxAction = 128;
inline constexpr size_t kMaxTarget = 512;
inline constexpr size_t kMaxUrl = 2048;
inline constexpr size_t kMaxError = 1000;
inline constexpr int64_t kMaxDecisionPage = 1000;

// The backends (sqlite_service.cc, postgres_service.cc).
Result<std::unique_ptr<ServiceStore>> open_sqlite_service(const std::string& path);
Result<std::unique_ptr<ServiceStore>> open_postgres_service(const std::string& conninfo);

// Unix microseconds.
int64_t now_micros();

// Checks a token for create_token (name, roles non-zero and known, secret
// hash 64 hex) and returns its secret hash lowercased in *hash.
Status validate_token(const ApiToken& t, std::string* hash);
// Lowercases 64 hex characters into *out; false for anything else.
bool normalize_hash(std::string_view hex, std::string* out);

// Checks append_audit's arguments: actor and action non-empty, every text
// valid UTF-8 without NUL and within its limit, detail_json "" or {...}.
Status validate_audit(std::string_view actor, std::string_view action, std::string_view target,
                      std::string_view detail_json);

// Checks a rule for create_rule/update_rule; the message names the field.
Status validate_rule(const Rule& r);

// Checks a decision and its deliveries for insert_decision (outcome, JSON
// fields "" or [..]/{..}, text, each delivery's url, secret and body).
Status validate_decision(const Decision& d, std::span<const WebhookDelivery> deliveries);

// Valid UTF-8 without NUL, invalid bytes replaced by '?', cut to at most
// max_bytes on a character boundary.
std::string clean_text(std::string_view s, size_t max_bytes);

// "" or, after surrounding white space, open ... close.
bool json_shaped(std::string_view s, char open, char close);

}  // namespace chainbreak::store::internal
