// CaseStore on SQLite (WAL, synchronous=FULL): the tables sit in the
// service database file, beside the audit log.
#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <map>

#include "store/case_internal.h"
#include "store/service_internal.h"
#include "store/sqlite_db.h"
#include "store/store_internal.h"

namespace chainbreak::store::internal {
namespace {

constexpr const char* kCaseSchema = R"sql(
CREATE TABLE IF NOT EXISTS cases (
  id INTEGER PRIMARY KEY, created_us INTEGER NOT NULL, updated_us INTEGER NOT NULL,
  state TEXT NOT NULL, assessment TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,
  category TEXT NOT NULL, country TEXT NOT NULL DEFAULT '', url_key TEXT NOT NULL DEFAULT '',
  live_harm INTEGER NOT NULL DEFAULT 0, severity INTEGER NOT NULL DEFAULT 0,
  report_count INTEGER NOT NULL DEFAULT 0, partner_id INTEGER NOT NULL DEFAULT 0,
  decision_id INTEGER NOT NULL DEFAULT 0, notice_deadline_us INTEGER NOT NULL DEFAULT 0,
  assessed_us INTEGER NOT NULL DEFAULT 0, referred_us INTEGER NOT NULL DEFAULT 0,
  notice_us INTEGER NOT NULL DEFAULT 0, removed_us INTEGER NOT NULL DEFAULT 0, closed_us INTEGER NOT NULL DEFAULT 0,
  cybertip_report TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS cases_open_url ON cases (url_key) WHERE state <> 'closed' AND url_key <> '';
CREATE INDEX IF NOT EXISTS cases_by_state ON cases (state);
CREATE TABLE IF NOT EXISTS case_reports (
  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id), created_us INTEGER NOT NULL,
  receipt_hash TEXT NOT NULL UNIQUE, category TEXT NOT NULL, country TEXT NOT NULL, url TEXT NOT NULL,
  description TEXT NOT NULL, language TEXT NOT NULL, contact TEXT NOT NULL, live_harm INTEGER NOT NULL,
  contact_withdrawn INTEGER NOT NULL DEFAULT 0, file_md5 TEXT NOT NULL, file_sha256 TEXT NOT NULL,
  file_pdq TEXT NOT NULL, media_type TEXT NOT NULL, evidence_id INTEGER NOT NULL DEFAULT 0,
  redacted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS case_reports_case ON case_reports (case_id);
CREATE INDEX IF NOT EXISTS case_reports_md5 ON case_reports (file_md5) WHERE file_md5 <> '';
CREATE INDEX IF NOT EXISTS case_reports_sha256 ON case_reports (file_sha256) WHERE file_sha256 <> '';
CREATE INDEX IF NOT EXISTS case_reports_pdq ON case_reports (case_id) WHERE file_pdq <> '';
CREATE TABLE IF NOT EXISTS case_transitions (
  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id), time_us INTEGER NOT NULL,
  actor TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, assessment TEXT NOT NULL,
  note TEXT NOT NULL, partner_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS case_transitions_case ON case_transitions (case_id);
CREATE TABLE IF NOT EXISTS partners (
  id INTEGER PRIMARY KEY, country TEXT NOT NULL, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  contact TEXT NOT NULL, deadline_hours INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reveals (
  id INTEGER PRIMARY KEY, reviewer TEXT NOT NULL, case_id INTEGER NOT NULL, evidence_id INTEGER NOT NULL,
  time_us INTEGER NOT NULL, duration_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS reveals_by_reviewer ON reveals (reviewer, time_us);
)sql";
// The schema's history (schema_steps.h): add steps, never edit one.
constexpr SchemaStep kCaseSteps[] = {{1, kCaseSchema}};

Case read_case(const SqliteStmt& s) {
  Case c;
  c.id = s.i64(0);
  c.created_us = s.i64(1);
  c.updated_us = s.i64(2);
  c.state = parse_case_state(s.text(3)).value_or(CaseState::kNew);
  c.assessment = s.text(4);
  c.source = s.text(5);
  c.category = s.text(6);
  c.country = s.text(7);
  c.url_key = s.text(8);
  c.live_harm = s.i64(9) != 0;
  c.severity = static_cast<int>(s.i64(10));
  c.report_count = s.i64(11);
  c.partner_id = s.i64(12);
  c.decision_id = s.i64(13);
  c.notice_deadline_us = s.i64(14);
  c.assessed_us = s.i64(15);
  c.referred_us = s.i64(16);
  c.notice_us = s.i64(17);
  c.removed_us = s.i64(18);
  c.closed_us = s.i64(19);
  c.cybertip_report = s.text(20);
  return c;
}

CaseReport read_report(const SqliteStmt& s) {
  CaseReport r;
  r.id = s.i64(0);
  r.case_id = s.i64(1);
  r.created_us = s.i64(2);
  r.category = s.text(3);
  r.country = s.text(4);
  r.url = s.text(5);
  r.description = s.text(6);
  r.language = s.text(7);
  r.contact = s.text(8);
  r.live_harm = s.i64(9) != 0;
  r.contact_withdrawn = s.i64(10) != 0;
  r.file_md5 = s.text(11);
  r.file_sha256 = s.text(12);
  r.file_pdq = s.text(13);
  r.media_type = s.text(14);
  r.evidence_id = s.i64(15);
  r.redacted = static_cast<uint32_t>(s.i64(16));
  return r;
}

class SqliteCaseStore final : public CaseStore {
 public:
  explicit SqliteCaseStore(sqlite3* db) : db_(db) {}
  ~SqliteCaseStore() override {
    stmts_.clear();
    sqlite3_close_v2(db_);
  }
  Status init();

  Result<std::vector<IntakeResult>> intake(std::span<const NewReport> reports) override;
  Status set_report_evidence(int64_t report_id, int64_t evidence_id) override;
  Result<std::optional<ReportStatus>> report_status(std::string_view receipt_hash) override;
  Result<bool> withdraw_contact(std::string_view receipt_hash) override;
  Status redact_report(int64_t case_id, int64_t report_id, uint32_t mask) override;
  Result<std::vector<Case>> queue(std::optional<CaseState> state, int64_t limit) override;
  Result<std::optional<Case>> get_case(int64_t id) override;
  Result<std::vector<CaseReport>> reports_of(int64_t case_id) override;
  Result<std::vector<CaseTransition>> transitions_of(int64_t case_id) override;
  Result<Case> transition(int64_t case_id, const TransitionRequest& req, std::string_view actor) override;
  Result<Partner> create_partner(const Partner& p) override;
  Result<std::vector<Partner>> list_partners() override;
  Status add_reveal(std::string_view reviewer, int64_t case_id, int64_t evidence_id, int64_t duration_ms) override;
  Result<Exposure> exposure(std::string_view reviewer, int64_t from_us, int64_t to_us) override;
  Result<std::vector<std::pair<int64_t, std::string>>> open_case_pdqs(int64_t limit) override;
  Result<std::vector<int64_t>> revealed_evidence(int64_t case_id) override;
  Result<bool> claim_cybertip(int64_t case_id, bool retake_pending) override;
  Status finish_cybertip(int64_t case_id, std::string_view report_id) override;

 private:
  // The statement for sql, prepared on first use and kept.
  Result<SqliteStmt*> stmt(const char* sql);
  Result<std::optional<Case>> case_by_id(int64_t id);
  Status run(const char* sql, const std::function<void(SqliteStmt&)>& bind, std::string_view op);

  sqlite3* db_;
  std::map<const char*, std::unique_ptr<SqliteStmt>> stmts_;
};

Status SqliteCaseStore::init() { return sqlite_migrate(db_, "cases", kCaseSteps, "apply case schema"); }

Result<SqliteStmt*> SqliteCaseStore::stmt(const char* sql) {
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) return it->second.get();
  auto s = std::make_unique<SqliteStmt>();
  if (Status st = s->prepare(db_, sql); !st.ok()) return st;
  return stmts_.emplace(sql, std::move(s)).first->second.get();
}

Status SqliteCaseStore::run(const char* sql, const std::function<void(SqliteStmt&)>& bind, std::string_view op) {
  auto s = stmt(sql);
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  bind(*s.value());
  if (step_failed(step(*s.value()))) return sqlite_error(db_, op);
  return Status::Ok();
}

// Runs body inside BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
template <class F>
auto in_txn(sqlite3* db, std::string_view op, F&& body) -> decltype(body()) {
  if (Status s = sqlite_exec(db, "BEGIN IMMEDIATE", op); !s.ok()) return s;
  auto r = body();
  if (!r.ok()) {
    sqlite_exec(db, "ROLLBACK", op);
    return r;
  }
  if (Status s = sqlite_exec(db, "COMMIT", op); !s.ok()) {
    sqlite_exec(db, "ROLLBACK", op);
    return s;
  }
  return r;
}

}  // namespace

Result<std::vector<IntakeResult>> SqliteCaseStore::intake(std::span<const NewReport> reports) {
  for (size_t i = 0; i < reports.size(); ++i) {
    if (Status s = check_report(reports[i], i); !s.ok()) return s;
  }
  return in_txn(db_, "intake", [&]() -> Result<std::vector<IntakeResult>> {
    const int64_t now = now_micros();  // after the write lock: never before a committed batch
    std::vector<IntakeResult> out;
    out.reserve(reports.size());
    for (size_t i = 0; i < reports.size(); ++i) {
      const NewReport& r = reports[i];
      const std::string key = normalise_url(r.url);
      const std::string country = upper2(r.country);
      int64_t case_id = 0;
      // The open case to join: the one join_case names, else by URL key,
      // file SHA-256, file MD5 (the lowest id of each).
      const std::pair<const char*, std::string> lookups[] = {
          {"SELECT id FROM cases WHERE id = CAST(?1 AS INTEGER) AND state <> 'closed'",
           r.join_case > 0 ? std::to_string(r.join_case) : std::string()},
          {"SELECT id FROM cases WHERE url_key = ?1 AND url_key <> '' AND state <> 'closed' ORDER BY id LIMIT 1", key},
          {"SELECT c.id FROM case_reports r JOIN cases c ON c.id = r.case_id "
           "WHERE r.file_sha256 = ?1 AND r.file_sha256 <> '' AND c.state <> 'closed' ORDER BY c.id LIMIT 1",
           r.file_sha256},
          {"SELECT c.id FROM case_reports r JOIN cases c ON c.id = r.case_id "
           "WHERE r.file_md5 = ?1 AND r.file_md5 <> '' AND c.state <> 'closed' ORDER BY c.id LIMIT 1",
           r.file_md5}};
      for (const auto& [sql, value] : lookups) {
        if (case_id != 0 || value.empty()) continue;
        auto s = stmt(sql);
        if (!s.ok()) return s.status();
        StmtUse use(*s.value());
        s.value()->bind_text(1, value);
        const int rc = step(*s.value());
        if (step_failed(rc)) return sqlite_error(db_, "intake: find case");
        if (rc == SQLITE_ROW) case_id = s.value()->i64(0);
      }
      IntakeResult res;
      if (case_id == 0) {
        auto s = stmt(
            "INSERT INTO cases (created_us, updated_us, state, source, category, country, url_key, "
            "live_harm, report_count, decision_id) VALUES (?1, ?1, 'new', CASE WHEN ?6 > 0 THEN 'pipeline' "
            "ELSE 'report' END, ?2, ?3, ?4, ?5, 0, ?6)");
        if (!s.ok()) return s.status();
        StmtUse use(*s.value());
        s.value()->bind(1, now);
        s.value()->bind_text(2, r.category);
        s.value()->bind_text(3, country);
        s.value()->bind_text(4, key);
        s.value()->bind(5, int64_t{r.live_harm});
        s.value()->bind(6, r.decision_id);
        if (step_failed(step(*s.value()))) return sqlite_error(db_, "intake: new case");
        case_id = sqlite3_last_insert_rowid(db_);
        res.new_case = true;
      }
      Status st = run(
          "UPDATE cases SET report_count = report_count + 1, updated_us = ?2, live_harm = MAX(live_harm, ?3), "
          "country = CASE WHEN country = '' THEN ?4 ELSE country END, severity = MAX(severity, ?5) WHERE id = ?1",
          [&](SqliteStmt& s) {
            s.bind(1, case_id);
            s.bind(2, now);
            s.bind(3, int64_t{r.live_harm});
            s.bind_text(4, country);  // a named string: SQLite keeps the pointer until the step
            s.bind(5, int64_t{r.severity});
          },
          "intake: count report");
      if (!st.ok()) return st;
      if (sqlite3_changes(db_) != 1) return IoError("intake: case " + std::to_string(case_id) + " vanished");
      st = run(
          "INSERT INTO case_reports (case_id, created_us, receipt_hash, category, country, url, description, "
          "language, contact, live_harm, file_md5, file_sha256, file_pdq, media_type, evidence_id) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
          [&](SqliteStmt& s) {
            s.bind(1, case_id);
            s.bind(2, now);
            s.bind_text(3, r.receipt_hash);
            s.bind_text(4, r.category);
            s.bind_text(5, country);
            s.bind_text(6, r.url);
            s.bind_text(7, r.description);
            s.bind_text(8, r.language);
            s.bind_text(9, r.contact);
            s.bind(10, int64_t{r.live_harm});
            s.bind_text(11, r.file_md5);
            s.bind_text(12, r.file_sha256);
            s.bind_text(13, r.file_pdq);
            s.bind_text(14, r.media_type);
            s.bind(15, r.evidence_id);
          },
          "intake: report");
      if (!st.ok()) {
        if (st.code() == ErrorCode::kInvalidInput) {
          return InvalidInput("reports[" + std::to_string(i) + "].receipt_hash: already used");
        }
        return st;
      }
      res.report_id = sqlite3_last_insert_rowid(db_);
      res.case_id = case_id;
      out.push_back(res);
    }
    return out;
  });
}

Status SqliteCaseStore::set_report_evidence(int64_t report_id, int64_t evidence_id) {
  Status st = run(
      "UPDATE case_reports SET evidence_id = ?2 WHERE id = ?1",
      [&](SqliteStmt& s) {
        s.bind(1, report_id);
        s.bind(2, evidence_id);
      },
      "set report evidence");
  if (!st.ok()) return st;
  if (sqlite3_changes(db_) != 1) return InvalidInput("report: unknown report " + std::to_string(report_id));
  return Status::Ok();
}

Result<std::optional<ReportStatus>> SqliteCaseStore::report_status(std::string_view receipt_hash) {
  auto s = stmt(
      "SELECT c.state, r.created_us, c.updated_us FROM case_reports r JOIN cases c ON c.id = r.case_id "
      "WHERE r.receipt_hash = ?1");
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  s.value()->bind_text(1, receipt_hash);
  int rc = step(*s.value());
  if (step_failed(rc)) return sqlite_error(db_, "report status");
  if (rc != SQLITE_ROW) return std::optional<ReportStatus>();
  ReportStatus st;
  st.status = reporter_status(parse_case_state(s.value()->text(0)).value_or(CaseState::kNew));
  st.received_us = s.value()->i64(1);
  st.updated_us = s.value()->i64(2);
  return std::optional<ReportStatus>(st);
}

Result<bool> SqliteCaseStore::withdraw_contact(std::string_view receipt_hash) {
  Status st = run(
      "UPDATE case_reports SET contact = '', contact_withdrawn = 1 WHERE receipt_hash = ?1",
      [&](SqliteStmt& s) { s.bind_text(1, receipt_hash); }, "withdraw contact");
  if (!st.ok()) return st;
  return sqlite3_changes(db_) == 1;
}

Status SqliteCaseStore::redact_report(int64_t case_id, int64_t report_id, uint32_t mask) {
  if (Status s = check_redaction(mask); !s.ok()) return s;
  Status st = run(
      "UPDATE case_reports SET description = CASE WHEN ?3 & 1 THEN '' ELSE description END, "
      "contact = CASE WHEN ?3 & 2 THEN '' ELSE contact END, redacted = redacted | ?3 WHERE id = ?2 AND case_id = ?1",
      [&](SqliteStmt& s) {
        s.bind(1, case_id);
        s.bind(2, report_id);
        s.bind(3, int64_t{mask});
      },
      "redact report");
  if (!st.ok()) return st;
  if (sqlite3_changes(db_) != 1) {
    return InvalidInput("report: case " + std::to_string(case_id) + " has no report " + std::to_string(report_id));
  }
  return Status::Ok();
}

Result<std::vector<std::pair<int64_t, std::string>>> SqliteCaseStore::open_case_pdqs(int64_t limit) {
  auto s = stmt(
      "SELECT r.case_id, r.file_pdq FROM case_reports r JOIN cases c ON c.id = r.case_id "
      "WHERE r.file_pdq <> '' AND c.state <> 'closed' ORDER BY r.id DESC LIMIT ?1");
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  s.value()->bind(1, std::max<int64_t>(limit, 0));
  std::vector<std::pair<int64_t, std::string>> out;
  int rc;
  while ((rc = step(*s.value())) == SQLITE_ROW) out.emplace_back(s.value()->i64(0), s.value()->text(1));
  if (step_failed(rc)) return sqlite_error(db_, "open case pdqs");
  return out;
}

Result<std::optional<Case>> SqliteCaseStore::case_by_id(int64_t id) {
  auto s = stmt("SELECT " CASE_COLS " FROM cases WHERE id = ?1");
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  s.value()->bind(1, id);
  int rc = step(*s.value());
  if (step_failed(rc)) return sqlite_error(db_, "get case");
  if (rc != SQLITE_ROW) return std::optional<Case>();
  return std::optional<Case>(read_case(*s.value()));
}

Result<std::optional<Case>> SqliteCaseStore::get_case(int64_t id) { return case_by_id(id); }

Result<std::vector<Case>> SqliteCaseStore::queue(std::optional<CaseState> state, int64_t limit) {
  if (limit < 1 || limit > 1000) return InvalidInput("limit: must be 1 to 1000");
  auto s = state
               ? stmt("SELECT " CASE_COLS " FROM cases WHERE state = ?1 ORDER BY " CASE_QUEUE_ORDER " LIMIT ?2")
               : stmt("SELECT " CASE_COLS " FROM cases WHERE state <> 'closed' ORDER BY " CASE_QUEUE_ORDER " LIMIT ?2");
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  if (state) s.value()->bind_text(1, case_state_name(*state));
  s.value()->bind(2, limit);
  std::vector<Case> out;
  int rc;
  while ((rc = step(*s.value())) == SQLITE_ROW) out.push_back(read_case(*s.value()));
  if (step_failed(rc)) return sqlite_error(db_, "case queue");
  return out;
}

Result<std::vector<CaseReport>> SqliteCaseStore::reports_of(int64_t case_id) {
  auto s = stmt("SELECT " CASE_REPORT_COLS " FROM case_reports WHERE case_id = ?1 ORDER BY id");
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  s.value()->bind(1, case_id);
  std::vector<CaseReport> out;
  int rc;
  while ((rc = step(*s.value())) == SQLITE_ROW) out.push_back(read_report(*s.value()));
  if (step_failed(rc)) return sqlite_error(db_, "case reports");
  return out;
}

Result<std::vector<CaseTransition>> SqliteCaseStore::transitions_of(int64_t case_id) {
  auto s = stmt("SELECT " CASE_TRANSITION_COLS " FROM case_transitions WHERE case_id = ?1 ORDER BY id");
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  s.value()->bind(1, case_id);
  std::vector<CaseTransition> out;
  int rc;
  while ((rc = step(*s.value())) == SQLITE_ROW) {
    const SqliteStmt& q = *s.value();
    CaseTransition t;
    t.id = q.i64(0);
    t.case_id = q.i64(1);
    t.time_us = q.i64(2);
    t.actor = q.text(3);
    t.from = parse_case_state(q.text(4)).value_or(CaseState::kNew);
    t.to = parse_case_state(q.text(5)).value_or(CaseState::kNew);
    t.assessment = q.text(6);
    t.note = q.text(7);
    t.partner_id = q.i64(8);
    out.push_back(std::move(t));
  }
  if (step_failed(rc)) return sqlite_error(db_, "case transitions");
  return out;
}

Result<Case> SqliteCaseStore::transition(int64_t case_id, const TransitionRequest& req, std::string_view actor) {
  return in_txn(db_, "transition", [&]() -> Result<Case> {
    auto got = case_by_id(case_id);
    if (!got.ok()) return got.status();
    if (!got.value()) return InvalidInput("case: unknown case " + std::to_string(case_id));
    Case c = *got.value();
    if (Status s = check_transition(c, req, actor); !s.ok()) return s;
    const int64_t now = std::max(now_micros(), c.updated_us);
    int64_t deadline = c.notice_deadline_us;
    if (req.to == CaseState::kReferred) {
      auto p = stmt("SELECT deadline_hours FROM partners WHERE id = ?1");
      if (!p.ok()) return p.status();
      StmtUse use(*p.value());
      p.value()->bind(1, req.partner_id);
      int rc = step(*p.value());
      if (step_failed(rc)) return sqlite_error(db_, "transition: partner");
      if (rc != SQLITE_ROW) return InvalidInput("partner: unknown partner " + std::to_string(req.partner_id));
      deadline = now + p.value()->i64(0) * 3'600'000'000;
    }
    Status st = run(
        "UPDATE cases SET state = ?2, updated_us = ?3, "
        "assessment = CASE WHEN ?4 <> '' THEN ?4 ELSE assessment END, "
        "partner_id = CASE WHEN ?5 > 0 THEN ?5 ELSE partner_id END, notice_deadline_us = ?6, "
        "assessed_us = CASE WHEN ?2 = 'assessed' THEN ?3 ELSE assessed_us END, "
        "referred_us = CASE WHEN ?2 = 'referred' THEN ?3 ELSE referred_us END, "
        "notice_us = CASE WHEN ?2 = 'notice_sent' THEN ?3 ELSE notice_us END, "
        "removed_us = CASE WHEN ?2 = 'removed' THEN ?3 ELSE removed_us END, "
        "closed_us = CASE WHEN ?2 = 'closed' THEN ?3 ELSE closed_us END WHERE id = ?1",
        [&](SqliteStmt& s) {
          s.bind(1, case_id);
          s.bind_text(2, case_state_name(req.to));
          s.bind(3, now);
          s.bind_text(4, req.assessment);
          s.bind(5, req.to == CaseState::kReferred ? req.partner_id : int64_t{0});
          s.bind(6, deadline);
        },
        "transition");
    if (!st.ok()) return st;
    st = run(
        "INSERT INTO case_transitions (case_id, time_us, actor, from_state, to_state, assessment, note, partner_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        [&](SqliteStmt& s) {
          s.bind(1, case_id);
          s.bind(2, now);
          s.bind_text(3, actor);
          s.bind_text(4, case_state_name(c.state));
          s.bind_text(5, case_state_name(req.to));
          s.bind_text(6, req.assessment);
          s.bind_text(7, req.note);
          s.bind(8, req.to == CaseState::kReferred ? req.partner_id : int64_t{0});
        },
        "transition: record");
    if (!st.ok()) return st;
    auto after = case_by_id(case_id);
    if (!after.ok()) return after.status();
    return *after.value();
  });
}

Result<Partner> SqliteCaseStore::create_partner(const Partner& p) {
  if (Status s = check_partner(p); !s.ok()) return s;
  Partner out = p;
  out.country = upper2(p.country);
  Status st = run(
      "INSERT INTO partners (country, name, kind, contact, deadline_hours) VALUES (?1, ?2, ?3, ?4, ?5)",
      [&](SqliteStmt& s) {
        s.bind_text(1, out.country);
        s.bind_text(2, out.name);
        s.bind_text(3, out.kind);
        s.bind_text(4, out.contact);
        s.bind(5, int64_t{out.deadline_hours});
      },
      "create partner");
  if (!st.ok()) {
    if (st.code() == ErrorCode::kInvalidInput) return InvalidInput("name: partner " + p.name + " already exists");
    return st;
  }
  out.id = sqlite3_last_insert_rowid(db_);
  return out;
}

Result<std::vector<Partner>> SqliteCaseStore::list_partners() {
  auto s = stmt("SELECT " PARTNER_COLS " FROM partners ORDER BY country, name");
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  std::vector<Partner> out;
  int rc;
  while ((rc = step(*s.value())) == SQLITE_ROW) {
    const SqliteStmt& q = *s.value();
    out.push_back({q.i64(0), q.text(1), q.text(2), q.text(3), q.text(4), static_cast<int>(q.i64(5))});
  }
  if (step_failed(rc)) return sqlite_error(db_, "list partners");
  return out;
}

Status SqliteCaseStore::add_reveal(std::string_view reviewer, int64_t case_id, int64_t evidence_id,
                                   int64_t duration_ms) {
  if (reviewer.empty() || reviewer.size() > 128 || !valid_text(reviewer)) {
    return InvalidInput("reviewer: 1 to 128 bytes of text");
  }
  if (duration_ms < 0 || duration_ms > 3'600'000) return InvalidInput("duration_ms: must be 0 to 3600000");
  return run(
      "INSERT INTO reveals (reviewer, case_id, evidence_id, time_us, duration_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
      [&](SqliteStmt& s) {
        s.bind_text(1, reviewer);
        s.bind(2, case_id);
        s.bind(3, evidence_id);
        s.bind(4, now_micros());
        s.bind(5, duration_ms);
      },
      "add reveal");
}

Result<Exposure> SqliteCaseStore::exposure(std::string_view reviewer, int64_t from_us, int64_t to_us) {
  auto s = stmt(
      "SELECT COUNT(*), COALESCE(SUM(duration_ms), 0) FROM reveals WHERE reviewer = ?1 AND time_us >= ?2 AND "
      "time_us < ?3");
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  s.value()->bind_text(1, reviewer);
  s.value()->bind(2, from_us);
  s.value()->bind(3, to_us);
  if (step(*s.value()) != SQLITE_ROW) return sqlite_error(db_, "exposure");
  return Exposure{s.value()->i64(0), s.value()->i64(1)};
}

Result<std::vector<int64_t>> SqliteCaseStore::revealed_evidence(int64_t case_id) {
  auto s = stmt("SELECT DISTINCT evidence_id FROM reveals WHERE case_id = ?1 ORDER BY evidence_id");
  if (!s.ok()) return s.status();
  StmtUse use(*s.value());
  s.value()->bind(1, case_id);
  std::vector<int64_t> out;
  int rc;
  while ((rc = step(*s.value())) == SQLITE_ROW) out.push_back(s.value()->i64(0));
  if (step_failed(rc)) return sqlite_error(db_, "revealed evidence");
  return out;
}

Result<bool> SqliteCaseStore::claim_cybertip(int64_t case_id, bool retake_pending) {
  Status st = run(
      "UPDATE cases SET cybertip_report = 'pending' WHERE id = ?1 AND (cybertip_report = '' OR "
      "(?2 AND cybertip_report = 'pending'))",
      [&](SqliteStmt& s) {
        s.bind(1, case_id);
        s.bind(2, int64_t{retake_pending});
      },
      "claim cybertip");
  if (!st.ok()) return st;
  if (sqlite3_changes(db_) == 1) return true;
  auto c = case_by_id(case_id);
  if (!c.ok()) return c.status();
  if (!c.value()) return InvalidInput("case: no case " + std::to_string(case_id));
  return false;
}

Status SqliteCaseStore::finish_cybertip(int64_t case_id, std::string_view report_id) {
  Status st = run(
      "UPDATE cases SET cybertip_report = ?2 WHERE id = ?1",
      [&](SqliteStmt& s) {
        s.bind(1, case_id);
        s.bind_text(2, report_id);
      },
      "finish cybertip");
  if (!st.ok()) return st;
  if (sqlite3_changes(db_) != 1) return InvalidInput("case: no case " + std::to_string(case_id));
  return Status::Ok();
}

Result<std::unique_ptr<CaseStore>> open_sqlite_cases(const std::string& path) {
  auto db = sqlite_open_configured(path);
  if (!db.ok()) return db.status();
  auto store = std::make_unique<SqliteCaseStore>(db.value());
  if (Status s = store->init(); !s.ok()) return IoError(path + ": " + s.message());
  return std::unique_ptr<CaseStore>(std::move(store));
}

}  // namespace chainbreak::store::internal
