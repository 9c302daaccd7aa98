#include "server/api/case_desk.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "custody/crypto.h"
#include "custody/keys.h"
#include "store/custody_store.h"
#include "store/service_store.h"

namespace chainbreak::api {

Result<std::unique_ptr<CaseDesk>> CaseDesk::open(const Options& options) {
  std::unique_ptr<CaseDesk> desk(new CaseDesk(options));
  if (desk->options_.max_batch < 1) desk->options_.max_batch = 1;
  auto dir = custody::resolve_key_dir(options.location, options.key_dir);
  if (!dir.ok()) return dir.status();
  auto key = custody::load_or_create_evidence_key(dir.value());
  if (!key.ok()) return key.status();
  desk->key_.emplace(std::move(key.value()));
  auto w = store::open_case_store(options.location);
  if (!w.ok()) return w.status();
  desk->writer_ = std::move(w.value());
  auto a = store::open_service_store(options.location);
  if (!a.ok()) return a.status();
  desk->audit_ = std::move(a.value());
  auto c = store::open_custody_store(options.location);
  if (!c.ok()) return c.status();
  desk->custody_ = std::move(c.value());
  desk->vault_ = std::make_unique<custody::Vault>(*desk->audit_, *desk->custody_, *desk->key_);
  desk->thread_ = std::thread([d = desk.get()] { d->intake_loop(); });
  return desk;
}

CaseDesk::~CaseDesk() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CaseDesk::submit(store::NewReport r, std::string file, std::string file_name, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back({std::move(r), std::move(file), std::move(file_name), std::move(done)});
  }
  cv_.notify_one();
}

Result<pipeline::Lease<store::CaseStore>> CaseDesk::store() {
  std::unique_ptr<store::CaseStore> conn;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      conn = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (!conn) {
    auto opened = store::open_case_store(options_.location);
    if (!opened.ok()) return opened.status();
    conn = std::move(opened.value());
  }
  return pipeline::Lease<store::CaseStore>(std::move(conn), [this](std::unique_ptr<store::CaseStore> c) {
    std::lock_guard<std::mutex> lock(pool_mu_);
    pool_.push_back(std::move(c));
  });
}

Result<std::unique_ptr<CaseDesk::VaultSession>> CaseDesk::open_vault() {
  // Evidence work is rare next to intake: connections of its own.
  auto session = std::make_unique<VaultSession>();
  auto a = store::open_service_store(options_.location);
  if (!a.ok()) return a.status();
  session->audit = std::move(a.value());
  auto c = store::open_custody_store(options_.location);
  if (!c.ok()) return c.status();
  session->custody = std::move(c.value());
  session->vault.emplace(*session->audit, *session->custody, *key_);
  return session;
}

Result<custody::Evidence> CaseDesk::read_evidence(int64_t id, std::string_view actor) {
  auto session = open_vault();
  if (!session.ok()) return session.status();
  custody::Vault& vault = *session.value()->vault;
  return vault.read_evidence(id, actor);
}

Result<custody::Evidence> CaseDesk::export_evidence(int64_t id, std::string_view actor, std::string_view recipient) {
  auto session = open_vault();
  if (!session.ok()) return session.status();
  custody::Vault& vault = *session.value()->vault;
  return vault.export_evidence(id, actor, recipient);
}

Result<std::vector<store::EvidenceRecord>> CaseDesk::evidence_records(std::span<const int64_t> ids) {
  std::vector<store::EvidenceRecord> out;
  if (ids.empty()) return out;
  auto c = store::open_custody_store(options_.location);
  if (!c.ok()) return c.status();
  for (int64_t id : ids) {
    auto row = c.value()->get_evidence(id);
    if (!row.ok()) return row.status();
    out.push_back(row.value() ? *row.value() : store::EvidenceRecord{});
  }
  return out;
}

Status CaseDesk::set_legal_hold(int64_t id, bool hold, std::string_view actor) {
  auto session = open_vault();
  if (!session.ok()) return session.status();
  custody::Vault& vault = *session.value()->vault;
  return vault.set_legal_hold(id, hold, actor);
}

Result<std::vector<int64_t>> CaseDesk::release_evidence(std::span<const int64_t> ids, std::string_view reason,
                                                        std::string_view actor) {
  auto session = open_vault();
  if (!session.ok()) return session.status();
  custody::Vault& vault = *session.value()->vault;
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (int64_t id : ids) {
    auto row = session.value()->custody->get_evidence(id);
    if (!row.ok()) return row.status();
    if (!row.value() || row.value()->purged_at != 0 || row.value()->retain_until <= now) continue;
    if (Status s = vault.set_retention(id, now, reason, actor); !s.ok()) return s;
  }
  // Only these items: other cases' files that happen to be due are left
  // to the hourly purge.
  return vault.purge_items(ids, now, actor);
}

void CaseDesk::intake_loop() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything committed
      // Everything queued meanwhile goes in this transaction: while one
      // commit waits for its fsync, the next batch builds up.
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    store_files(batch);
    if (!batch.empty()) commit(batch);
    batch.clear();
  }
}

void CaseDesk::store_files(std::vector<Item>& batch) {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  size_t kept = 0;
  for (Item& it : batch) {
    if (!it.file.empty()) {
      custody::Retention keep;
      keep.retain_until = now + std::max<int64_t>(options_.retention_seconds, 1);
      // The vault item names the report by its receipt hash's prefix: the
      // case is not known yet, and the receipt code itself is never stored.
      const std::string ref = "report:" + it.report.receipt_hash.substr(0, 16);
      const std::string media = it.report.media_type.empty() ? "application/octet-stream" : it.report.media_type;
      const std::string name =
          it.file_name.empty() || it.file_name.size() > 255 || !valid_utf8(it.file_name) ? "upload" : it.file_name;
      auto added = vault_->add_evidence(it.file, name, media, ref, keep, "anonymous");
      std::string().swap(it.file);  // the clear bytes go as soon as they are sealed
      if (!added.ok()) {
        it.done(added.status().code() == ErrorCode::kIo ? added.status()
                                                        : InvalidInput("reports[0].file: " + added.status().message()));
        continue;
      }
      it.report.evidence_id = added.value().id;
    }
    if (&batch[kept] != &it) batch[kept] = std::move(it);
    ++kept;
  }
  batch.resize(kept);
}

void CaseDesk::reload_pdqs() {
  pdqs_loaded_ = std::chrono::steady_clock::now();
  auto got = writer_->open_case_pdqs(options_.max_pdqs);
  if (!got.ok()) return;  // keep the old list; exact hashes and URLs still join
  pdqs_.clear();
  pdqs_.reserve(got.value().size());
  for (const auto& [case_id, hex] : got.value()) {
    auto h = pdq::Hash256::from_hex(hex);
    if (h.ok()) pdqs_.emplace_back(h.value(), case_id);
  }
}

int64_t CaseDesk::near_case(const pdq::Hash256& h) {
  if (std::chrono::steady_clock::now() - pdqs_loaded_ > std::chrono::seconds(options_.pdq_refresh_seconds)) {
    reload_pdqs();
  }
  int best = options_.pdq_threshold + 1;
  int64_t found = 0;
  for (const auto& [known, case_id] : pdqs_) {
    const int d = pdq::hamming_distance(h, known);
    if (d < best || (d == best && case_id < found)) best = d, found = case_id;
  }
  return found;
}

void CaseDesk::commit(std::vector<Item>& batch) {
  if (options_.pdq_threshold < 0) return commit_range(batch, 0, batch.size());
  std::vector<std::optional<pdq::Hash256>> hashes(batch.size());
  size_t begin = 0;
  while (begin < batch.size()) {
    size_t end = begin;
    for (; end < batch.size(); ++end) {
      store::NewReport& r = batch[end].report;
      if (r.file_pdq.empty() || r.join_case != 0) continue;
      auto h = pdq::Hash256::from_hex(r.file_pdq);
      if (!h.ok()) continue;
      hashes[end] = h.value();
      if (int64_t c = near_case(h.value())) {
        r.join_case = c;
        continue;
      }
      // A near-duplicate of a report of this batch that has no case yet:
      // commit what comes before it first, so that it can join that case.
      bool near_earlier = false;
      for (size_t k = begin; k < end && !near_earlier; ++k) {
        near_earlier = hashes[k] && pdq::hamming_distance(*hashes[k], h.value()) <= options_.pdq_threshold;
      }
      if (near_earlier) break;
    }
    commit_range(batch, begin, end);
    begin = end;
  }
}

void CaseDesk::commit_range(std::vector<Item>& batch, size_t begin, size_t end) {
  std::vector<store::NewReport> reports;
  reports.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) reports.push_back(batch[i].report);
  auto got = writer_->intake(reports);
  counters_.commits.fetch_add(1, std::memory_order_relaxed);
  if (got.ok()) {
    counters_.reports.fetch_add(end - begin, std::memory_order_relaxed);
    for (size_t i = begin; i < end; ++i) {
      const store::IntakeResult& res = got.value()[i - begin];
      if (auto h = pdq::Hash256::from_hex(batch[i].report.file_pdq); h.ok()) pdqs_.emplace_back(h.value(), res.case_id);
      batch[i].done(res);
    }
    return;
  }
  if (got.status().code() != ErrorCode::kInvalidInput || end - begin == 1) {
    for (size_t i = begin; i < end; ++i) batch[i].done(got.status());
    return;
  }
  // One report was refused (nothing was written): commit the others alone,
  // so one bad report never costs anyone else their receipt.
  for (size_t i = begin; i < end; ++i) commit_range(batch, i, i + 1);
}

}  // namespace chainbreak::api
