#include "store/postgres_case_intake.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/case_internal.h"
#include "store/postgres_store.h"  // str()

namespace chainbreak::store::internal {

// The lookups repeat the partial indexes' predicates so that the generic
// plans use them. The URL lookup orders by the partial index's own columns
// (url_key, id): min(id) or ORDER BY id alone let a generic plan walk the
// primary key instead (tens of reports/s once the table held 100k cases;
// see also postgres_cases.cc). The hash lookups join, where min() stays an
// aggregate over the hash index's few rows. OFFSET 0 keeps the inner query
// whole: flattened, each subplan ran twice (once for the CASE's test). A row with
// no open case at all gets a case id from the sequence up front (an id
// left unused when the report joins a case of this batch is a gap, nothing
// more).
const PgStatement kPgBatchIntakeStatements[4] = {
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

namespace {

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
  const NewReport* first = nullptr;  // the report that opened it (new cases)
  int64_t n = 0;
  bool live_harm = false;
  int severity = 0;
  std::string country;  // the first non-empty country among its reports
};

// The lowest id among the candidates of one criterion (0: none).
int64_t lowest(int64_t a, int64_t b) { return a == 0 ? b : b == 0 ? a : std::min(a, b); }

}  // namespace

Result<std::optional<std::vector<IntakeResult>>> pg_intake_batch(PgConn& db, std::span<const NewReport> reports,
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
  {
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
        nu.text(normalise_url(t.first->url));
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
}

}  // namespace chainbreak::store::internal
