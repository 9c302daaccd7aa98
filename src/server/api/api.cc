#include "server/api/api.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "server/api/api_internal.h"
#include "server/api/case_desk.h"
#include "util/text.h"

namespace chainbreak::api {

extern const char* const kOpenApiJson;  // generated from docs/openapi.json

void send_json(http::Response& res, int status, const Json& j) {
  res.status = status;
  res.content_type = "application/json";
  res.body = j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void send_status(http::Response& res, const Status& st, std::string_view field) {
  switch (st.code()) {
    case ErrorCode::kInvalidInput:
    case ErrorCode::kUnsupported: {
      const std::string& m = st.message();
      if (m.find("already exists") != std::string::npos) return http::json_error(res, 409, "conflict", m, field);
      bool missing = m.rfind("no bank", 0) == 0 || m.rfind("unknown ", 0) == 0 || m.rfind("no such", 0) == 0 ||
                     m.find(": unknown ") != std::string::npos;
      http::json_error(res, missing ? 404 : 400, missing ? "not_found" : "invalid_input", m, field);
      return;
    }
    case ErrorCode::kLimitExceeded: http::json_error(res, 413, "too_large", st.message(), field); return;
    default: http::json_error(res, 503, "unavailable", st.message()); return;
  }
}

std::optional<Json> parse_body(const http::Request& req, http::Response& res) {
  Json j = Json::parse(req.body, nullptr, false);
  if (j.is_discarded()) {
    // Re-parse with exceptions only to get the position for the message.
    try {
      Json again = Json::parse(req.body);
      (void)again;
    } catch (const Json::parse_error& e) {
      http::json_error(res, 400, "bad_json", "request body is not valid JSON (byte " + std::to_string(e.byte) + ")",
                       "body");
      return std::nullopt;
    }
    http::json_error(res, 400, "bad_json", "request body is not valid JSON", "body");
    return std::nullopt;
  }
  if (!j.is_object()) {
    http::json_error(res, 400, "bad_json", "request body must be a JSON object", "body");
    return std::nullopt;
  }
  return j;
}

bool query_int(const http::Request& req, http::Response& res, std::string_view key, int64_t lo, int64_t hi,
               int64_t* out) {
  auto v = req.query_param(key);
  if (!v) return true;
  int64_t x = 0;
  bool ok = !v->empty() && v->size() <= 18;
  for (char c : *v) ok = ok && c >= '0' && c <= '9';
  if (ok) {
    for (char c : *v) x = x * 10 + (c - '0');
    ok = x >= lo && x <= hi;
  }
  if (!ok) {
    http::json_error(res, 400, "invalid_parameter",
                     std::string(key) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi),
                     key);
    return false;
  }
  *out = x;
  return true;
}

int64_t path_id(const http::Request& req, http::Response& res, std::string_view name) {
  std::string_view s = req.param(name);
  int64_t v = 0;
  bool ok = !s.empty() && s.size() <= 18;
  for (char c : s) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) v = v * 10 + (c - '0');
  }
  if (!ok || v <= 0) {
    http::json_error(res, 400, "invalid_parameter", std::string(name) + " must be a positive integer", name);
    return 0;
  }
  return v;
}

std::string iso_utc(int64_t us) {
  if (us <= 0) return "";
  return iso_utc_seconds(us);
}

bool Api::Impl::cases_off(http::Response& res) const {
  if (cases) return false;
  http::json_error(res, 503, "unavailable", "reports and cases are not enabled on this server");
  return true;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    if (comma > start) out.emplace_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

void Api::Impl::route(const char* method, const char* pattern, uint32_t roles, RouteFn fn) {
  router.add(method, pattern, [this, roles, fn = std::move(fn)](http::Request& req, http::Response& res) {
    Ctx ctx;
    if (roles == 0) {  // open routes (health, readiness, metrics, the API document): no token looked at
      ctx.who.name = "anonymous";
      return fn(ctx, req, res);
    }
    auto who = auth.authenticate(req.header("authorization"));
    if (!who.ok()) {
      if (who.status().code() == ErrorCode::kInvalidInput) {
        http::json_error(res, 401, "unauthorized", who.status().message(), "Authorization");
        res.headers.emplace_back("WWW-Authenticate", "Bearer");
      } else {
        send_status(res, who.status());
      }
      return;
    }
    ctx.who = std::move(who.value());
    if (roles != 0 && !ctx.who.has(roles)) {
      std::string need;
      for (uint32_t r = 1; r <= store::kRoleAuditor; r <<= 1) {
        if (roles & r) need += std::string(need.empty() ? "" : " or ") + store::role_name(static_cast<store::Role>(r));
      }
      if (ctx.who.anonymous) {
        http::json_error(res, 401, "unauthorized", "a token with the " + need + " role is required", "Authorization");
        res.headers.emplace_back("WWW-Authenticate", "Bearer");
      } else {
        http::json_error(res, 403, "forbidden", "token '" + ctx.who.name + "' lacks the " + need + " role");
      }
      return;
    }
    fn(ctx, req, res);
  });
}

bool Api::Impl::audit(Ctx& ctx, http::Response& res, std::string_view action, std::string_view target,
                      const Json& detail) {
  auto sv = engine.service();
  Status st = sv.ok() ? Status::Ok() : sv.status();
  if (st.ok()) {
    auto r = sv.value()->append_audit(ctx.who.name, action, target, detail.empty() ? "" : detail.dump());
    if (!r.ok()) st = r.status();
  }
  if (!st.ok()) {
    http::json_error(res, 503, "unavailable", "audit log: " + st.message());
    return false;
  }
  return true;
}

bool Api::Impl::audited(Ctx& ctx, http::Response& res, std::string_view action, std::string_view target,
                        const Json& detail, const std::function<Status()>& write, std::string_view field) {
  if (!audit(ctx, res, action, target, detail)) return false;
  Status st = write();
  if (st.ok()) return true;
  Json failure = {{"error", st.message()}};
  auto sv = engine.service();
  if (sv.ok()) (void)sv.value()->append_audit(ctx.who.name, std::string(action) + ".failed", target, failure.dump());
  send_status(res, st, field);
  return false;
}

void Api::Impl::add_ops_routes() {
  route("GET", "/v1/health", 0, [](Ctx&, http::Request&, http::Response& res) {
    send_json(res, 200, {{"status", "ok"}});
  });
  route("GET", "/v1/ready", 0, [this](Ctx&, http::Request&, http::Response& res) {
    auto st = engine.store();
    bool db = st.ok() && st.value()->last_change_seq().ok();
    bool ready = engine.ready() && db;
    send_json(res, ready ? 200 : 503, {{"ready", ready}, {"database", db}, {"seq", engine.seq()}});
  });
  route("GET", "/v1/openapi.json", 0, [](Ctx&, http::Request&, http::Response& res) {
    res.status = 200;
    res.content_type = "application/json";
    res.body = kOpenApiJson;
  });
  route("GET", "/metrics", 0, [this](Ctx&, http::Request&, http::Response& res) {
    auto& c = engine.counters();
    std::string out;
    auto line = [&out](const char* name, const char* help, const char* type, uint64_t v) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
             std::to_string(v) + "\n";
    };
    out += "# HELP chainbreak_http_requests_total HTTP requests answered, by status code.\n";
    out += "# TYPE chainbreak_http_requests_total counter\n";
    for (int k = 100; k < Metrics::kCodes; ++k) {
      const uint64_t v = metrics.by_code[k].load(std::memory_order_relaxed);
      if (v != 0)
        out += "chainbreak_http_requests_total{code=\"" + std::to_string(k) + "\"} " + std::to_string(v) + "\n";
    }
    out += "# HELP chainbreak_http_request_seconds Time to handle a request.\n";
    out += "# TYPE chainbreak_http_request_seconds histogram\n";
    uint64_t cum = 0;
    for (size_t i = 0; i < Metrics::kBuckets.size(); ++i) {
      cum += metrics.latency[i].load();
      char le[32];
      std::snprintf(le, sizeof le, "%g", Metrics::kBuckets[i]);
      out += std::string("chainbreak_http_request_seconds_bucket{le=\"") + le + "\"} " + std::to_string(cum) + "\n";
    }
    cum += metrics.latency[Metrics::kBuckets.size()].load();
    out += "chainbreak_http_request_seconds_bucket{le=\"+Inf\"} " + std::to_string(cum) + "\n";
    char sum[64];
    std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(metrics.latency_sum_us.load()) / 1e6);
    out += std::string("chainbreak_http_request_seconds_sum ") + sum + "\n";
    out += "chainbreak_http_request_seconds_count " + std::to_string(cum) + "\n";
    line("chainbreak_lookups_total", "Signal lookups against the banks.", "counter", c.lookups.load());
    line("chainbreak_lookup_matches_total", "Lookups with at least one match.", "counter", c.lookup_matches.load());
    line("chainbreak_decisions_total", "Decision records written.", "counter", c.decisions.load());
    line("chainbreak_webhooks_delivered_total", "Webhook deliveries acknowledged.", "counter",
         c.webhooks_delivered.load());
    line("chainbreak_webhook_failed_attempts_total", "Webhook attempts that failed.", "counter",
         c.webhooks_failed_attempts.load());
    line("chainbreak_bank_quarantines_total", "Banks quarantined by the match-rate alarm.", "counter",
         c.quarantines.load());
    line("chainbreak_follow_errors_total", "Failures following the bank change log.", "counter",
         c.follow_errors.load());
    line("chainbreak_change_seq", "Bank change sequence this replica has applied.", "gauge",
         static_cast<uint64_t>(engine.seq()));
    line("chainbreak_pdq_entries", "Live PDQ entries in the indexes.", "gauge", engine.pdq_entries());
    if (cases) {
      line("chainbreak_reports_acknowledged_total", "Case reports stored and acknowledged (public and automated).",
           "counter", cases->counters().reports.load());
      line("chainbreak_report_intake_commits_total", "Intake transactions (group commits) of case reports.", "counter",
           cases->counters().commits.load());
    }
    res.status = 200;
    res.content_type = "text/plain; version=0.0.4";
    res.body = std::move(out);
  });
}

Api::Api(pipeline::Engine& engine, ApiOptions options) : impl_(std::make_unique<Impl>(engine, std::move(options))) {
  impl_->add_ops_routes();
  impl_->add_match_routes();
  impl_->add_bank_routes();
  impl_->add_entry_routes();
  impl_->add_rule_routes();
  impl_->add_record_routes();
  impl_->add_hma_routes();
  impl_->add_payment_routes();
  impl_->add_case_routes();
  impl_->add_web_routes();
}

Api::~Api() = default;

void Api::drain() { impl_->drain(); }

bool Api::Impl::reserve_background(http::Response& res) {
  std::lock_guard<std::mutex> lock(bg_mu);
  if (bg_draining || bg_running >= kMaxBackground) {
    http::json_error(res, 503, "unavailable",
                     bg_draining ? "the server is stopping" : "too many submissions in progress; try again shortly");
    return false;
  }
  ++bg_running;
  return true;
}

void Api::Impl::run_background(std::function<void()> fn) {
  std::thread([this, fn = std::move(fn)]() mutable {
    fn();
    fn = nullptr;  // what fn holds (the response's resume) goes before the slot is freed
    std::lock_guard<std::mutex> lock(bg_mu);
    --bg_running;
    bg_cv.notify_all();
  }).detach();
}

void Api::Impl::drain() {
  std::unique_lock<std::mutex> lock(bg_mu);
  bg_draining = true;
  bg_cv.wait(lock, [this] { return bg_running == 0; });
}

void Metrics::record(int status, std::chrono::steady_clock::time_point t0) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  by_code[status >= 100 && status < kCodes ? status : 0].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBuckets.size() && static_cast<double>(us) / 1e6 > kBuckets[b]) ++b;
  latency[b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us.fetch_add(static_cast<uint64_t>(us), std::memory_order_relaxed);
}

void Api::handle(http::Request& req, http::Response& res) {
  const auto t0 = std::chrono::steady_clock::now();
  impl_->router.handle(req, res);
  Metrics& m = impl_->metrics;
  if (!res.defer) return m.record(res.status, t0);
  // Answered later: counted when resume() is called, with the status the
  // response then has (res is the session's, alive until it is sent).
  res.defer = [inner = std::move(res.defer), &m, &res, t0](std::function<void()> resume) {
    inner([&m, &res, t0, resume = std::move(resume)] {
      m.record(res.status, t0);
      resume();
    });
  };
}

}  // namespace chainbreak::api
