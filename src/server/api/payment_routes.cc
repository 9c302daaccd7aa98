// /v1/payments: screen transactions (one, a JSON batch, or JSON lines) with
// the payment screening engine, redress (release, confirm, appeal, snooze,
// green-list) and the counters. Decisions are journaled and committed
// (fdatasync) before the response is sent: an answered decision survives
// kill -9. The engine is single-threaded: calls are serialised here.
#include <mutex>

#include "payments/pay_state.h"
#include "server/api/api_internal.h"

namespace chainbreak::api {

namespace {

constexpr size_t kMaxBatch = 10000;

bool enabled(const ApiOptions& o, http::Response& res) {
  if (o.payments != nullptr) return true;
  http::json_error(res, 503, "unavailable",
                   "payment screening is not enabled on this server (chainbreak serve --payments-state DIR)");
  return false;
}

}  // namespace

void Api::Impl::add_payment_routes() {
  route("POST", "/v1/payments/screen", store::kRoleMatcher, [this](Ctx&, http::Request& req, http::Response& res) {
    if (!enabled(options, res)) return;
    // The lines to screen: JSON lines as sent, or the elements of a JSON
    // batch re-serialised one per line.
    std::vector<std::string> owned;
    std::vector<payments::LineRef> lines;
    bool batch = true;
    const std::string* ct = req.header("content-type");
    if (ct != nullptr && ct->rfind("application/x-ndjson", 0) == 0) {
      uint64_t no = 0;
      size_t start = 0;
      while (start < req.body.size()) {
        size_t nl = req.body.find('\n', start);
        if (nl == std::string::npos) nl = req.body.size();
        ++no;
        std::string_view line(req.body.data() + start, nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) lines.push_back({line, no});
        start = nl + 1;
      }
    } else {
      auto body = parse_body(req, res);
      if (!body) return;
      if (body->contains("transactions")) {
        const Json& txs = (*body)["transactions"];
        if (!txs.is_array() || txs.empty()) {
          return http::json_error(res, 400, "invalid_field", "transactions must be a non-empty array", "transactions");
        }
        if (txs.size() > kMaxBatch) {
          return http::json_error(res, 413, "too_large", "at most 10000 transactions per request", "transactions");
        }
        owned.reserve(txs.size());
        for (const Json& t : txs) owned.push_back(t.dump());
      } else {
        batch = false;
        owned.push_back(req.body);
      }
      for (size_t i = 0; i < owned.size(); ++i) lines.push_back({owned[i], i + 1});
    }
    if (lines.empty()) return http::json_error(res, 400, "empty_body", "no transactions in the body", "body");
    if (lines.size() > kMaxBatch) {
      return http::json_error(res, 413, "too_large", "at most 10000 transactions per request", "body");
    }
    std::string out;
    uint64_t seq;
    {
      std::lock_guard lock(pay_mu);
      options.payments->screen_lines(lines, out);
      seq = options.payments->queued_batches();
    }
    // out holds one decision line per input line, each ending in '\n'.
    std::string body;
    body.reserve(out.size() + 32);
    if (batch) body += "{\"decisions\":[";
    size_t start = 0;
    bool first = true;
    while (start < out.size()) {
      size_t nl = out.find('\n', start);
      if (nl == std::string::npos) nl = out.size();
      if (!first) body += ',';
      body.append(out, start, nl - start);
      first = false;
      start = nl + 1;
    }
    if (batch) body += "]}";
    res.status = 200;
    res.content_type = "application/json";
    res.body = std::move(body);
    // Answer only once the journal holds these decisions: the flusher's
    // group commit (concurrent requests share one fdatasync) resumes us.
    res.defer = [this, seq, &res](std::function<void()> resume) {
      options.payments->commit_async(seq, pay_mu, [&res, resume = std::move(resume)](Status st) {
        if (!st.ok()) http::json_error(res, 503, "unavailable", "payment journal: " + st.message());
        resume();
      });
    };
  });

  route("POST", "/v1/payments/redress", store::kRoleReviewer,
        [this](Ctx& ctx, http::Request& req, http::Response& res) {
          if (!enabled(options, res)) return;
          auto body = parse_body(req, res);
          if (!body) return;
          for (const char* f : {"event", "tx", "outcome", "rule", "entity", "note"}) {
            if (body->contains(f) && !(*body)[f].is_string()) {
              return http::json_error(res, 400, "invalid_field", std::string(f) + " must be a string", f);
            }
          }
          for (const char* f : {"at", "until"}) {
            if (body->contains(f) && !(*body)[f].is_number_integer()) {
              return http::json_error(res, 400, "invalid_field", std::string(f) + " must be unix seconds", f);
            }
          }
          if (body->contains("on") && !(*body)["on"].is_boolean()) {
            return http::json_error(res, 400, "invalid_field", "on must be true or false", "on");
          }
          if (!body->contains("at")) (*body)["at"] = pipeline::now_s();
          (*body)["actor"] = ctx.who.name;
          auto ev = payments::redress_from_json(body->dump());
          if (!ev.ok()) return http::json_error(res, 400, "invalid_redress", ev.status().message(), "event");
          std::string target = "payment:" + (ev.value().tx_id.empty() ? ev.value().entity : ev.value().tx_id);
          if (!audited(
                  ctx, res, "payment." + body->value("event", std::string("redress")), target, *body,
                  [&] {
                    {
                      std::lock_guard lock(pay_mu);
                      if (Status st = options.payments->redress_queued(ev.value()); !st.ok()) return st;
                    }
                    return options.payments->commit_shared(pay_mu);
                  },
                  "tx")) {
            return;
          }
          send_json(res, 200, {{"applied", true}, {"event", *body}});
        });

  route("GET", "/v1/payments/stats", store::kRoleReviewer | store::kRoleAuditor,
        [this](Ctx&, http::Request&, http::Response& res) {
          if (!enabled(options, res)) return;
          payments::Stats s;
          {
            std::lock_guard lock(pay_mu);
            s = options.payments->screener().stats();
          }
          Json rules = Json::array();
          for (const auto& r : s.rules) {
            rules.push_back({{"rule", r.rule},
                             {"fired", r.fired},
                             {"held", r.held},
                             {"released", r.released},
                             {"confirmed", r.confirmed},
                             {"snoozed", r.snoozed}});
          }
          send_json(res, 200,
                    {{"screened", s.screened},
                     {"held", s.held},
                     {"blocked", s.blocked},
                     {"open_holds", s.open_holds},
                     {"released", s.released},
                     {"confirmed", s.confirmed},
                     {"appeals", s.appeals},
                     {"median_release_seconds", s.median_release_seconds},
                     {"rules", rules}});
        });
}

}  // namespace chainbreak::api
