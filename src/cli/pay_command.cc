// `chainbreak pay ...`: payment screening (screen, replay) and redress over
// a state directory (release, confirm, appeal, snooze, green, stats). Thin:
// option parsing, the stdin/stdout loop and messages; the work is in
// payments/.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/store_location.h"
#include "payments/pay_state.h"

namespace chainbreak::cli {
namespace {

using namespace chainbreak::payments;

struct PayOptions {
  std::string rules, state;
  StoreLocation where;
  std::vector<std::string> id_banks;
  uint64_t snapshot_every = 1'000'000;
  size_t expected_accounts = 1 << 20;
  // redress
  std::string tx, rule, entity, at, until, outcome = "pending", actor, note;
  bool remove = false;
  std::string format = "json";
};

int fail(const std::string& what, const Status& st) {
  std::fprintf(stderr, "chainbreak pay: %s%s\n", what.empty() ? "" : (what + ": ").c_str(), st.message().c_str());
  return st.code() == ErrorCode::kInvalidInput ? 2 : 1;
}

Result<RuleSet> resolve_rules(const std::string& flag) {
  if (!flag.empty()) return load_rules_file(flag);
  if (const char* env = std::getenv("CHAINBREAK_PAY_RULES"); env && *env) return load_rules_file(env);
  return parse_rules(kDefaultRulesYaml, "<built-in rules/payments.yaml>");
}

Result<std::vector<Digest>> load_payment_ids(const PayOptions& o) {
  std::vector<Digest> ids;
  if (o.id_banks.empty()) return ids;
  auto st = open_cli_store(o.where);
  if (!st.ok()) return st.status();
  store::Store& s = *st.value();
  for (const std::string& name : o.id_banks) {
    auto b = s.find_bank(name);
    if (!b.ok()) return b.status();
    if (!b.value()) return InvalidInput("no bank named '" + name + "'");
    Status scan = s.scan_entries(b.value()->id, false, [&](const store::Entry& e) {
      Digest d;
      if (e.type == store::SignalType::kSha256 && !e.disabled && parse_digest_hex(e.value, &d)) ids.push_back(d);
      return true;
    });
    if (!scan.ok()) return scan;
  }
  return ids;
}

Result<Options> screener_options(const PayOptions& o) {
  auto rules = resolve_rules(o.rules);
  if (!rules.ok()) return rules.status();
  auto ids = load_payment_ids(o);
  if (!ids.ok()) return ids.status();
  return Options{std::move(rules).value(), std::move(ids).value(), o.expected_accounts};
}

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

int run_screen(const PayOptions& o) {
  auto opts = screener_options(o);
  if (!opts.ok()) return fail("", opts.status());
  std::unique_ptr<PaymentState> state;
  std::unique_ptr<Screener> plain;
  if (!o.state.empty()) {
    auto ps = PaymentState::open(StateOptions{o.state, std::move(opts).value(), false, o.snapshot_every});
    if (!ps.ok()) return fail("--state " + o.state, ps.status());
    state = std::move(ps).value();
    if (state->dropped_torn_record())
      std::fprintf(stderr, "chainbreak pay: dropped a torn final journal record (crash mid-write)\n");
  } else {
    auto s = Screener::open(std::move(opts).value());
    if (!s.ok()) return fail("", s.status());
    plain = std::move(s).value();
  }
  std::unique_ptr<LineScreener> lines;
  if (plain) lines = std::make_unique<LineScreener>(*plain);
  std::vector<LineRef> batch;
  constexpr size_t kChunk = 4 << 20;
  std::string in(kChunk * 2, '\0'), out;
  out.reserve(kChunk * 2);
  size_t have = 0;
  uint64_t line_no = 0;
  bool eof = false;
  while (!eof) {
    if (in.size() - have < kChunk) in.resize(have + kChunk);  // a line longer than the buffer
    ssize_t n = ::read(0, in.data() + have, in.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("standard input", IoError(std::strerror(errno)));
    if (n == 0) eof = true;
    have += static_cast<size_t>(n);
    size_t start = 0;
    out.clear();
    batch.clear();
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(in.data() + start, '\n', have - start));
      size_t end = nl ? static_cast<size_t>(nl - in.data()) : have;
      if (!nl && !eof) break;
      if (!nl && end == start) break;
      std::string_view line(in.data() + start, end - start);
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      start = nl ? end + 1 : end;
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      batch.push_back({line, line_no});
    }
    if (state)
      state->screen_lines(batch, out);
    else
      lines->run(batch, out, [](size_t, std::string_view) {});
    std::memmove(in.data(), in.data() + start, have - start);
    have -= start;
    // Journal first (fdatasync), then acknowledge on standard output; with
    // --state a writer thread does both while the next batch is screened.
    if (state) {
      Status st = state->commit_pipelined(&out, [](const std::string& ack) {
        return write_all(1, ack) ? Status::Ok() : IoError(std::string("standard output: ") + std::strerror(errno));
      });
      if (!st.ok()) return fail("", st);
    } else if (!write_all(1, out)) {
      return fail("standard output", IoError(std::strerror(errno)));
    }
  }
  if (state) {
    Status st = state->close();
    if (!st.ok()) return fail("", st);
  }
  return 0;
}

Result<int64_t> time_arg(const std::string& s, int64_t now) {
  if (s.empty()) return now;
  return parse_time(s, now);
}

int run_redress(const PayOptions& o, RedressEvent::Kind kind) {
  if (o.state.empty()) return fail("", InvalidInput("--state DIR is required"));
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  RedressEvent e;
  e.kind = kind;
  auto at = time_arg(o.at, now);
  if (!at.ok()) return fail("--at", at.status());
  e.at = at.value();
  e.tx_id = o.tx, e.rule = o.rule, e.entity = o.entity, e.actor = o.actor, e.note = o.note;
  e.on = !o.remove;
  if (kind == RedressEvent::Kind::kSnooze) {
    auto until = parse_time(o.until, now);
    if (!until.ok()) return fail("--until", until.status());
    e.until = until.value();
  }
  if (kind == RedressEvent::Kind::kAppeal)
    e.appeal = o.outcome == "upheld"     ? RedressEvent::Appeal::kUpheld
               : o.outcome == "reversed" ? RedressEvent::Appeal::kReversed
                                         : RedressEvent::Appeal::kPending;
  auto opts = screener_options(o);
  if (!opts.ok()) return fail("", opts.status());
  auto ps = PaymentState::open(StateOptions{o.state, std::move(opts).value(), false, o.snapshot_every});
  if (!ps.ok()) return fail("--state " + o.state, ps.status());
  Status st = ps.value()->redress(e);
  if (!st.ok()) return fail("", st);
  st = ps.value()->close();
  if (!st.ok()) return fail("", st);
  std::printf("%s\n", redress_to_json(e).c_str());
  return 0;
}

int run_replay(const PayOptions& o) {
  if (o.state.empty()) return fail("", InvalidInput("--state DIR is required"));
  std::unique_ptr<RuleSet> override_rules;
  if (!o.rules.empty()) {
    auto r = load_rules_file(o.rules);
    if (!r.ok()) return fail("", r.status());
    override_rules = std::make_unique<RuleSet>(std::move(r).value());
  }
  auto rep = replay_journal(o.state, override_rules.get());
  if (!rep.ok()) return fail("--state " + o.state, rep.status());
  const ReplayReport& r = rep.value();
  nlohmann::json j = {{"identical", r.identical},
                      {"screened", r.screens},
                      {"redress", r.redress},
                      {"sessions", r.sessions},
                      {"torn_tail", r.torn}};
  if (!r.identical) {
    j["first_difference"] = {
        {"record", r.first_diff_record}, {"line", r.line}, {"journaled", r.expected}, {"replayed", r.got}};
  }
  std::printf("%s\n", j.dump().c_str());
  return r.identical ? 0 : 1;
}

int run_stats(const PayOptions& o) {
  if (o.state.empty()) return fail("", InvalidInput("--state DIR is required"));
  auto opts = screener_options(o);
  if (!opts.ok()) return fail("", opts.status());
  auto ps = PaymentState::open(StateOptions{o.state, std::move(opts).value(), true, 0});
  if (!ps.ok()) return fail("--state " + o.state, ps.status());
  Stats s = ps.value()->screener().stats();
  nlohmann::json rules = nlohmann::json::array();
  for (const RuleStats& r : s.rules) {
    double fp = r.released + r.confirmed ? static_cast<double>(r.released) / (r.released + r.confirmed) : 0.0;
    rules.push_back({{"rule", r.rule},
                     {"fired", r.fired},
                     {"held", r.held},
                     {"released", r.released},
                     {"confirmed", r.confirmed},
                     {"snoozed", r.snoozed},
                     {"false_positive_rate", fp}});
  }
  nlohmann::json j = {{"screened", s.screened}, {"held", s.held},         {"blocked", s.blocked},
                      {"open", s.open_holds},   {"released", s.released}, {"confirmed", s.confirmed},
                      {"appeals", s.appeals},   {"rules", rules}};
  j["median_time_to_release_s"] =
      s.median_release_seconds < 0 ? nlohmann::json(nullptr) : nlohmann::json(s.median_release_seconds);
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}

}  // namespace

Command add_pay_command(CLI::App& root) {
  auto o = std::make_shared<PayOptions>();
  auto pay = root.add_subcommand("pay", "Screen payments (hold or block those financing exploitation) and redress");
  pay->require_subcommand(1);
  auto rules_opt = [&](CLI::App* c) {
    c->add_option("--rules", o->rules,
                  "Rules file (default: $CHAINBREAK_PAY_RULES, else the built-in rules/payments.yaml)");
  };
  auto state_opt = [&](CLI::App* c, bool required) {
    auto opt = c->add_option("--state", o->state, "State directory: journal and snapshot");
    if (required) opt->required();
  };
  auto banks_opt = [&](CLI::App* c) {
    c->add_option("--data", o->where.data_dir, "Data directory holding the banks");
    c->add_option("--db", o->where.db, "Database instead of DIR/chainbreak.db");
    c->add_option("--payment-id-bank", o->id_banks,
                  "Bank of sha256(normalised wallet/handle) payment identifiers (repeatable)")
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  };
  auto screen = pay->add_subcommand("screen", "Screen transactions (JSON lines on stdin) to decisions on stdout");
  rules_opt(screen);
  state_opt(screen, false);
  banks_opt(screen);
  screen->add_option("--snapshot-every", o->snapshot_every, "Transactions between state snapshots (0: only at exit)");
  screen->add_option("--expected-accounts", o->expected_accounts, "Sizes the account tables (they grow as needed)");

  auto redress = [&](const char* name, const char* help, bool with_tx) {
    auto c = pay->add_subcommand(name, help);
    state_opt(c, true);
    rules_opt(c);
    banks_opt(c);
    if (with_tx) c->add_option("--tx", o->tx, "Transaction id of the hold or block")->required();
    c->add_option("--at", o->at, "When it happened: RFC 3339, unix seconds or +N[smhd] (default: now)");
    c->add_option("--actor", o->actor, "Who decided (kept in the journal)");
    c->add_option("--note", o->note, "Why (kept in the journal)");
    return c;
  };
  auto release = redress("release", "Release a hold (false positive): counts against its rules, snoozes them", true);
  auto confirm = redress("confirm", "Confirm a hold (true positive)", true);
  auto appeal = redress("appeal", "Record an appeal of a block, or its outcome", true);
  appeal->add_option("--outcome", o->outcome, "pending, upheld or reversed (reversed acts as a release)")
      ->check(CLI::IsMember({"pending", "upheld", "reversed"}));
  auto snooze = redress("snooze", "Snooze a rule for one entity (account or wallet id) until a time", false);
  snooze->add_option("--rule", o->rule, "Rule id")->required();
  snooze->add_option("--entity", o->entity, "Account or wallet id")->required();
  snooze->add_option("--until", o->until, "RFC 3339, unix seconds or +N[smhd]")->required();
  auto green = redress("green", "Green-list an entity (lifts rule-based holds; never red-list blocks)", false);
  green->add_option("--entity", o->entity, "Account or wallet id")->required();
  green->add_flag("--remove", o->remove, "Take the entity off the green list");

  auto replay = pay->add_subcommand("replay", "Re-screen the journal with fresh state; exit 1 at the first difference");
  state_opt(replay, true);
  replay->add_option("--rules", o->rules, "Rules file instead of the journaled rules");
  auto stats = pay->add_subcommand("stats", "Per-rule fire and false-positive counters, median time to release");
  state_opt(stats, true);
  rules_opt(stats);

  return {pay, [o, pay, screen, release, confirm, appeal, snooze, green, replay, stats] {
            using K = RedressEvent::Kind;
            if (screen->parsed()) return run_screen(*o);
            if (release->parsed()) return run_redress(*o, K::kRelease);
            if (confirm->parsed()) return run_redress(*o, K::kConfirm);
            if (appeal->parsed()) return run_redress(*o, K::kAppeal);
            if (snooze->parsed()) return run_redress(*o, K::kSnooze);
            if (green->parsed()) return run_redress(*o, K::kGreen);
            if (replay->parsed()) return run_replay(*o);
            if (stats->parsed()) return run_stats(*o);
            (void)pay;
            return 2;
          }};
}

}  // namespace chainbreak::cli
