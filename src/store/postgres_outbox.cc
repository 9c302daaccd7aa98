// The PostgreSQL ServiceStore's decisions and webhook outbox (see
// postgres_service.h). A decision and its deliveries go in one
// transaction. A claim is one UPDATE whose subquery locks the due rows with
// FOR UPDATE SKIP LOCKED: concurrent claimers (replicas) skip each other's
// rows instead of waiting, and once a claim commits the pushed
// next_attempt_us keeps the rows out of every other claim until the lease
// ends.
#include <algorithm>
#include <iterator>
#include <limits>

#include "store/postgres_service.h"

namespace chainbreak::store::internal {

const PgStatement kOutboxStatements[] = {
    {"decision_insert",
     "INSERT INTO decisions (time_us, content_id, outcome, signals_json, matches_json, rules_json, automated, "
     "actor, detail_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"},
    {"decision_get", "SELECT " PG_DECISION_COLS " FROM decisions WHERE id = $1"},
    {"decision_list", "SELECT " PG_DECISION_COLS " FROM decisions WHERE id < $1 ORDER BY id DESC LIMIT $2"},
    {"decision_list_content",
     "SELECT " PG_DECISION_COLS " FROM decisions WHERE content_id = $3 AND id < $1 ORDER BY id DESC LIMIT $2"},
    {"delivery_insert",
     "INSERT INTO webhook_deliveries (decision_id, rule_id, url, secret, body, attempts, next_attempt_us, state, "
     "last_error) VALUES ($1, $2, $3, $4, $5, 0, $6, 'pending', '')"},
    {"delivery_claim",
     "UPDATE webhook_deliveries SET next_attempt_us = $2 WHERE id IN (SELECT id FROM webhook_deliveries "
     "WHERE state = 'pending' AND next_attempt_us <= $1 ORDER BY next_attempt_us, id LIMIT $3 "
     "FOR UPDATE SKIP LOCKED) RETURNING " PG_DELIVERY_COLS},
    {"delivery_done",
     "UPDATE webhook_deliveries SET state = 'delivered', attempts = $2, last_error = '' WHERE id = $1 RETURNING id"},
    {"delivery_failed",
     "UPDATE webhook_deliveries SET state = $2, attempts = $3, next_attempt_us = $4, last_error = $5 "
     "WHERE id = $1 RETURNING id"},
    {"delivery_for", "SELECT " PG_DELIVERY_COLS " FROM webhook_deliveries WHERE decision_id = $1 ORDER BY id"},
};
const size_t kOutboxStatementCount = std::size(kOutboxStatements);

namespace {

Decision read_decision(const PGresult* r, int i) {
  Decision d;
  d.id = pg_i64(r, i, 0);
  d.time_us = pg_i64(r, i, 1);
  d.content_id = pg_text(r, i, 2);
  d.outcome = pg_text(r, i, 3);
  d.signals_json = pg_text(r, i, 4);
  d.matches_json = pg_text(r, i, 5);
  d.rules_json = pg_text(r, i, 6);
  d.automated = pg_bool(r, i, 7);
  d.actor = pg_text(r, i, 8);
  d.detail_json = pg_text(r, i, 9);
  return d;
}

std::vector<WebhookDelivery> read_deliveries(const PGresult* r) {
  std::vector<WebhookDelivery> out;
  for (int i = 0; i < PQntuples(r); ++i) {
    WebhookDelivery w;
    w.id = pg_i64(r, i, 0);
    w.decision_id = pg_i64(r, i, 1);
    w.rule_id = pg_i64(r, i, 2);
    w.url = pg_text(r, i, 3);
    w.secret = pg_text(r, i, 4);
    w.body = pg_text(r, i, 5);
    w.attempts = static_cast<int>(pg_i64(r, i, 6));
    w.next_attempt_us = pg_i64(r, i, 7);
    w.state = pg_text(r, i, 8);
    w.last_error = pg_text(r, i, 9);
    out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(), [](const WebhookDelivery& a, const WebhookDelivery& b) { return a.id < b.id; });
  return out;
}

}  // namespace

Result<Decision> PostgresServiceStore::insert_decision(const Decision& decision,
                                                       std::span<const WebhookDelivery> deliveries) {
  constexpr std::string_view op = "insert_decision";
  if (Status s = validate_decision(decision, deliveries); !s.ok()) return with_context(s, op);
  Decision d = decision;
  d.time_us = now_micros();
  PgTxn txn(db_);
  if (Status s = txn.begin("BEGIN", op); !s.ok()) return s;
  auto r = db_.run("decision_insert",
                   {str(d.time_us), d.content_id, d.outcome, d.signals_json, d.matches_json, d.rules_json,
                    str(d.automated), d.actor, d.detail_json},
                   op);
  if (!r.ok()) return r.status();
  d.id = pg_i64(r.value().get(), 0, 0);
  for (const WebhookDelivery& w : deliveries) {
    auto ins = db_.run("delivery_insert", {str(d.id), str(w.rule_id), w.url, w.secret, w.body, str(d.time_us)}, op);
    if (!ins.ok()) return ins.status();
  }
  if (Status s = txn.commit(op); !s.ok()) return s;
  return d;
}

Result<std::optional<Decision>> PostgresServiceStore::get_decision(int64_t id) {
  auto r = run1("decision_get", {str(id)}, "get_decision");
  if (!r.ok()) return r.status();
  if (PQntuples(r.value().get()) == 0) return std::optional<Decision>();
  return std::optional<Decision>(read_decision(r.value().get(), 0));
}

Result<std::vector<Decision>> PostgresServiceStore::list_decisions(int64_t before, int64_t limit,
                                                                   std::string_view content_id) {
  constexpr std::string_view op = "list_decisions";
  if (limit < 1 || limit > kMaxDecisionPage) return InvalidInput(std::string(op) + ": limit must be within 1..1000");
  if (before < 0) return InvalidInput(std::string(op) + ": before must be >= 0");
  if (before == 0) before = std::numeric_limits<int64_t>::max();
  // Text PostgreSQL would refuse cannot be any decision's content_id.
  if (!valid_text(content_id)) return std::vector<Decision>{};
  auto r = content_id.empty() ? run1("decision_list", {str(before), str(limit)}, op)
                              : run1("decision_list_content", {str(before), str(limit), std::string(content_id)}, op);
  if (!r.ok()) return r.status();
  std::vector<Decision> out;
  for (int i = 0; i < PQntuples(r.value().get()); ++i) out.push_back(read_decision(r.value().get(), i));
  return out;
}

Result<std::vector<WebhookDelivery>> PostgresServiceStore::claim_due_deliveries(int64_t now_us, int64_t lease_us,
                                                                                int64_t limit) {
  constexpr std::string_view op = "claim_due_deliveries";
  if (limit < 1) return InvalidInput(std::string(op) + ": limit must be >= 1");
  if (lease_us < 0) return InvalidInput(std::string(op) + ": lease_us must be >= 0");
  auto r = run1("delivery_claim", {str(now_us), str(now_us + lease_us), str(limit)}, op);
  if (!r.ok()) return r.status();
  return read_deliveries(r.value().get());
}

Status PostgresServiceStore::mark_delivered(int64_t id, int attempts) {
  constexpr std::string_view op = "mark_delivered";
  if (attempts < 0) return InvalidInput(std::string(op) + ": attempts must be >= 0");
  return need_row(run1("delivery_done", {str(id), str(int64_t{attempts})}, op), op, "delivery", id);
}

Status PostgresServiceStore::mark_attempt_failed(int64_t id, int attempts, int64_t next_attempt_us, bool final,
                                                 std::string_view error) {
  constexpr std::string_view op = "mark_attempt_failed";
  if (attempts < 0) return InvalidInput(std::string(op) + ": attempts must be >= 0");
  return need_row(run1("delivery_failed",
                       {str(id), final ? "failed" : "pending", str(int64_t{attempts}), str(next_attempt_us),
                        clean_text(error, kMaxError)},
                       op),
                  op, "delivery", id);
}

Result<std::vector<WebhookDelivery>> PostgresServiceStore::deliveries_for(int64_t decision_id) {
  auto r = run1("delivery_for", {str(decision_id)}, "deliveries_for");
  if (!r.ok()) return r.status();
  return read_deliveries(r.value().get());
}

}  // namespace chainbreak::store::internal
