// The PostgreSQL ServiceStore's class, shared by postgres_service.cc
// (connect, schema, tokens, audit log, rules) and postgres_outbox.cc
// (decisions and the webhook outbox). Internal to src/store.
#pragma once

#include <string>

#include "store/pg_db.h"
#include "store/postgres_store.h"  // str()
#include "store/service_internal.h"
#include "store/service_store.h"
#include "store/store_internal.h"

namespace chainbreak::store::internal {

#define PG_DECISION_COLS \
  "id, time_us, content_id, outcome, signals_json, matches_json, rules_json, automated, actor, detail_json"
#define PG_DELIVERY_COLS "id, decision_id, rule_id, url, secret, body, attempts, next_attempt_us, state, last_error"

// The statements of postgres_outbox.cc, prepared with the others at connect.
extern const PgStatement kOutboxStatements[];
extern const size_t kOutboxStatementCount;

class PostgresServiceStore final : public ServiceStore {
 public:
  Status init(const std::string& conninfo);

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
  // Readies the connection and runs a prepared statement outside any
  // explicit transaction.
  Result<PgResult> run1(const char* name, std::initializer_list<std::string> params, std::string_view op) {
    if (Status s = db_.ensure_ready(); !s.ok()) return s;
    return db_.run(name, params, op);
  }
  // kInvalidInput when the statement's result (RETURNING) has no row.
  static Status need_row(Result<PgResult> r, std::string_view op, std::string_view what, int64_t id);

  PgConn db_;
};

}  // namespace chainbreak::store::internal
