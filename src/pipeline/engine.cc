#include "pipeline/engine.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace chainbreak::pipeline {

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<Engine>> Engine::open(const EngineOptions& options) {
  std::unique_ptr<Engine> e(new Engine(options));
  auto st = store::open_store(options.location);
  if (!st.ok()) return st.status();
  auto sv = store::open_service_store(options.location);
  if (!sv.ok()) return sv.status();
  auto set = banks::BankSet::open(*st.value(), options.snapshot_dir);
  if (!set.ok()) return set.status();
  e->set_ = std::move(set.value());
  if (Status s = e->reload_rules(*sv.value()); !s.ok()) return s;
  e->store_pool_.push_back(std::move(st.value()));
  e->service_pool_.push_back(std::move(sv.value()));
  e->ready_ = true;
  e->follower_ = std::thread([p = e.get()] { p->follow_loop(); });
  if (options.deliver_webhooks && options.post) e->deliverer_ = std::thread([p = e.get()] { p->deliver_loop(); });
  return e;
}

Engine::~Engine() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (follower_.joinable()) follower_.join();
  if (deliverer_.joinable()) deliverer_.join();
}

Result<Lease<store::Store>> Engine::store() {
  std::unique_ptr<store::Store> conn;
  {
    std::lock_guard lock(pool_mu_);
    if (!store_pool_.empty()) {
      conn = std::move(store_pool_.back());
      store_pool_.pop_back();
    }
  }
  if (!conn) {
    auto st = store::open_store(options_.location);
    if (!st.ok()) return st.status();
    conn = std::move(st.value());
  }
  return Lease<store::Store>(std::move(conn), [this](std::unique_ptr<store::Store> c) {
    std::lock_guard lock(pool_mu_);
    store_pool_.push_back(std::move(c));
  });
}

Result<Lease<store::ServiceStore>> Engine::service() {
  std::unique_ptr<store::ServiceStore> conn;
  {
    std::lock_guard lock(pool_mu_);
    if (!service_pool_.empty()) {
      conn = std::move(service_pool_.back());
      service_pool_.pop_back();
    }
  }
  if (!conn) {
    auto st = store::open_service_store(options_.location);
    if (!st.ok()) return st.status();
    conn = std::move(st.value());
  }
  return Lease<store::ServiceStore>(std::move(conn), [this](std::unique_ptr<store::ServiceStore> c) {
    std::lock_guard lock(pool_mu_);
    service_pool_.push_back(std::move(c));
  });
}

Status Engine::reload_rules(store::ServiceStore& s) {
  auto rules = s.list_rules();
  if (!rules.ok()) return rules.status();
  rules_.store(std::make_shared<const std::vector<store::Rule>>(std::move(rules.value())));
  return Status::Ok();
}

std::shared_ptr<const std::vector<store::Rule>> Engine::rules() const { return rules_.load(); }

Status Engine::refresh() {
  std::lock_guard one(refresh_mu_);
  auto st = store();
  if (!st.ok()) return st.status();
  auto last = st.value()->last_change_seq();
  if (!last.ok()) return last.status();
  bool behind;
  {
    std::shared_lock lock(set_mu_);
    behind = last.value() > set_->seq();
  }
  if (behind) {
    std::unique_lock lock(set_mu_);
    if (Status s = set_->refresh(*st.value()); !s.ok()) return s;
  }
  auto sv = service();
  if (!sv.ok()) return sv.status();
  return reload_rules(*sv.value());
}

Status Engine::save_snapshots() {
  if (options_.snapshot_dir.empty()) return Status::Ok();
  std::unique_lock lock(set_mu_);
  return set_->save_snapshots();
}

int64_t Engine::seq() const {
  std::shared_lock lock(set_mu_);
  return set_->seq();
}

size_t Engine::pdq_entries() const {
  auto st = const_cast<Engine*>(this)->store();
  if (!st.ok()) return 0;
  auto banks = st.value()->list_banks();
  if (!banks.ok()) return 0;
  std::shared_lock lock(set_mu_);
  size_t n = 0;
  for (const auto& b : banks.value()) n += set_->pdq_size(b.id);
  return n;
}

// Counts the lookup for the alarm; quarantines banks that trip (store
// update + audit entry + refresh), logging failures rather than failing the
// lookup that tripped it.
void Engine::feed_alarm(const std::vector<banks::Match>& matches) {
  if (!options_.alarm_enabled) return;
  std::vector<std::string> names;
  for (const auto& m : matches) {
    if (!m.allowlist && !m.suppressed && !m.quarantined) names.push_back(m.bank);
  }
  auto trips = alarm_.observe(now_us(), names);
  for (const auto& t : trips) {
    auto st = store();
    if (!st.ok()) continue;
    auto bank = st.value()->find_bank(t.bank);
    if (!bank.ok() || !bank.value()) continue;
    store::Bank b = *bank.value();
    b.quarantined = true;
    b.quarantine_reason = t.reason;
    if (Status s = st.value()->update_bank(b); !s.ok()) {
      std::fprintf(stderr, "chainbreak: quarantining bank %s failed: %s\n", t.bank.c_str(), s.message().c_str());
      continue;
    }
    counters_.quarantines++;
    std::fprintf(stderr, "chainbreak: bank %s quarantined: %s\n", t.bank.c_str(), t.reason.c_str());
    if (auto sv = service(); sv.ok()) {
      nlohmann::json d = {{"reason", t.reason},
                          {"matches", t.matches},
                          {"lookups", t.lookups},
                          {"rate", t.rate},
                          {"baseline", t.baseline}};
      (void)sv.value()->append_audit("system", "bank.quarantine", "bank:" + t.bank, d.dump());
    }
  }
  if (!trips.empty()) (void)refresh();
}

Result<std::vector<banks::Match>> Engine::match_pdq(const pdq::Hash256& q, std::span<const std::string> banks,
                                                    std::optional<int> threshold) {
  auto st = store();
  if (!st.ok()) return st.status();
  Result<std::vector<banks::Match>> r = Status(ErrorCode::kInternal, "unset");
  {
    std::shared_lock lock(set_mu_);
    r = set_->match_pdq(*st.value(), q, banks, threshold, now_s());
  }
  if (!r.ok()) return r;
  counters_.lookups++;
  if (!r.value().empty()) counters_.lookup_matches++;
  feed_alarm(r.value());
  return r;
}

Result<std::vector<banks::Match>> Engine::match_exact(store::SignalType type, std::span<const uint8_t> digest,
                                                      std::span<const std::string> banks) {
  auto st = store();
  if (!st.ok()) return st.status();
  Result<std::vector<banks::Match>> r = Status(ErrorCode::kInternal, "unset");
  {
    std::shared_lock lock(set_mu_);
    r = set_->match_exact(*st.value(), type, digest, banks, now_s());
  }
  if (!r.ok()) return r;
  counters_.lookups++;
  if (!r.value().empty()) counters_.lookup_matches++;
  feed_alarm(r.value());
  return r;
}

void Engine::follow_loop() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, options_.follow_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    if (Status s = refresh(); !s.ok()) {
      counters_.follow_errors++;
      std::fprintf(stderr, "chainbreak: following bank changes failed: %s\n", s.message().c_str());
    }
    lock.lock();
  }
}

}  // namespace chainbreak::pipeline
