// Webhook delivery: the outbox in the service store, claimed with a lease so
// one replica sends each delivery, retried with exponential backoff.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>

#include "pipeline/engine.h"

namespace chainbreak::pipeline {

std::string webhook_signature(const std::string& secret, int64_t unix_s, const std::string& body) {
  std::string msg = std::to_string(unix_s) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out = "t=" + std::to_string(unix_s) + ",v1=";
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

void Engine::deliver_once() {
  auto sv = service();
  if (!sv.ok()) return;
  const int64_t lease_us = (options_.webhook_timeout.count() + 5'000) * 1000;
  auto due = sv.value()->claim_due_deliveries(now_us(), lease_us, 16);
  if (!due.ok()) {
    std::fprintf(stderr, "chainbreak: webhook outbox: %s\n", due.status().message().c_str());
    return;
  }
  for (const auto& d : due.value()) {
    int attempt = d.attempts + 1;
    std::vector<std::pair<std::string, std::string>> headers = {
        {"X-Chainbreak-Delivery", std::to_string(d.id)},
        {"X-Chainbreak-Attempt", std::to_string(attempt)},
    };
    if (!d.secret.empty()) headers.emplace_back("X-Chainbreak-Signature", webhook_signature(d.secret, now_s(), d.body));
    auto r = options_.post(d.url, d.body, headers, options_.webhook_timeout);
    if (r.ok() && r.value() >= 200 && r.value() < 300) {
      (void)sv.value()->mark_delivered(d.id, attempt);
      counters_.webhooks_delivered++;
      continue;
    }
    counters_.webhooks_failed_attempts++;
    std::string error = r.ok() ? "HTTP status " + std::to_string(r.value()) : r.status().message();
    bool final = attempt >= options_.webhook_max_attempts;
    int64_t delay_us = options_.webhook_base_delay.count() * 1000;
    for (int i = 1; i < attempt && delay_us < 600'000'000; ++i) delay_us *= 2;
    delay_us = std::min<int64_t>(delay_us, 600'000'000);
    (void)sv.value()->mark_attempt_failed(d.id, attempt, now_us() + delay_us, final, error);
  }
}

void Engine::deliver_loop() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, options_.webhook_poll, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    deliver_once();
    lock.lock();
  }
}

}  // namespace chainbreak::pipeline
