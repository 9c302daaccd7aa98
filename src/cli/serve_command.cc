// `chainbreak serve`: the matching service (HTTP API, HMA-compatible
// routes), and `chainbreak token`: API tokens for it. Parses options, opens
// the engine, runs the server until SIGINT/SIGTERM, then stops gracefully.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/store_location.h"
#include "payments/pay_state.h"
#include "pipeline/auth.h"
#include "pipeline/engine.h"
#include "reports/from_case.h"
#include "server/api/api.h"
#include "server/api/case_desk.h"
#include "server/api/custody_keeper.h"
#include "server/http/http.h"
#include "util/file.h"

namespace chainbreak::cli {
namespace {

struct ServeOptions {
  StoreLocation where;
  std::string listen = "127.0.0.1:8080";
  int threads = 0;
  std::string tls_cert, tls_key;
  std::vector<std::string> anonymous_roles;
  size_t max_body = 64u << 20;
  int read_timeout_ms = 30'000;
  int follow_ms = 500;
  bool no_webhooks = false;
  bool no_alarm = false;
  int64_t alarm_min_matches = 50;
  double alarm_factor = 10, alarm_floor = 0.01;
  int64_t alarm_window_s = 60;
  std::string snapshots;       // "" = DIR/index with SQLite, none with --db
  std::string payments_state;  // "" = DIR/payments with SQLite, none with --db
  std::string pay_rules;       // "" = $CHAINBREAK_PAY_RULES, else the built-in rules
  std::vector<std::string> payment_id_banks;
  bool no_payments = false;
  std::string key_dir;  // custody keys ("" = DIR/keys with SQLite, $CHAINBREAK_KEY_DIR)
  int64_t evidence_retention_days = 90;
  int case_pdq_threshold = 31;
  int64_t checkpoint_interval_s = 60;
  size_t payment_accounts = 1'000'000;  // sizes the screening tables up front (no rehash pauses)
  // Reports to NCMEC from cases: who files them, and where.
  std::string reporter_name, reporter_email, reporter_phone;
  std::string cybertip_url, cybertip_user, cybertip_password_file;
};

// The reporter and CyberTipline service for /v1/cases/{id}/cybertip from
// the options into ao; false after a message on standard error for a bad
// combination, a reporter that does not validate or an unreadable password
// file.
bool cybertip_options(const ServeOptions& o, api::ApiOptions& ao) {
  namespace ct = reports::cybertip;
  auto bad = [](const std::string& m) {
    std::fprintf(stderr, "chainbreak: %s\n", m.c_str());
    return false;
  };
  const bool any_reporter = !o.reporter_name.empty() || !o.reporter_phone.empty() || !o.reporter_email.empty();
  if (any_reporter && (o.reporter_name.empty() || o.reporter_email.empty()))
    return bad("--reporter-name and --reporter-email go together");
  if (any_reporter) {
    ao.reporter = ct::case_reporter(o.reporter_name, o.reporter_email, o.reporter_phone);
    // The reporter alone, checked in a minimal report.
    ct::Report probe;
    probe.incident_summary.incident_type = std::string(ct::incident_types()[0]);
    probe.incident_summary.incident_date_time = "2024-01-01T00:00:00Z";
    probe.reporter = ao.reporter;
    if (Status s = ct::validate(probe); !s.ok()) return bad("--reporter-*: " + s.message());
  }
  if (o.cybertip_url.empty()) {
    if (!o.cybertip_user.empty() || !o.cybertip_password_file.empty())
      return bad("--cybertip-user and --cybertip-password-file need --cybertip-url");
    return true;
  }
  if (o.cybertip_user.empty() || o.cybertip_password_file.empty())
    return bad("--cybertip-url needs --cybertip-user and --cybertip-password-file");
  if (!any_reporter) return bad("--cybertip-url needs --reporter-name and --reporter-email");
  std::vector<uint8_t> bytes;
  if (Status s = read_file(o.cybertip_password_file, 4096, bytes); !s.ok())
    return bad("--cybertip-password-file: " + s.message());
  std::string pw(bytes.begin(), bytes.end());
  while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
  ct::ClientOptions co;
  co.base_url = o.cybertip_url == "production" ? ct::kProductionUrl
                : o.cybertip_url == "test"     ? ct::kTestUrl
                                               : o.cybertip_url;
  co.user = o.cybertip_user;
  co.password = std::move(pw);
  ao.cybertip = std::move(co);
  return true;
}

// The payment screening state for /v1/payments, or nullptr when disabled.
Result<std::unique_ptr<payments::PaymentState>> open_payments(const ServeOptions& o, const std::string& location) {
  std::string dir = o.payments_state;
  if (dir.empty() && o.where.db.empty()) dir = resolve_data_dir(o.where) + "/payments";
  if (o.no_payments || dir.empty()) return std::unique_ptr<payments::PaymentState>();
  payments::StateOptions so;
  so.dir = dir;
  const char* env = std::getenv("CHAINBREAK_PAY_RULES");
  std::string file = !o.pay_rules.empty() ? o.pay_rules : (env && *env ? env : "");
  auto rules = file.empty() ? payments::parse_rules(payments::kDefaultRulesYaml, "<built-in rules/payments.yaml>")
                            : payments::load_rules_file(file);
  if (!rules.ok()) return rules.status();
  so.screener.rules = std::move(rules).value();
  so.screener.expected_accounts = o.payment_accounts;
  if (!o.payment_id_banks.empty()) {
    auto st = store::open_store(location);
    if (!st.ok()) return st.status();
    for (const std::string& name : o.payment_id_banks) {
      auto b = st.value()->find_bank(name);
      if (!b.ok()) return b.status();
      if (!b.value()) return InvalidInput("--payment-id-bank: no bank named '" + name + "'");
      Status scan = st.value()->scan_entries(b.value()->id, false, [&](const store::Entry& e) {
        payments::Digest d;
        if (e.type == store::SignalType::kSha256 && !e.disabled && payments::parse_digest_hex(e.value, &d)) {
          so.screener.payment_ids.push_back(d);
        }
        return true;
      });
      if (!scan.ok()) return scan;
    }
  }
  return payments::PaymentState::open(std::move(so));
}

// The location string for the stores and the snapshot directory.
Result<std::pair<std::string, std::string>> locate(const StoreLocation& where, const std::string& snapshots) {
  if (!where.db.empty()) return std::make_pair(where.db, snapshots);
  std::string dir = resolve_data_dir(where);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create data directory " + dir + ": " + ec.message());
  return std::make_pair(dir + "/chainbreak.db", snapshots.empty() ? dir + "/index" : snapshots);
}

Result<uint32_t> parse_roles(const std::vector<std::string>& names) {
  uint32_t roles = 0;
  for (const auto& n : names) {
    for (size_t start = 0; start <= n.size();) {
      size_t comma = n.find(',', start);
      if (comma == std::string::npos) comma = n.size();
      std::string one = n.substr(start, comma - start);
      if (!one.empty()) {
        uint32_t r = store::parse_role(one);
        if (r == 0)
          return InvalidInput("unknown role '" + one + "' (hasher, matcher, curator, reviewer, admin, auditor)");
        roles |= r;
      }
      start = comma + 1;
    }
  }
  return roles;
}

int run_serve(const ServeOptions& o) {
  auto roles = parse_roles(o.anonymous_roles);
  if (!roles.ok()) {
    std::fprintf(stderr, "chainbreak: --anonymous-roles: %s\n", roles.status().message().c_str());
    return 2;
  }
  api::ApiOptions ao;
  if (!cybertip_options(o, ao)) return 2;
  http::ServerOptions so;
  size_t colon = o.listen.rfind(':');
  if (colon == std::string::npos || colon + 1 >= o.listen.size()) {
    std::fprintf(stderr, "chainbreak: --listen must be HOST:PORT, got '%s'\n", o.listen.c_str());
    return 2;
  }
  so.host = o.listen.substr(0, colon);
  try {
    int port = std::stoi(o.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    so.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    std::fprintf(stderr, "chainbreak: --listen: bad port in '%s'\n", o.listen.c_str());
    return 2;
  }
  so.threads = o.threads;
  so.max_body_bytes = o.max_body;
  so.read_timeout = std::chrono::milliseconds(o.read_timeout_ms);
  so.tls_cert_file = o.tls_cert;
  so.tls_key_file = o.tls_key;

  auto loc = locate(o.where, o.snapshots);
  if (!loc.ok()) {
    std::fprintf(stderr, "chainbreak: %s\n", loc.status().message().c_str());
    return 1;
  }
  pipeline::EngineOptions eo;
  eo.location = loc.value().first;
  eo.snapshot_dir = loc.value().second;
  eo.follow_interval = std::chrono::milliseconds(o.follow_ms);
  eo.deliver_webhooks = !o.no_webhooks;
  eo.post = [](const std::string& url, const std::string& body,
               const std::vector<std::pair<std::string, std::string>>& headers,
               std::chrono::milliseconds timeout) -> Result<int> {
    auto r = http::http_post(url, body, headers, timeout);
    if (!r.ok()) return r.status();
    return r.value().status;
  };
  eo.alarm_enabled = !o.no_alarm;
  eo.alarm.min_matches = o.alarm_min_matches;
  eo.alarm.factor = o.alarm_factor;
  eo.alarm.floor_rate = o.alarm_floor;
  eo.alarm.window_us = o.alarm_window_s * 1'000'000;

  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto engine = pipeline::Engine::open(eo);
  if (!engine.ok()) {
    std::fprintf(stderr, "chainbreak: cannot open %s: %s\n", eo.location.c_str(), engine.status().message().c_str());
    return 1;
  }
  auto pay = open_payments(o, eo.location);
  if (!pay.ok()) {
    std::fprintf(stderr, "chainbreak: payment screening: %s\n", pay.status().message().c_str());
    return 1;
  }
  // Public reports and cases, in the same database as the audit log.
  api::CaseDesk::Options co;
  co.location = eo.location;
  co.key_dir = o.key_dir;
  co.retention_seconds = o.evidence_retention_days * 86400;
  co.pdq_threshold = o.case_pdq_threshold;
  auto desk = api::CaseDesk::open(co);
  std::unique_ptr<api::CaseDesk> cases;
  if (desk.ok()) {
    cases = std::move(desk.value());
  } else if (o.key_dir.empty() && std::getenv("CHAINBREAK_KEY_DIR") == nullptr && !o.where.db.empty()) {
    // PostgreSQL without a key directory: everything else runs; reports
    // and cases need the evidence key, which must not sit beside a shared
    // database.
    std::fprintf(stderr, "chainbreak: reports and cases are off: %s\n", desk.status().message().c_str());
  } else {
    std::fprintf(stderr, "chainbreak: cases: %s\n", desk.status().message().c_str());
    return 1;
  }
  // Signed audit checkpoints and evidence purges (same keys as the cases).
  std::unique_ptr<api::CustodyKeeper> keeper;
  if (cases) {
    api::CustodyKeeper::Options ko;
    ko.location = eo.location;
    ko.key_dir = o.key_dir;
    ko.checkpoint_interval = std::chrono::seconds(o.checkpoint_interval_s);
    auto k = api::CustodyKeeper::start(ko);
    if (!k.ok()) {
      std::fprintf(stderr, "chainbreak: chain of custody: %s\n", k.status().message().c_str());
      return 1;
    }
    keeper = std::move(k.value());
  }
  ao.payments = pay.value().get();
  ao.cases = cases.get();
  ao.anonymous_roles = roles.value();
  ao.max_upload_bytes = o.max_body;
  api::Api api(*engine.value(), ao);
  auto server = http::HttpServer::start(so, [&api](http::Request& req, http::Response& res) { api.handle(req, res); });
  if (!server.ok()) {
    std::fprintf(stderr, "chainbreak: cannot listen on %s: %s\n", o.listen.c_str(), server.status().message().c_str());
    return 1;
  }
  std::fprintf(stderr, "chainbreak: listening on %s://%s:%u (change seq %lld)\n", o.tls_cert.empty() ? "http" : "https",
               so.host.c_str(), server.value()->port(), static_cast<long long>(engine.value()->seq()));
  std::fflush(stderr);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "chainbreak: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  api.drain();  // CyberTipline submissions in progress answer first
  server.value()->stop(std::chrono::seconds(10));
  if (Status s = engine.value()->save_snapshots(); !s.ok()) {
    std::fprintf(stderr, "chainbreak: warning: index snapshots not saved: %s\n", s.message().c_str());
  }
  if (pay.value()) {
    if (Status s = pay.value()->close(); !s.ok()) {
      std::fprintf(stderr, "chainbreak: warning: payment state not closed cleanly: %s\n", s.message().c_str());
    }
  }
  engine.value().reset();
  std::fprintf(stderr, "chainbreak: stopped\n");
  return 0;
}

int run_token(const std::string& action, const StoreLocation& where, const std::string& name,
              const std::vector<std::string>& role_names) {
  auto loc = locate(where, "");
  if (!loc.ok()) {
    std::fprintf(stderr, "chainbreak: %s\n", loc.status().message().c_str());
    return 1;
  }
  auto sv = store::open_service_store(loc.value().first);
  if (!sv.ok()) {
    std::fprintf(stderr, "chainbreak: %s\n", sv.status().message().c_str());
    return 1;
  }
  if (action == "create") {
    auto roles = parse_roles(role_names);
    if (!roles.ok() || roles.value() == 0) {
      std::fprintf(stderr, "chainbreak: --role: %s\n",
                   roles.ok() ? "at least one role is required" : roles.status().message().c_str());
      return 2;
    }
    store::ApiToken t;
    t.name = name;
    t.roles = roles.value();
    std::string secret = pipeline::new_token_secret();
    t.secret_hash = pipeline::token_secret_hash(secret);
    auto created = sv.value()->create_token(t);
    if (!created.ok()) {
      std::fprintf(stderr, "chainbreak: token %s: %s\n", name.c_str(), created.status().message().c_str());
      return 2;
    }
    (void)sv.value()->append_audit("cli", "token.create", "token:" + name, "");
    std::printf("%s\n", secret.c_str());
    return 0;
  }
  if (action == "revoke") {
    if (Status s = sv.value()->revoke_token(name); !s.ok()) {
      std::fprintf(stderr, "chainbreak: token %s: %s\n", name.c_str(), s.message().c_str());
      return 2;
    }
    (void)sv.value()->append_audit("cli", "token.revoke", "token:" + name, "");
    return 0;
  }
  auto list = sv.value()->list_tokens();
  if (!list.ok()) {
    std::fprintf(stderr, "chainbreak: %s\n", list.status().message().c_str());
    return 1;
  }
  for (const auto& t : list.value()) {
    std::string roles;
    for (uint32_t r = 1; r <= store::kRoleAuditor; r <<= 1) {
      if (t.roles & r) roles += std::string(roles.empty() ? "" : ",") + store::role_name(static_cast<store::Role>(r));
    }
    std::printf("%s\t%s\t%s\n", t.name.c_str(), roles.c_str(), t.revoked ? "revoked" : "active");
  }
  return 0;
}

}  // namespace

Command add_serve_command(CLI::App& root) {
  auto o = std::make_shared<ServeOptions>();
  auto s = root.add_subcommand("serve", "Run the matching service (HTTP API, HMA-compatible routes)");
  s->add_option("--data", o->where.data_dir,
                "Data directory (default: $CHAINBREAK_DATA, else ~/.local/share/chainbreak)");
  s->add_option("--db", o->where.db, "PostgreSQL (postgresql://...) or a SQLite file instead of DIR/chainbreak.db");
  s->add_option("--listen", o->listen, "HOST:PORT to listen on (port 0: any free port)");
  s->add_option("--threads", o->threads, "I/O threads (default: number of cores)")->check(CLI::Range(0, 256));
  s->add_option("--tls-cert", o->tls_cert, "PEM certificate chain (TLS on when given with --tls-key)");
  s->add_option("--tls-key", o->tls_key, "PEM private key");
  s->add_option("--anonymous-roles", o->anonymous_roles,
                "Roles of requests without a token, e.g. hasher,matcher for HMA clients behind your own gateway");
  s->add_option("--max-body", o->max_body, "Largest request body in bytes (default 64 MiB)")
      ->check(CLI::PositiveNumber);
  s->add_option("--read-timeout-ms", o->read_timeout_ms, "Time to receive a whole request")
      ->check(CLI::Range(100, 600000));
  s->add_option("--follow-interval-ms", o->follow_ms, "How often to apply bank changes made elsewhere")
      ->check(CLI::Range(10, 60000));
  s->add_option("--snapshots", o->snapshots,
                "Index snapshot directory (default DIR/index with SQLite; none with --db)");
  s->add_flag("--no-webhooks", o->no_webhooks, "Do not deliver webhooks from this replica");
  s->add_option("--payments-state", o->payments_state,
                "Payment screening state directory (default DIR/payments with SQLite; off with --db unless given)");
  s->add_option("--pay-rules", o->pay_rules, "Payment rules file (default: $CHAINBREAK_PAY_RULES, else built in)");
  s->add_option("--payment-id-bank", o->payment_id_banks, "Bank of sha256(payment identifier) signals (repeatable)");
  s->add_flag("--no-payments", o->no_payments, "Disable /v1/payments");
  s->add_option("--payment-accounts", o->payment_accounts,
                "Accounts the payment screening tables are sized for up front (they grow beyond, with a pause)")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30));
  s->add_option(
      "--key-dir", o->key_dir,
      "Evidence and audit-signing keys (default DIR/keys with SQLite, $CHAINBREAK_KEY_DIR; required with --db)");
  s->add_option("--evidence-retention-days", o->evidence_retention_days,
                "How long uploaded report files are kept (encrypted) unless a legal hold keeps them")
      ->check(CLI::Range(int64_t{1}, int64_t{36500}));
  s->add_option("--case-pdq-threshold", o->case_pdq_threshold,
                "A reported picture within this many bits (PDQ) of one in an open case joins that case (-1: off)")
      ->check(CLI::Range(-1, 63));
  s->add_option("--checkpoint-interval", o->checkpoint_interval_s,
                "Seconds between signed checkpoints of the audit log (one more at shutdown)")
      ->check(CLI::Range(int64_t{1}, int64_t{86400}));
  s->add_option("--reporter-name", o->reporter_name,
                "Who files CyberTipline reports from cases (first and last name, split at the last space)");
  s->add_option("--reporter-email", o->reporter_email, "The reporter's e-mail address (with --reporter-name)");
  s->add_option("--reporter-phone", o->reporter_phone, "The reporter's phone number (optional)");
  s->add_option("--cybertip-url", o->cybertip_url,
                "CyberTipline Reporting API to submit case reports to (production, test, a base URL, or a local "
                "http:// fake)");
  s->add_option("--cybertip-user", o->cybertip_user, "CyberTipline API user (with --cybertip-url)");
  s->add_option("--cybertip-password-file", o->cybertip_password_file,
                "File holding the CyberTipline API password (a trailing newline is dropped)");
  s->add_flag("--no-alarm", o->no_alarm, "Disable the per-bank match-rate alarm");
  s->add_option("--alarm-min-matches", o->alarm_min_matches, "Matches in a window before the alarm can trip")
      ->check(CLI::PositiveNumber);
  s->add_option("--alarm-factor", o->alarm_factor, "Trip when a bank's rate exceeds this many times its usual rate");
  s->add_option("--alarm-floor", o->alarm_floor, "... and this share of all lookups (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  s->add_option("--alarm-window", o->alarm_window_s, "Alarm window in seconds")->check(CLI::Range(1, 86400));
  return {s, [o] { return run_serve(*o); }};
}

Command add_token_command(CLI::App& root) {
  auto where = std::make_shared<StoreLocation>();
  auto name = std::make_shared<std::string>();
  auto roles = std::make_shared<std::vector<std::string>>();
  auto action = std::make_shared<std::string>();
  auto t = root.add_subcommand("token", "API tokens for chainbreak serve (secrets are shown once, stored hashed)");
  t->require_subcommand(1);
  t->add_option("--data", where->data_dir, "Data directory");
  t->add_option("--db", where->db, "PostgreSQL or SQLite file");
  auto create = t->add_subcommand("create", "Create a token and print its secret");
  create->add_option("name", *name, "Token name")->required();
  create->add_option("--role", *roles, "hasher, matcher, curator, reviewer, admin, auditor (repeat or comma list)")
      ->required();
  auto revoke = t->add_subcommand("revoke", "Revoke a token");
  revoke->add_option("name", *name, "Token name")->required();
  t->add_subcommand("list", "List tokens (never their secrets)");
  for (auto* c : t->get_subcommands({})) {
    c->add_option("--data", where->data_dir, "Data directory");
    c->add_option("--db", where->db, "PostgreSQL or SQLite file");
  }
  return {t, [=] {
            for (auto* c : t->get_subcommands({})) {
              if (c->parsed()) return run_token(c->get_name(), *where, *name, *roles);
            }
            return 2;
          }};
}

}  // namespace chainbreak::cli
