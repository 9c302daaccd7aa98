#include "server/api/custody_keeper.h"

#include <cstdio>
#include <optional>

#include "custody/keys.h"
#include "custody/vault.h"
#include "custody/verify.h"
#include "store/custody_store.h"
#include "store/service_store.h"

namespace chainbreak::api {

struct CustodyKeeper::State {
  std::unique_ptr<store::ServiceStore> audit;
  std::unique_ptr<store::CustodyStore> custody;
  std::optional<custody::SigningKey> signer;
  std::unique_ptr<custody::Vault> vault;
};

CustodyKeeper::CustodyKeeper(Options o) : options_(std::move(o)), state_(std::make_unique<State>()) {}

Result<std::unique_ptr<CustodyKeeper>> CustodyKeeper::start(const Options& options) {
  std::unique_ptr<CustodyKeeper> k(new CustodyKeeper(options));
  auto dir = custody::resolve_key_dir(options.location, options.key_dir);
  if (!dir.ok()) return dir.status();
  auto signer = custody::load_or_create_signing_key(dir.value());
  if (!signer.ok()) return signer.status();
  auto key = custody::load_or_create_evidence_key(dir.value());
  if (!key.ok()) return key.status();
  auto a = store::open_service_store(options.location);
  if (!a.ok()) return a.status();
  auto c = store::open_custody_store(options.location);
  if (!c.ok()) return c.status();
  State& s = *k->state_;
  s.audit = std::move(a.value());
  s.custody = std::move(c.value());
  s.signer.emplace(std::move(signer.value()));
  s.vault = std::make_unique<custody::Vault>(*s.audit, *s.custody, std::move(key.value()));
  k->thread_ = std::thread([p = k.get()] { p->loop(); });
  return k;
}

CustodyKeeper::~CustodyKeeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CustodyKeeper::checkpoint() {
  auto cp = custody::sign_checkpoint(*state_->audit, *state_->custody, *state_->signer);
  if (!cp.ok()) {
    errors_.fetch_add(1);
    std::fprintf(stderr, "chainbreak: audit checkpoint: %s\n", cp.status().message().c_str());
    return;
  }
  if (cp.value()) checkpoints_.fetch_add(1);
}

void CustodyKeeper::purge() {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto ids = state_->vault->purge_expired(now, "system");
  if (!ids.ok()) {
    errors_.fetch_add(1);
    std::fprintf(stderr, "chainbreak: evidence purge: %s\n", ids.status().message().c_str());
    return;
  }
  purged_.fetch_add(ids.value().size());
}

void CustodyKeeper::loop() {
  using clock = std::chrono::steady_clock;
  auto next_checkpoint = clock::now() + options_.checkpoint_interval;
  auto next_purge = clock::now();  // expired evidence goes at start-up too
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, std::min(next_checkpoint, next_purge), [this] { return stopping_; });
      if (stopping_) break;
    }
    const auto now = clock::now();
    if (now >= next_purge) {
      purge();
      next_purge = now + options_.purge_interval;
    }
    if (now >= next_checkpoint) {
      checkpoint();
      next_checkpoint = now + options_.checkpoint_interval;
    }
  }
  checkpoint();  // the head as the service leaves it
}

}  // namespace chainbreak::api
