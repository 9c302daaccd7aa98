// Shared by the API's route files: the request context, role guards, JSON
// helpers and the audit hook.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/api/api.h"

namespace chainbreak::api {

struct Ctx {
  pipeline::Principal who;
};

using Json = nlohmann::json;
using RouteFn = std::function<void(Ctx&, http::Request&, http::Response&)>;

// Metrics: requests by status code, latency histogram. A deferred answer
// (Response::defer) is counted when it is sent, with its final status and
// the time until then.
struct Metrics {
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};
  static constexpr int kCodes = 600;           // statuses 100..599
  std::atomic<uint64_t> by_code[kCodes] = {};  // by status; others at 0
  std::atomic<uint64_t> latency[kBuckets.size() + 1] = {};
  std::atomic<uint64_t> latency_sum_us{0};
  // Counts one answered request: its status and the microseconds since t0.
  void record(int status, std::chrono::steady_clock::time_point t0);
};

struct Api::Impl {
  Impl(pipeline::Engine& e, ApiOptions o)
      : engine(e), options(std::move(o)), auth(e, options.anonymous_roles), cases(options.cases) {}

  pipeline::Engine& engine;
  ApiOptions options;
  pipeline::Authenticator auth;
  http::Router router;
  Metrics metrics;

  // Adds a route whose caller must hold one of the roles (0: anyone).
  void route(const char* method, const char* pattern, uint32_t roles, RouteFn fn);
  // Audit-logs an action by the context's principal; false (and a 503 set
  // on res) when the audit log cannot be written.
  bool audit(Ctx& ctx, http::Response& res, std::string_view action, std::string_view target,
             const Json& detail = Json::object());
  // A write with its audit entry: appends the entry first (so no write is
  // ever left unaudited), then runs write(). When write() fails, appends
  // "<action>.failed" with the error and sets res from the Status (field
  // names the request field at fault). Returns true when write() succeeded.
  bool audited(Ctx& ctx, http::Response& res, std::string_view action, std::string_view target, const Json& detail,
               const std::function<Status()>& write, std::string_view field = {});

  void add_ops_routes();
  void add_match_routes();
  void add_bank_routes();
  void add_entry_routes();
  void add_rule_routes();
  void add_record_routes();
  void add_hma_routes();
  void add_hma_curation_routes();
  void add_payment_routes();
  void add_case_routes();         // public reports (case_routes.cc)
  void add_console_routes();      // cases, partners, reveals (console_routes.cc)
  void add_web_routes();          // the portal and console pages (web_routes.cc)
  void add_case_report_routes();  // reports to NCMEC from cases (case_report_routes.cc)
  void add_evidence_routes();     // legal holds on a case's evidence (evidence_routes.cc)
  // True when case id has evidence item eid; else false with a 404 (or the
  // store's error) set on res.
  bool evidence_of_case(int64_t id, int64_t eid, http::Response& res);

  CaseDesk* cases = nullptr;  // options.cases
  // True (and a 503 set on res) when this server runs without reports and
  // cases (PostgreSQL without a key directory).
  bool cases_off(http::Response& res) const;

  std::mutex pay_mu;  // the payment engine is single-threaded

  // Work a request runs on a thread of its own (a CyberTipline submission
  // waits on the network for minutes at worst), answering through
  // Response::defer. reserve_background takes a slot: false, with a 503
  // set on res, when draining or when kMaxBackground are running.
  // run_background then runs fn on a new thread and frees the slot after
  // fn returns (fn must call the response's resume() itself). drain()
  // refuses new slots and waits for the running ones.
  static constexpr int kMaxBackground = 8;
  bool reserve_background(http::Response& res);
  void run_background(std::function<void()> fn);
  void drain();
  std::mutex bg_mu;
  std::condition_variable bg_cv;
  int bg_running = 0;
  bool bg_draining = false;
  ~Impl() { drain(); }
};

// Writes j as the response body with the status.
void send_json(http::Response& res, int status, const Json& j);
// Maps a Status to a JSON error: kInvalidInput/kUnsupported 400 (409 when
// the message says "already exists", 404 when it names an unknown bank or
// id), kLimitExceeded 413, others 503.
void send_status(http::Response& res, const Status& st, std::string_view field = {});
// Parses the body as a JSON object; on failure sets a 400 naming the
// position and returns nullopt.
std::optional<Json> parse_body(const http::Request& req, http::Response& res);
// Reads an optional integer query parameter within [lo, hi]; on a bad
// value sets a 400 naming the parameter and returns false.
bool query_int(const http::Request& req, http::Response& res, std::string_view key, int64_t lo, int64_t hi,
               int64_t* out);
// The positive integer id in the path parameter `name`; 0 with a 400
// naming it set on res when it is not one.
int64_t path_id(const http::Request& req, http::Response& res, std::string_view name);
// Unix microseconds as ISO 8601 UTC ("2026-11-23T16:41:11Z"); "" for 0
// or less (a milestone not reached).
std::string iso_utc(int64_t us);
// Splits a comma-separated list ("" -> empty).
std::vector<std::string> split_list(std::string_view s);

}  // namespace chainbreak::api
