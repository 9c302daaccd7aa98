// Intake of public and automated case reports on PostgreSQL
// (CaseStore::intake, the group commit of api::CaseDesk).
//
// Concurrent intake (several replicas): intake()'s transaction starts with
// pg_advisory_xact_lock(kIntakeLock), held until commit or rollback, and
// only then looks up the open case to join (by URL key, then file SHA-256,
// then MD5) and inserts a new one when none matches. Intakes thus take
// turns, like SQLite's BEGIN IMMEDIATE, and each sees the cases the one
// before it committed (READ COMMITTED: every lookup takes a fresh snapshot
// after the lock is granted), so two reports of one URL never open two
// cases. Chosen over LOCK TABLE cases IN SHARE ROW EXCLUSIVE MODE because
// that lock would also conflict with every other writer of cases (a
// reviewer's transition, a pipeline case, autovacuum) for the whole batch,
// and a transition that holds its case FOR UPDATE and then needs ROW
// EXCLUSIVE for its UPDATE would deadlock against an intake waiting for
// that row. The advisory lock orders intakes only; against transitions the
// lookups lock the case they return FOR UPDATE (a case closed meanwhile is
// skipped, not joined). One lock rather than one per URL/hash key: a batch
// is one transaction per group commit, and a single key cannot deadlock.
#include "store/postgres_case_intake.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/case_internal.h"
#include "store/postgres_store.h"    // str()
#include "store/service_internal.h"  // now_micros()
#include "store/store_internal.h"    // valid_text()

namespace chainbreak::store::internal {

namespace {

// Held by pg_intake() until its transaction ends (see above). Not the
// schema lock (4242170707): connecting never waits for an intake.
constexpr const char* kIntakeBegin = "BEGIN; SELECT pg_advisory_xact_lock(4242170708)";

const PgStatement kStatements[] = {
    // The per-report path. The lookups repeat the partial indexes'
    // predicates (url_key <> '', ...) so that generic plans of the prepared
    // statements can use them.
    {"case_find_url",
     "SELECT id FROM cases WHERE url_key = $1 AND url_key <> '' AND state <> 'closed' ORDER BY id LIMIT 1 "
     "FOR UPDATE"},
    {"case_find_sha256",
     "SELECT c.id FROM case_reports r JOIN cases c ON c.id = r.case_id WHERE r.file_sha256 = $1 AND "
     "r.file_sha256 <> '' AND c.state <> 'closed' ORDER BY c.id LIMIT 1 FOR UPDATE OF c"},
    {"case_find_md5",
     "SELECT c.id FROM case_reports r JOIN cases c ON c.id = r.case_id WHERE r.file_md5 = $1 AND "
     "r.file_md5 <> '' AND c.state <> 'closed' ORDER BY c.id LIMIT 1 FOR UPDATE OF c"},
    {"case_find_open", "SELECT id FROM cases WHERE id = $1::bigint AND state <> 'closed' FOR UPDATE"},
    {"case_new",
     "INSERT INTO cases (created_us, updated_us, state, source, category, country, url_key, live_harm, "
     "report_count, decision_id) VALUES ($1, $1, 'new', CASE WHEN $6::bigint > 0 THEN 'pipeline' ELSE 'report' "
     "END, $2, $3, $4, $5, 0, $6::bigint) RETURNING id"},
    // The whole intake of one report in one round trip: find the open case
    // (join_case when still open, URL, SHA-256, MD5, in that order), count
    // the report in it (skipped when a reviewer closed it meanwhile: no row
    // comes back and the caller takes the step-by-step path), or open a new
    // one (only when nothing was found), then the report row.
    // The UPDATE re-checks state on the row it locks, so a case closed by
    // a concurrent transition is never joined. The branches have no ORDER
    // BY of their own: with one, the generic plan of this prepared
    // statement walked the primary key (a scan per report once the table
    // held tens of thousands of cases: 52 reports/s).
    {"case_intake_one",
     "WITH hit AS (SELECT id FROM ("
     "(SELECT id, 0 AS o FROM cases WHERE $1::bigint > 0 AND id = $1::bigint AND state <> 'closed') UNION ALL "
     "(SELECT id, 1 FROM cases WHERE url_key = $2 AND url_key <> '' AND state <> 'closed') "
     "UNION ALL "
     "(SELECT c.id, 2 FROM case_reports r JOIN cases c ON c.id = r.case_id WHERE "
     "r.file_sha256 = $3 AND r.file_sha256 <> '' AND c.state <> 'closed') UNION ALL "
     "(SELECT c.id, 3 FROM case_reports r JOIN cases c ON c.id = r.case_id WHERE "
     "r.file_md5 = $4 AND r.file_md5 <> '' AND c.state <> 'closed')"
     ") h ORDER BY o, id LIMIT 1), "
     "bumped AS (UPDATE cases SET report_count = report_count + 1, updated_us = $5::bigint, "
     "live_harm = live_harm OR $8::boolean, country = CASE WHEN country = '' THEN $7 ELSE country END, "
     "severity = GREATEST(severity, $17::integer) "
     "WHERE id = (SELECT id FROM hit) AND state <> 'closed' RETURNING id), "
     "fresh AS (INSERT INTO cases (created_us, updated_us, state, source, category, country, url_key, live_harm, "
     "report_count, severity, decision_id) SELECT $5::bigint, $5::bigint, 'new', CASE WHEN $18::bigint > 0 THEN "
     "'pipeline' ELSE 'report' END, $6, $7, $2, $8::boolean, 1, $17::integer, $18::bigint "
     "WHERE NOT EXISTS (SELECT 1 FROM hit) RETURNING id), "
     "target AS (SELECT id, false AS is_new FROM bumped UNION ALL SELECT id, true FROM fresh) "
     "INSERT INTO case_reports (case_id, created_us, receipt_hash, category, country, url, description, "
     "language, contact, live_harm, file_md5, file_sha256, file_pdq, media_type, evidence_id) "
     "SELECT id, $5::bigint, $9, $6, $7, $10, $11, $12, $13, $8::boolean, $4, $3, $14, $15, $16::bigint FROM target "
     "RETURNING id, case_id, (SELECT is_new FROM target)"},
    {"case_count_report",
     "UPDATE cases SET report_count = report_count + 1, updated_us = $2, live_harm = live_harm OR $3, "
     "country = CASE WHEN country = '' THEN $4 ELSE country END, severity = GREATEST(severity, $5::integer) "
     "WHERE id = $1 RETURNING id"},
    {"case_report_insert",
     "INSERT INTO case_reports (case_id, created_us, receipt_hash, category, country, url, description, "
     "language, contact, live_harm, file_md5, file_sha256, file_pdq, media_type, evidence_id) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id"},
    // The set-based path.
    // The lookups repeat the partial indexes' predicates so that the generic
    // plans use them. The URL lookup orders by the partial index's own columns
    // (url_key, id): min(id) or ORDER BY id alone let a generic plan walk the
    // primary key instead (tens of reports/s once the table held 100k cases;
    // as case_intake_one above). The hash lookups join, where min() stays an
    // aggregate over the hash index's few rows. OFFSET 0 keeps the inner query
    // whole: flattened, each subplan ran twice (once for the CASE's test). A
    // row with no open case at all gets a case id from the sequence up front (an id
    // left unused when the report joins a case of this batch is a gap, nothing
    // more).
    {"case_batch_lookup",
     "SELECT x.h0, x.h1, x.h2, x.h3, CASE WHEN x.h0 IS NULL AND x.h1 IS NULL AND x.h2 IS NULL AND x.h3 IS NULL "
     "THEN nextval(pg_get_serial_sequence('cases', 'id')) END FROM (SELECT t.i, "
     "(SELECT id FROM cases WHERE t.j > 0 AND id = t.j AND state <> 'closed') AS h0, "
     "(SELECT id FROM cases WHERE url_key = t.u AND url_key <> '' AND state <> 'closed' ORDER BY url_key, id "
     "LIMIT 1) AS h1, "
     "(SELECT min(c.id) FROM case_reports r JOIN cases c ON c.id = r.case_id WHERE r.file_sha256 = t.s AND "
     "r.file_sha256 <> '' AND c.state <> 'closed') AS h2, "
     "(SELECT min(c.id) FROM case_reports r JOIN cases c ON c.id = r.case_id WHERE r.file_md5 = t.m AND "
     "r.file_md5 <> '' AND c.state <> 'closed') AS h3 "
     "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(j, u, s, m, i) OFFSET 0) x "
     "ORDER BY x.i"},
    {"case_batch_new",
     "INSERT INTO cases (id, created_us, updated_us, state, source, category, country, url_key, live_harm, "
     "report_count, severity, decision_id) SELECT t.id, $2::bigint, $2::bigint, 'new', CASE WHEN t.d > 0 THEN "
     "'pipeline' ELSE 'report' END, t.cat, t.co, t.u, t.lh, t.n, t.sev, t.d FROM unnest($1::bigint[], $3::text[], "
     "$4::text[], $5::text[], $6::boolean[], $7::bigint[], $8::integer[], $9::bigint[]) AS t(id, cat, co, u, lh, n, "
     "sev, d)"},
    // Re-checks state on the rows it locks: a case a reviewer closed after
    // the lookup comes back missing, and the caller falls back.
    {"case_batch_join",
     "UPDATE cases SET report_count = report_count + t.n, updated_us = $2::bigint, live_harm = live_harm OR t.lh, "
     "country = CASE WHEN country = '' THEN t.co ELSE country END, severity = GREATEST(severity, t.sev) "
     "FROM unnest($1::bigint[], $3::bigint[], $4::boolean[], $5::text[], $6::integer[]) AS t(id, n, lh, co, sev) "
     "WHERE cases.id = t.id AND cases.state <> 'closed' RETURNING cases.id"},
    {"case_batch_reports",
     "INSERT INTO case_reports (case_id, created_us, receipt_hash, category, country, url, description, language, "
     "contact, live_harm, file_md5, file_sha256, file_pdq, media_type, evidence_id) SELECT t.c, $2::bigint, t.rh, "
     "t.cat, t.co, t.u, t.de, t.la, t.ct, t.lh, t.md, t.sh, t.pq, t.mt, t.ev FROM unnest($1::bigint[], $3::text[], "
     "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[], $11::text[], "
     "$12::text[], $13::text[], $14::text[], $15::bigint[]) WITH ORDINALITY AS t(c, rh, cat, co, u, de, la, ct, lh, "
     "md, sh, pq, mt, ev, ord) ORDER BY t.ord RETURNING id, receipt_hash"},
};

// PostgreSQL array literals in text format: every element double-quoted,
// backslash and double quote escaped (so any UTF-8 text is safe).
class ArrayLiteral {
 public:
  void text(std::string_view v) {
    sep();
    out_ += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out_ += '\\';
      out_ += c;
    }
    out_ += '"';
  }
  void num(int64_t v) {
    sep();
    out_ += std::to_string(v);
  }
  void boolean(bool v) {
    sep();
    out_ += v ? 't' : 'f';
  }
  std::string done() { return out_ + '}'; }

 private:
  void sep() {
    if (out_.size() > 1) out_ += ',';
  }
  std::string out_ = "{";
};

// A case this batch opens or joins, with what its reports add to it.
struct Touched {
  bool is_new = false;
  const NewReport* first = nullptr;        // the report that opened it (new cases) ...
  const std::string* first_key = nullptr;  // ... and its URL key
  int64_t n = 0;
  bool live_harm = false;
  int severity = 0;
  std::string country;  // the first non-empty country among its reports
};

// The lowest id among the candidates of one criterion (0: none).
int64_t lowest(int64_t a, int64_t b) { return a == 0 ? b : b == 0 ? a : std::min(a, b); }

// The set-based path inside the caller's transaction: the results in input
// order, or nullopt when the caller must roll back and take intake_each (a
// case closed between lookup and update, a receipt hash already used, a
// value PostgreSQL refused): that path gives the precise error. kIo for a
// lost connection.
Result<std::optional<std::vector<IntakeResult>>> intake_batch(PgConn& db, std::span<const NewReport> reports,
                                                              int64_t now) {
  using Out = std::optional<std::vector<IntakeResult>>;
  // A statement that failed has aborted the transaction: the per-report
  // path (after the caller's rollback) tells which report and why, unless
  // the connection itself failed.
  auto give_up = [](const Status& s) -> Result<Out> {
    if (s.code() == ErrorCode::kInvalidInput) return Out();
    return s;
  };
  const size_t n = reports.size();
  std::vector<std::string> keys(n);
  ArrayLiteral j, u, s, m;
  for (size_t i = 0; i < n; ++i) {
    keys[i] = normalise_url(reports[i].url);
    j.num(reports[i].join_case);
    u.text(keys[i]);
    s.text(reports[i].file_sha256);
    m.text(reports[i].file_md5);
  }
  const std::string params[] = {j.done(), u.done(), s.done(), m.done()};
  auto looked = db.run("case_batch_lookup", params, "intake: find cases");
  if (!looked.ok()) return give_up(looked.status());
  const PGresult* r = looked.value().get();
  if (PQntuples(r) != static_cast<int>(n)) return IoError("postgres intake: lookup returned the wrong row count");

  // Resolve one report after another, as the per-report path would,
  // with the cases this batch touched as candidates beside the stored
  // ones.
  std::vector<int64_t> case_of(n);
  std::vector<bool> opened(n, false);
  std::map<int64_t, Touched> touched;
  std::unordered_map<std::string, int64_t> by_url, by_sha, by_md5;
  auto batch_hit = [](const std::unordered_map<std::string, int64_t>& map, const std::string& key) -> int64_t {
    if (key.empty()) return 0;
    auto it = map.find(key);
    return it == map.end() ? 0 : it->second;
  };
  auto remember = [](std::unordered_map<std::string, int64_t>& map, const std::string& key, int64_t id) {
    if (key.empty()) return;
    auto [it, fresh] = map.emplace(key, id);
    if (!fresh) it->second = std::min(it->second, id);
  };
  for (size_t i = 0; i < n; ++i) {
    const NewReport& rep = reports[i];
    auto col = [&](int c) { return PQgetisnull(r, static_cast<int>(i), c) ? 0 : pg_i64(r, static_cast<int>(i), c); };
    int64_t id = col(0);
    if (id == 0) id = lowest(col(1), batch_hit(by_url, keys[i]));
    if (id == 0) id = lowest(col(2), batch_hit(by_sha, rep.file_sha256));
    if (id == 0) id = lowest(col(3), batch_hit(by_md5, rep.file_md5));
    Touched* t;
    if (id == 0) {
      id = col(4);  // the id the lookup reserved for a report that matched nothing stored
      if (id == 0) return IoError("postgres intake: no case id reserved");
      t = &touched[id];
      t->is_new = true;
      t->first = &rep;
      t->first_key = &keys[i];
      opened[i] = true;
    } else {
      t = &touched[id];
    }
    case_of[i] = id;
    ++t->n;
    t->live_harm = t->live_harm || rep.live_harm;
    t->severity = std::max(t->severity, rep.severity);
    if (t->country.empty()) t->country = upper2(rep.country);
    // The URL lookup reads the case's own key (its first report's), the
    // hash lookups every report of the case.
    if (opened[i]) remember(by_url, keys[i], id);
    remember(by_sha, rep.file_sha256, id);
    remember(by_md5, rep.file_md5, id);
  }

  // The new cases, then the counts of the joined ones.
  ArrayLiteral nid, ncat, nco, nu, nlh, nn, nsev, nd;
  ArrayLiteral jid, jn, jlh, jco, jsev;
  size_t joined = 0, fresh = 0;
  for (const auto& [id, t] : touched) {
    if (t.is_new) {
      ++fresh;
      nid.num(id);
      ncat.text(t.first->category);
      nco.text(t.country);
      nu.text(*t.first_key);
      nlh.boolean(t.live_harm);
      nn.num(t.n);
      nsev.num(t.severity);
      nd.num(t.first->decision_id);
    } else {
      ++joined;
      jid.num(id);
      jn.num(t.n);
      jlh.boolean(t.live_harm);
      jco.text(t.country);
      jsev.num(t.severity);
    }
  }
  if (fresh > 0) {
    const std::string p[] = {nid.done(), str(now),  ncat.done(), nco.done(), nu.done(),
                             nlh.done(), nn.done(), nsev.done(), nd.done()};
    auto ins = db.run("case_batch_new", p, "intake: new cases");
    if (!ins.ok()) return give_up(ins.status());
  }
  if (joined > 0) {
    const std::string p[] = {jid.done(), str(now), jn.done(), jlh.done(), jco.done(), jsev.done()};
    auto upd = db.run("case_batch_join", p, "intake: count reports");
    if (!upd.ok()) return give_up(upd.status());
    if (PQntuples(upd.value().get()) != static_cast<int>(joined)) return Out();  // closed meanwhile
  }

  // The reports.
  ArrayLiteral c, rh, cat, co, u2, de, la, ct, lh, md, sh, pq, mt, ev;
  for (size_t i = 0; i < n; ++i) {
    const NewReport& rep = reports[i];
    c.num(case_of[i]);
    rh.text(rep.receipt_hash);
    cat.text(rep.category);
    co.text(upper2(rep.country));
    u2.text(rep.url);
    de.text(rep.description);
    la.text(rep.language);
    ct.text(rep.contact);
    lh.boolean(rep.live_harm);
    md.text(rep.file_md5);
    sh.text(rep.file_sha256);
    pq.text(rep.file_pdq);
    mt.text(rep.media_type);
    ev.num(rep.evidence_id);
  }
  const std::string p[] = {c.done(),  str(now),  rh.done(), cat.done(), co.done(), u2.done(), de.done(), la.done(),
                           ct.done(), lh.done(), md.done(), sh.done(),  pq.done(), mt.done(), ev.done()};
  auto ins = db.run("case_batch_reports", p, "intake: reports");
  if (!ins.ok()) return give_up(ins.status());
  const PGresult* got = ins.value().get();
  if (PQntuples(got) != static_cast<int>(n))
    return IoError("postgres intake: report insert returned the wrong row count");
  std::unordered_map<std::string, int64_t> report_id;
  for (int row = 0; row < PQntuples(got); ++row) report_id.emplace(pg_text(got, row, 1), pg_i64(got, row, 0));
  std::vector<IntakeResult> out(n);
  for (size_t i = 0; i < n; ++i) {
    auto it = report_id.find(reports[i].receipt_hash);
    if (it == report_id.end()) return IoError("postgres intake: a report row is missing");
    out[i] = {it->second, case_of[i], opened[i]};
  }
  return Out(std::move(out));
}

// One report inside the caller's transaction, a statement at a time: the
// path for a report whose case was closed between lookup and count.
Result<IntakeResult> intake_one(PgConn& db, const NewReport& r, size_t i, int64_t now) {
  const std::string at = "reports[" + std::to_string(i) + "].";
  const std::string key = normalise_url(r.url);
  const std::string country = upper2(r.country);
  int64_t case_id = 0;
  auto find = [&](const char* name, const std::string& v) -> Status {
    if (case_id != 0 || v.empty()) return Status::Ok();
    auto f = db.run(name, {v}, "intake: find case");
    if (!f.ok()) return f.status();
    if (PQntuples(f.value().get()) > 0) case_id = pg_i64(f.value().get(), 0, 0);
    return Status::Ok();
  };
  if (Status s = find("case_find_open", r.join_case > 0 ? str(r.join_case) : std::string()); !s.ok()) return s;
  if (Status s = find("case_find_url", key); !s.ok()) return s;
  if (Status s = find("case_find_sha256", r.file_sha256); !s.ok()) return s;
  if (Status s = find("case_find_md5", r.file_md5); !s.ok()) return s;
  IntakeResult res;
  if (case_id == 0) {
    auto c = db.run("case_new", {str(now), r.category, country, key, str(r.live_harm), str(r.decision_id)},
                    "intake: new case");
    if (!c.ok()) return c.status();
    case_id = pg_i64(c.value().get(), 0, 0);
    res.new_case = true;
  }
  auto counted =
      db.run("case_count_report", {str(case_id), str(now), str(r.live_harm), country, str(int64_t{r.severity})},
             "intake: count report");
  if (!counted.ok()) return counted.status();
  if (PQntuples(counted.value().get()) != 1) return IoError("intake: case " + std::to_string(case_id) + " vanished");
  const std::string params[] = {str(case_id), str(now),      r.receipt_hash, r.category,   country,
                                r.url,        r.description, r.language,     r.contact,    str(r.live_harm),
                                r.file_md5,   r.file_sha256, r.file_pdq,     r.media_type, str(r.evidence_id)};
  auto ins = db.run("case_report_insert", params, "intake: report");
  if (!ins.ok()) {
    if (ins.status().code() == ErrorCode::kInvalidInput) return InvalidInput(at + "receipt_hash: already used");
    return ins.status();
  }
  res.report_id = pg_i64(ins.value().get(), 0, 0);
  res.case_id = case_id;
  return res;
}

// The whole batch one statement per report (pipelined): the path that
// names the report at fault, and takes a case closed meanwhile in its
// stride.
Result<std::vector<IntakeResult>> intake_each(PgConn& db, std::span<const NewReport> reports) {
  constexpr std::string_view op = "intake";
  PgTxn txn(db);
  if (Status s = txn.begin(kIntakeBegin, op); !s.ok()) return s;
  const int64_t now = now_micros();
  // Every report's statement in one pipeline: one round trip for the batch.
  std::vector<std::vector<std::string>> params;
  params.reserve(reports.size());
  for (size_t i = 0; i < reports.size(); ++i) {
    const NewReport& r = reports[i];
    params.push_back({str(r.join_case), normalise_url(r.url), r.file_sha256, r.file_md5, str(now), r.category,
                      upper2(r.country), str(r.live_harm), r.receipt_hash, r.url, r.description, r.language, r.contact,
                      r.file_pdq, r.media_type, str(r.evidence_id), str(int64_t{r.severity}), str(r.decision_id)});
  }
  size_t failed_at = 0;
  auto results = db.run_pipelined("case_intake_one", params, "intake: report", &failed_at);
  if (!results.ok()) {
    if (results.status().code() == ErrorCode::kInvalidInput) {
      return InvalidInput("reports[" + std::to_string(failed_at) + "].receipt_hash: already used");
    }
    return results.status();  // ~PgTxn rolls back: nothing stored
  }
  std::vector<IntakeResult> out;
  out.reserve(reports.size());
  for (size_t i = 0; i < reports.size(); ++i) {
    PGresult* res = results.value()[i].get();
    if (PQntuples(res) == 1) {
      out.push_back({pg_i64(res, 0, 0), pg_i64(res, 0, 1), pg_bool(res, 0, 2)});
      continue;
    }
    // The case it found was closed meanwhile: the step-by-step path.
    auto slow = intake_one(db, reports[i], i, now);
    if (!slow.ok()) return slow.status();
    out.push_back(slow.value());
  }
  if (Status s = txn.commit(op); !s.ok()) return s;
  return out;
}

}  // namespace

const std::span<const PgStatement> kPgIntakeStatements(kStatements);

Result<std::vector<IntakeResult>> pg_intake(PgConn& db, std::span<const NewReport> reports) {
  constexpr std::string_view op = "intake";
  for (size_t i = 0; i < reports.size(); ++i) {
    if (Status s = check_report(reports[i], i); !s.ok()) return s;
    // Bytes PostgreSQL would refuse, in a field check_report leaves unchecked.
    if (!valid_text(reports[i].media_type))
      return InvalidInput("reports[" + std::to_string(i) + "].media_type: is not UTF-8 text");
  }
  {
    // The set-based path: a few statements for the whole batch.
    PgTxn txn(db);
    if (Status s = txn.begin(kIntakeBegin, op); !s.ok()) return s;
    auto batch = intake_batch(db, reports, now_micros());
    if (!batch.ok()) return batch.status();
    if (batch.value()) {
      if (Status s = txn.commit(op); !s.ok()) return s;
      return std::move(*batch.value());
    }
  }  // rolled back: one statement per report tells which one and why
  return intake_each(db, reports);
}

}  // namespace chainbreak::store::internal
