// `chainbreak bank import` and `bank export`: streaming, with a progress bar
// on a terminal. Import writes in batches of 50,000 entries (one transaction
// each); --strict validates the whole input first and writes nothing when
// any record is malformed.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/bank_command.h"
#include "cli/store_location.h"
#include "lists/hash_list.h"
#include "util/progress.h"

namespace chainbreak::cli {
namespace {

constexpr size_t kBatch = 250000;
constexpr uint64_t kMaxPrintedErrors = 20;

struct ImportCounts {
  uint64_t added = 0, deleted = 0, malformed = 0, unsupported = 0;
};

// Reads every record, calling fn(record) for the good ones; prints the first
// malformed ones. Returns false on an unreadable input.
template <class Fn>
bool read_all(lists::Reader& reader, const std::string& path, bool progress, uint64_t size, ImportCounts* counts,
              Fn&& fn) {
  Progress bar(progress, size, stderr, "bytes");
  lists::Record rec;
  lists::RecordError err;
  uint64_t n = 0;
  for (;;) {
    err.reason.clear();
    auto more = reader.next(&rec, &err);
    if (!more.ok()) {
      bar.finish();
      std::fprintf(stderr, "chainbreak: %s: %s\n", path.c_str(), more.status().message().c_str());
      return false;
    }
    if (!more.value()) break;
    if (!err.reason.empty()) {
      if (++counts->malformed <= kMaxPrintedErrors) {
        bar.finish();
        std::fprintf(stderr, "chainbreak: %s:%llu: %s%s%s\n", path.c_str(), static_cast<unsigned long long>(err.line),
                     err.field.c_str(), err.field.empty() ? "" : ": ", err.reason.c_str());
      }
      continue;
    }
    if (!fn(rec)) return false;
    if ((++n & 0x3FFF) == 0) bar.update(reader.bytes_read());
  }
  bar.finish();
  counts->unsupported = reader.skipped();
  return true;
}

}  // namespace

int run_bank_import(const BankCommandOptions& o, store::Store& st, const store::Bank& bank) {
  const auto format = lists::parse_format(o.format);
  const auto type = store::parse_signal_type(o.signal_type);
  if (!format || !type) {
    std::fprintf(stderr, "chainbreak: unknown %s '%s'\n", format ? "signal type" : "format",
                 (format ? o.signal_type : o.format).c_str());
    return 2;
  }
  const bool progress = o.progress == ProgressWhen::kAlways || (o.progress == ProgressWhen::kAuto && isatty(2));
  std::string path = o.file;
  std::string spooled;  // --strict on standard input: read it twice from a copy
  if (o.strict && path == "-") {
    char tmpl[] = "/tmp/chainbreak-import-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) {
      std::perror("chainbreak: temporary file");
      return 1;
    }
    std::FILE* out = fdopen(fd, "wb");
    char buf[1 << 16];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, stdin)) > 0) std::fwrite(buf, 1, got, out);
    if (std::fclose(out) != 0) {
      std::perror("chainbreak: temporary file");
      return 1;
    }
    spooled = path = tmpl;
  }
  struct Cleanup {
    std::string p;
    ~Cleanup() {
      if (!p.empty()) ::unlink(p.c_str());
    }
  } cleanup{spooled};
  const auto t0 = std::chrono::steady_clock::now();
  ImportCounts counts;
  if (o.strict) {
    auto reader = lists::open_reader(path, *format, *type);
    if (!reader.ok()) return std::fprintf(stderr, "chainbreak: %s\n", reader.status().message().c_str()), 1;
    ImportCounts check;
    if (!read_all(*reader.value(), o.file, false, 0, &check, [](const lists::Record&) { return true; })) return 1;
    if (check.malformed > 0) {
      std::fprintf(stderr, "chainbreak: %llu malformed record(s); nothing imported (--strict)\n",
                   static_cast<unsigned long long>(check.malformed));
      return 1;
    }
  }
  auto reader = lists::open_reader(path, *format, *type);
  if (!reader.ok()) return std::fprintf(stderr, "chainbreak: %s\n", reader.status().message().c_str()), 1;
  std::vector<store::Entry> batch;
  std::vector<std::string> deletions[5];  // by signal type value
  std::vector<std::string> deleted_ids;
  Status failed;
  auto flush = [&]() {
    if (!batch.empty()) {
      auto ids = st.add_entries(bank.id, batch);
      if (!ids.ok()) return failed = ids.status(), false;
      counts.added += batch.size();
      batch.clear();
    }
    for (int t = 1; t <= 4; ++t) {
      if (deletions[t].empty()) continue;
      auto n = st.remove_by_value(bank.id, static_cast<store::SignalType>(t), deletions[t]);
      if (!n.ok()) return failed = n.status(), false;
      counts.deleted += static_cast<uint64_t>(n.value());
      deletions[t].clear();
    }
    return true;
  };
  uint64_t size = 0;
  if (path != "-") {
    if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
      std::fseek(f, 0, SEEK_END);
      size = static_cast<uint64_t>(std::ftell(f));
      std::fclose(f);
    }
  }
  // Batches stay atomic; the store may defer index work to the end.
  st.begin_bulk();
  const bool ok = read_all(*reader.value(), o.file, progress, size, &counts, [&](const lists::Record& r) {
    if (r.deletion) {
      // Additions before a deletion must land first: keep file order.
      if (!batch.empty() && !flush()) return false;
      if (r.by_external_id) {
        deleted_ids.push_back(r.entry.external_id);
      } else {
        deletions[static_cast<int>(r.entry.type)].push_back(r.entry.value);
      }
      return true;
    }
    store::Entry e = r.entry;
    if (e.source_org.empty()) e.source_org = o.source_org;
    if (e.classification.empty()) e.classification = o.classification;
    if (e.legal_basis.empty()) e.legal_basis = o.legal_basis;
    batch.push_back(std::move(e));
    return batch.size() < kBatch || flush();
  });
  if (ok && flush() && !deleted_ids.empty()) {
    // Deletions that name only an external id (NCMEC entries deleted
    // without fingerprints): one pass over the bank for all of them.
    std::sort(deleted_ids.begin(), deleted_ids.end());
    std::vector<int64_t> ids;
    Status s = st.scan_entries(bank.id, false, [&](const store::Entry& e) {
      if (std::binary_search(deleted_ids.begin(), deleted_ids.end(), e.external_id)) ids.push_back(e.id);
      return true;
    });
    auto n = s.ok() ? st.remove_entries(ids) : Result<int64_t>(s);
    if (n.ok()) {
      counts.deleted += static_cast<uint64_t>(n.value());
    } else {
      failed = n.status();
    }
  }
  if (Status s = st.end_bulk(); !s.ok() && failed.ok()) failed = s;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!failed.ok()) {
    std::fprintf(stderr, "chainbreak: import into %s stopped after %llu entries: %s\n", bank.name.c_str(),
                 static_cast<unsigned long long>(counts.added), failed.message().c_str());
    return 1;
  }
  if (!ok) return 1;
  update_snapshots(o.where, st);  // so that `match` starts fast
  std::fprintf(stderr,
               "imported %llu entr%s into %s, deleted %llu, skipped %llu malformed and %llu of unsupported types "
               "(%.2f s, %.0f entries/s)\n",
               static_cast<unsigned long long>(counts.added), counts.added == 1 ? "y" : "ies", bank.name.c_str(),
               static_cast<unsigned long long>(counts.deleted), static_cast<unsigned long long>(counts.malformed),
               static_cast<unsigned long long>(counts.unsupported), secs, secs > 0 ? double(counts.added) / secs : 0.0);
  return counts.malformed > 0 ? 1 : 0;
}

int run_bank_export(const BankCommandOptions& o, store::Store& st, const store::Bank& bank) {
  const auto format = lists::parse_format(o.format);
  if (!format) {
    std::fprintf(stderr, "chainbreak: unknown format '%s'\n", o.format.c_str());
    return 2;
  }
  const bool to_stdout = o.file.empty() || o.file == "-";
  const std::string tmp = to_stdout ? "" : o.file + ".tmp";
  std::FILE* out = to_stdout ? stdout : std::fopen(tmp.c_str(), "wb");
  if (!out) {
    std::fprintf(stderr, "chainbreak: cannot create %s\n", tmp.c_str());
    return 1;
  }
  auto writer = lists::open_writer(out, *format);
  Status s = writer.ok() ? Status::Ok() : writer.status();
  uint64_t n = 0;
  if (s.ok()) {
    Status ws;
    s = st.scan_entries(bank.id, o.include_removed, [&](const store::Entry& e) {
      ws = writer.value()->write(e);
      ++n;
      return ws.ok();
    });
    if (s.ok()) s = ws;
    if (s.ok()) s = writer.value()->finish();
  }
  if (!to_stdout) {
    if (std::fclose(out) != 0 && s.ok()) s = IoError("cannot write " + tmp);
    if (s.ok() && std::rename(tmp.c_str(), o.file.c_str()) != 0) s = IoError("cannot rename " + tmp);
    if (!s.ok()) ::unlink(tmp.c_str());
  }
  if (!s.ok()) {
    std::fprintf(stderr, "chainbreak: export %s: %s\n", bank.name.c_str(), s.message().c_str());
    return 1;
  }
  std::fprintf(stderr, "exported %llu entr%s from %s\n", static_cast<unsigned long long>(n), n == 1 ? "y" : "ies",
               bank.name.c_str());
  return 0;
}

}  // namespace chainbreak::cli
