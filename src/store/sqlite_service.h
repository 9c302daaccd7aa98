// The SQLite ServiceStore's class, shared by sqlite_service.cc (open,
// schema, tokens, audit log, rules) and sqlite_outbox.cc (decisions and the
// webhook outbox). Internal to src/store.
#pragma once

#include <sqlite3.h>

#include "store/service_internal.h"
#include "store/service_store.h"
#include "store/sqlite_db.h"
#include "store/store_internal.h"

namespace chainbreak::store::internal {

#define SQLITE_DECISION_COLS \
  "id, time_us, content_id, outcome, signals_json, matches_json, rules_json, automated, actor, detail_json"
#define SQLITE_DELIVERY_COLS "id, decision_id, rule_id, url, secret, body, attempts, next_attempt_us, state, last_error"

class SqliteServiceStore final : public ServiceStore {
 public:
  explicit SqliteServiceStore(sqlite3* db) : db_(db) {}
  ~SqliteServiceStore() override { sqlite3_close_v2(db_); }

  Status init();

  Result<ApiToken> create_token(const ApiToken& token) override;
  Result<std::optional<ApiToken>> find_token_by_hash(std::string_view secret_hash) override;
  Result<std::vector<ApiToken>> list_tokens() override;
  Status revoke_token(std::string_view name) override;
  Result<AuditEntry> append_audit(std::string_view actor, std::string_view action, std::string_view target,
                                  std::string_view detail_json) override;
  Result<std::vector<AuditEntry>> audit_since(int64_t after, int64_t limit) override;
  Result<Rule> create_rule(const Rule& rule) override;
  Result<std::vector<Rule>> list_rules() override;
  Status update_rule(const Rule& rule) override;
  Status delete_rule(int64_t id) override;
  Result<Decision> insert_decision(const Decision& decision, std::span<const WebhookDelivery> deliveries) override;
  Result<std::optional<Decision>> get_decision(int64_t id) override;
  Result<std::vector<Decision>> list_decisions(int64_t before, int64_t limit, std::string_view content_id) override;
  Result<std::vector<WebhookDelivery>> claim_due_deliveries(int64_t now_us, int64_t lease_us, int64_t limit) override;
  Status mark_delivered(int64_t id, int attempts) override;
  Status mark_attempt_failed(int64_t id, int attempts, int64_t next_attempt_us, bool final,
                             std::string_view error) override;
  Result<std::vector<WebhookDelivery>> deliveries_for(int64_t decision_id) override;

 private:
  Status error(std::string_view op) const { return sqlite_error(db_, op); }
  SqliteTxn txn() { return SqliteTxn(db_, begin_, commit_, rollback_); }
  // Steps a statement without result rows: ok, or the error naming op.
  Status run(SqliteStmt& s, std::string_view op) { return step(s) == SQLITE_DONE ? Status::Ok() : error(op); }
  // Every row of a SELECT (already bound) through read, or the error.
  template <class T, class F>
  Result<std::vector<T>> rows(SqliteStmt& s, F read, std::string_view op) {
    std::vector<T> out;
    int rc;
    while ((rc = step(s)) == SQLITE_ROW) out.push_back(read(s));
    if (rc != SQLITE_DONE) return error(op);
    return out;
  }
  // kInvalidInput when a row of the same name and another id exists
  // (by_name selects id by name).
  Status check_free(SqliteStmt& by_name, const std::string& name, int64_t except_id, std::string_view what,
                    std::string_view op);

  sqlite3* db_;
  SqliteStmt begin_, commit_, rollback_;
  SqliteStmt token_insert_, token_by_name_, token_by_hash_, token_list_, token_revoke_;
  SqliteStmt audit_last_, audit_insert_, audit_since_;
  SqliteStmt rule_insert_, rule_by_name_, rule_by_id_, rule_list_, rule_update_, rule_delete_;
  SqliteStmt decision_insert_, decision_get_, decision_list_, decision_list_content_;
  SqliteStmt delivery_insert_, delivery_claim_, delivery_done_, delivery_failed_, delivery_for_;
};

}  // namespace chainbreak::store::internal
