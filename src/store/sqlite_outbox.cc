// The SQLite ServiceStore's decisions and webhook outbox (see
// sqlite_service.h). A decision and its deliveries go in one transaction;
// a claim reads and leases the due deliveries in one transaction, so two
// claimers (connections or processes) never get the same delivery while
// its lease runs.
#include <algorithm>
#include <limits>

#include "store/sqlite_service.h"

namespace chainbreak::store::internal {
namespace {

Decision read_decision(const SqliteStmt& s) {
  Decision d;
  d.id = s.i64(0);
  d.time_us = s.i64(1);
  d.content_id = s.text(2);
  d.outcome = s.text(3);
  d.signals_json = s.text(4);
  d.matches_json = s.text(5);
  d.rules_json = s.text(6);
  d.automated = s.i64(7) != 0;
  d.actor = s.text(8);
  d.detail_json = s.text(9);
  return d;
}

WebhookDelivery read_delivery(const SqliteStmt& s) {
  WebhookDelivery w;
  w.id = s.i64(0);
  w.decision_id = s.i64(1);
  w.rule_id = s.i64(2);
  w.url = s.text(3);
  w.secret = s.text(4);
  w.body = s.text(5);
  w.attempts = static_cast<int>(s.i64(6));
  w.next_attempt_us = s.i64(7);
  w.state = s.text(8);
  w.last_error = s.text(9);
  return w;
}

}  // namespace

Result<Decision> SqliteServiceStore::insert_decision(const Decision& decision,
                                                     std::span<const WebhookDelivery> deliveries) {
  constexpr std::string_view op = "insert_decision";
  if (Status s = validate_decision(decision, deliveries); !s.ok()) return with_context(s, op);
  Decision d = decision;
  d.time_us = now_micros();
  SqliteTxn tx = txn();
  if (Status s = tx.begin(op); !s.ok()) return s;
  {
    StmtUse use(decision_insert_);
    decision_insert_.bind(2, d.time_us);
    decision_insert_.bind_text(3, d.content_id);
    decision_insert_.bind_text(4, d.outcome);
    decision_insert_.bind_text(5, d.signals_json);
    decision_insert_.bind_text(6, d.matches_json);
    decision_insert_.bind_text(7, d.rules_json);
    decision_insert_.bind(8, int64_t{d.automated});
    decision_insert_.bind_text(9, d.actor);
    decision_insert_.bind_text(10, d.detail_json);
    if (Status s = run(decision_insert_, op); !s.ok()) return s;
  }
  d.id = sqlite3_last_insert_rowid(db_);
  for (const WebhookDelivery& w : deliveries) {
    StmtUse use(delivery_insert_);
    delivery_insert_.bind(2, d.id);
    delivery_insert_.bind(3, w.rule_id);
    delivery_insert_.bind_text(4, w.url);
    delivery_insert_.bind_text(5, w.secret);
    delivery_insert_.bind_text(6, w.body);
    delivery_insert_.bind(7, d.time_us);  // due at once
    if (Status s = run(delivery_insert_, op); !s.ok()) return s;
  }
  if (Status s = tx.commit(op); !s.ok()) return s;
  return d;
}

Result<std::optional<Decision>> SqliteServiceStore::get_decision(int64_t id) {
  StmtUse use(decision_get_);
  decision_get_.bind(1, id);
  int rc = step(decision_get_);
  if (rc == SQLITE_ROW) return std::optional<Decision>(read_decision(decision_get_));
  if (rc == SQLITE_DONE) return std::optional<Decision>();
  return error("get_decision");
}

Result<std::vector<Decision>> SqliteServiceStore::list_decisions(int64_t before, int64_t limit,
                                                                 std::string_view content_id) {
  constexpr std::string_view op = "list_decisions";
  if (limit < 1 || limit > kMaxDecisionPage) return InvalidInput(std::string(op) + ": limit must be within 1..1000");
  if (before < 0) return InvalidInput(std::string(op) + ": before must be >= 0");
  if (before == 0) before = std::numeric_limits<int64_t>::max();
  SqliteStmt& s = content_id.empty() ? decision_list_ : decision_list_content_;
  StmtUse use(s);
  s.bind(1, before);
  s.bind(2, limit);
  if (!content_id.empty()) s.bind_text(3, content_id);
  return rows<Decision>(s, read_decision, op);
}

Result<std::vector<WebhookDelivery>> SqliteServiceStore::claim_due_deliveries(int64_t now_us, int64_t lease_us,
                                                                              int64_t limit) {
  constexpr std::string_view op = "claim_due_deliveries";
  if (limit < 1) return InvalidInput(std::string(op) + ": limit must be >= 1");
  if (lease_us < 0) return InvalidInput(std::string(op) + ": lease_us must be >= 0");
  SqliteTxn tx = txn();
  if (Status s = tx.begin(op); !s.ok()) return s;
  Result<std::vector<WebhookDelivery>> out = std::vector<WebhookDelivery>{};
  {
    StmtUse use(delivery_claim_);
    delivery_claim_.bind(1, now_us);
    delivery_claim_.bind(2, now_us + lease_us);
    delivery_claim_.bind(3, limit);
    out = rows<WebhookDelivery>(delivery_claim_, read_delivery, op);
  }
  if (!out.ok()) return out;
  if (Status s = tx.commit(op); !s.ok()) return s;
  std::sort(out.value().begin(), out.value().end(),
            [](const WebhookDelivery& a, const WebhookDelivery& b) { return a.id < b.id; });
  return out;
}

Status SqliteServiceStore::mark_delivered(int64_t id, int attempts) {
  constexpr std::string_view op = "mark_delivered";
  if (attempts < 0) return InvalidInput(std::string(op) + ": attempts must be >= 0");
  StmtUse use(delivery_done_);
  delivery_done_.bind(1, id);
  delivery_done_.bind(2, int64_t{attempts});
  if (Status s = run(delivery_done_, op); !s.ok()) return s;
  if (sqlite3_changes(db_) == 0) return InvalidInput(std::string(op) + ": unknown delivery id " + std::to_string(id));
  return Status::Ok();
}

Status SqliteServiceStore::mark_attempt_failed(int64_t id, int attempts, int64_t next_attempt_us, bool final,
                                               std::string_view error_text) {
  constexpr std::string_view op = "mark_attempt_failed";
  if (attempts < 0) return InvalidInput(std::string(op) + ": attempts must be >= 0");
  const std::string err = clean_text(error_text, kMaxError);
  StmtUse use(delivery_failed_);
  delivery_failed_.bind(1, id);
  delivery_failed_.bind_text(2, final ? "failed" : "pending");
  delivery_failed_.bind(3, int64_t{attempts});
  delivery_failed_.bind(4, next_attempt_us);
  delivery_failed_.bind_text(5, err);
  if (Status s = run(delivery_failed_, op); !s.ok()) return s;
  if (sqlite3_changes(db_) == 0) return InvalidInput(std::string(op) + ": unknown delivery id " + std::to_string(id));
  return Status::Ok();
}

Result<std::vector<WebhookDelivery>> SqliteServiceStore::deliveries_for(int64_t decision_id) {
  StmtUse use(delivery_for_);
  delivery_for_.bind(1, decision_id);
  return rows<WebhookDelivery>(delivery_for_, read_delivery, "deliveries_for");
}

}  // namespace chainbreak::store::internal
