// The PostgreSQL store's entry operations (see postgres_store.h).
#include <algorithm>

#include "store/postgres_store.h"

namespace chainbreak::store::internal {
namespace {

constexpr int kScanPage = 2000;

Entry read_entry(const PGresult* r, int i) {
  Entry e;
  e.id = pg_i64(r, i, 0);
  e.bank_id = pg_i64(r, i, 1);
  e.type = static_cast<SignalType>(pg_i64(r, i, 2));
  e.value = pg_bytea_hex(r, i, 3);
  e.external_id = pg_text(r, i, 4);
  e.source_org = pg_text(r, i, 5);
  e.classification = pg_text(r, i, 6);
  e.legal_basis = pg_text(r, i, 7);
  e.added_at = pg_i64(r, i, 8);
  e.expires_at = pg_i64(r, i, 9);
  e.confidence = pg_f64(r, i, 10);
  e.up_votes = static_cast<int32_t>(pg_i64(r, i, 11));
  e.down_votes = static_cast<int32_t>(pg_i64(r, i, 12));
  e.removed = pg_bool(r, i, 13);
  e.removed_at = pg_i64(r, i, 14);
  e.disabled = pg_bool(r, i, 15);
  e.metadata_json = pg_text(r, i, 16);
  return e;
}

// "{1,2,3}" for a bigint[] parameter.
std::string int_array(std::span<const int64_t> v) {
  std::string s = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i]);
  }
  return s + "}";
}

}  // namespace

Result<std::vector<int64_t>> PostgresStore::add_entries(int64_t bank_id, std::span<const Entry> entries) {
  constexpr std::string_view op = "add_entries";
  std::string raws;
  if (Status s = validate_entries(entries, op, &raws); !s.ok()) return s;
  PgTxn txn(db_);
  if (Status s = txn.begin(kBeginWrite, op); !s.ok()) return s;
  if (Status s = check_bank(bank_id, op); !s.ok()) return s;
  std::vector<int64_t> ids;
  if (entries.empty()) return ids;  // the guard rolls back the empty transaction
  // Ids first (in input order), so that COPY, which returns none, can write them.
  {
    auto r = db_.run("entry_ids", {str(static_cast<int64_t>(entries.size()))}, op);
    if (!r.ok()) return r.status();
    const int64_t first = pg_i64(r.value().get(), 0, 0);
    ids.resize(entries.size());
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = first + static_cast<int64_t>(i);
  }
  if (Status s = db_.begin_copy("COPY entries (" PG_ENTRY_COLS ") FROM STDIN", op); !s.ok()) return s;
  const int64_t now = now_seconds();
  std::string& b = db_.copy_buffer();
  size_t off = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const size_t n = value_bytes(e.type);
    copy_int(b, ids[i]), b += '\t';
    copy_int(b, bank_id), b += '\t';
    copy_int(b, static_cast<int64_t>(e.type)), b += '\t';
    copy_bytea(b, std::string_view(raws).substr(off, n)), b += '\t';
    copy_text(b, e.external_id), b += '\t';
    copy_text(b, e.source_org), b += '\t';
    copy_text(b, e.classification), b += '\t';
    copy_text(b, e.legal_basis), b += '\t';
    copy_int(b, e.added_at == 0 ? now : e.added_at), b += '\t';
    copy_int(b, e.expires_at), b += '\t';
    copy_double(b, e.confidence), b += '\t';
    copy_int(b, e.up_votes), b += '\t';
    copy_int(b, e.down_votes), b += "\tf\t0\t";
    b += e.disabled ? 't' : 'f', b += '\t';
    copy_text(b, e.metadata_json), b += '\n';
    off += n;
    if (Status s = db_.copy_flush_if_full(op); !s.ok()) {
      db_.end_copy(op);
      return s;
    }
  }
  if (Status s = db_.end_copy(op); !s.ok()) return s;
  if (Status s = log_changes(ChangeKind::kEntryAdded, std::span(&bank_id, 1), ids, op); !s.ok()) return s;
  if (Status s = txn.commit(op); !s.ok()) return s;
  return ids;
}

Result<int64_t> PostgresStore::remove_entries(std::span<const int64_t> entry_ids) {
  constexpr std::string_view op = "remove_entries";
  if (entry_ids.empty()) return int64_t{0};
  PgTxn txn(db_);
  if (Status s = txn.begin(kBeginWrite, op); !s.ok()) return s;
  auto r = db_.run("entry_remove", {int_array(entry_ids), str(now_seconds())}, op);
  if (!r.ok()) return r.status();
  const PGresult* res = r.value().get();
  std::vector<std::pair<int64_t, int64_t>> removed;  // (entry id, bank id), logged in id order
  for (int i = 0; i < PQntuples(res); ++i) removed.emplace_back(pg_i64(res, i, 0), pg_i64(res, i, 1));
  std::sort(removed.begin(), removed.end());
  std::vector<int64_t> ids, banks;
  for (auto [id, bank] : removed) ids.push_back(id), banks.push_back(bank);
  if (!ids.empty()) {
    if (Status s = log_changes(ChangeKind::kEntryRemoved, banks, ids, op); !s.ok()) return s;
  }
  if (Status s = txn.commit(op); !s.ok()) return s;
  return static_cast<int64_t>(ids.size());
}

Result<int64_t> PostgresStore::remove_by_value(int64_t bank_id, SignalType type, std::span<const std::string> values) {
  constexpr std::string_view op = "remove_by_value";
  std::string array = "{", raw;
  for (size_t i = 0; i < values.size(); ++i) {
    if (Status s = hex_to_bytes(type, values[i], raw); !s.ok()) {
      return with_context(s, std::string(op) + ": value " + std::to_string(i));
    }
    if (i) array += ',';
    append_hex(raw, array);  // plain hex digits: no quoting needed
  }
  array += '}';
  PgTxn txn(db_);
  if (Status s = txn.begin(kBeginWrite, op); !s.ok()) return s;
  if (Status s = check_bank(bank_id, op); !s.ok()) return s;
  auto r =
      db_.run("entry_remove_value", {str(bank_id), str(static_cast<int64_t>(type)), array, str(now_seconds())}, op);
  if (!r.ok()) return r.status();
  std::vector<int64_t> ids;
  for (int i = 0; i < PQntuples(r.value().get()); ++i) ids.push_back(pg_i64(r.value().get(), i, 0));
  std::sort(ids.begin(), ids.end());
  if (!ids.empty()) {
    if (Status s = log_changes(ChangeKind::kEntryRemoved, std::span(&bank_id, 1), ids, op); !s.ok()) return s;
  }
  if (Status s = txn.commit(op); !s.ok()) return s;
  return static_cast<int64_t>(ids.size());
}

Status PostgresStore::set_entry_disabled(int64_t entry_id, bool disabled) {
  constexpr std::string_view op = "set_entry_disabled";
  PgTxn txn(db_);
  if (Status s = txn.begin(kBeginWrite, op); !s.ok()) return s;
  auto r = db_.run("entry_set_disabled", {str(entry_id), str(disabled)}, op);
  if (!r.ok()) return r.status();
  if (PQntuples(r.value().get()) == 0) {  // unknown, or already so (nothing to log)
    auto e = db_.run("entry_exists", {str(entry_id)}, op);
    if (!e.ok()) return e.status();
    if (PQntuples(e.value().get()) == 0) {
      return InvalidInput(std::string(op) + ": unknown entry id " + std::to_string(entry_id));
    }
    return txn.commit(op);
  }
  ChangeKind kind = disabled ? ChangeKind::kEntryDisabled : ChangeKind::kEntryEnabled;
  if (Status s = log_change(kind, pg_i64(r.value().get(), 0, 0), entry_id, op); !s.ok()) return s;
  return txn.commit(op);
}

Status PostgresStore::vote(int64_t entry_id, int up, int down) {
  constexpr std::string_view op = "vote";
  if (Status s = validate_votes(up, down); !s.ok()) return with_context(s, op);
  if (Status s = db_.ensure_ready(); !s.ok()) return s;
  auto r = db_.run("entry_vote", {str(entry_id), str(int64_t{up}), str(int64_t{down})}, op);
  if (!r.ok()) return r.status();
  if (std::string_view(PQcmdTuples(r.value().get())) == "0") {
    return InvalidInput(std::string(op) + ": unknown entry id " + std::to_string(entry_id));
  }
  return Status::Ok();
}

Result<std::optional<Entry>> PostgresStore::get_entry(int64_t entry_id) {
  if (Status s = db_.ensure_ready(); !s.ok()) return s;
  auto r = db_.run("entry_get", {str(entry_id)}, "get_entry");
  if (!r.ok()) return r.status();
  if (PQntuples(r.value().get()) == 0) return std::optional<Entry>();
  return std::optional<Entry>(read_entry(r.value().get(), 0));
}

Status PostgresStore::scan_entries(int64_t bank_id, bool include_removed, const std::function<bool(const Entry&)>& fn) {
  constexpr std::string_view op = "scan_entries";
  // Pages of kScanPage rows by id, all in one read-only snapshot, like the
  // single SELECT of the SQLite store.
  PgTxn txn(db_);
  if (Status s = txn.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", op); !s.ok()) return s;
  if (Status s = check_bank(bank_id, op); !s.ok()) return s;
  int64_t after = 0;
  for (;;) {
    auto r =
        db_.run(include_removed ? "scan_all" : "scan_live", {str(bank_id), str(after), str(int64_t{kScanPage})}, op);
    if (!r.ok()) return r.status();
    const PGresult* res = r.value().get();
    const int n = PQntuples(res);
    for (int i = 0; i < n; ++i) {
      Entry e = read_entry(res, i);
      after = e.id;
      if (!fn(e)) return txn.commit(op);
    }
    if (n < kScanPage) return txn.commit(op);
  }
}

Result<int64_t> PostgresStore::count_entries(int64_t bank_id, bool include_removed) {
  constexpr std::string_view op = "count_entries";
  if (Status s = db_.ensure_ready(); !s.ok()) return s;
  if (Status s = check_bank(bank_id, op); !s.ok()) return s;
  auto r = db_.run(include_removed ? "count_all" : "count_live", {str(bank_id)}, op);
  if (!r.ok()) return r.status();
  return pg_i64(r.value().get(), 0, 0);
}

}  // namespace chainbreak::store::internal
