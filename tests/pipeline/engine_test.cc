// Engine and pipeline over both stores: matching follows changes made by
// another connection (as another replica would), rules produce decisions
// with their webhook deliveries, deliveries are signed and retried, and the
// match-rate alarm quarantines a bank.
#include "pipeline/engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "pipeline/pipeline.h"
#include "store/store_fixture.h"

namespace chainbreak::pipeline {
namespace {

using store::testing::Backend;
using store::testing::StoreTest;

struct Recorder {
  std::mutex mu;
  std::vector<std::tuple<std::string, std::string, std::vector<std::pair<std::string, std::string>>>> calls;
  std::vector<int> script;  // statuses to answer in order; then 200
  PostFn fn() {
    return [this](const std::string& url, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  std::chrono::milliseconds) -> Result<int> {
      std::lock_guard lock(mu);
      calls.emplace_back(url, body, headers);
      if (calls.size() <= script.size()) return script[calls.size() - 1];
      return 200;
    };
  }
  size_t count() {
    std::lock_guard lock(mu);
    return calls.size();
  }
};

class EngineTest : public StoreTest {
 protected:
  std::unique_ptr<Engine> open_engine(Recorder* rec, AlarmOptions alarm = {}, bool alarm_on = false) {
    EngineOptions o;
    o.location = location_;
    o.follow_interval = std::chrono::milliseconds(50);
    o.webhook_poll = std::chrono::milliseconds(20);
    o.webhook_base_delay = std::chrono::milliseconds(50);
    o.webhook_max_attempts = 3;
    o.alarm = alarm;
    o.alarm_enabled = alarm_on;
    if (rec) o.post = rec->fn();
    auto e = Engine::open(o);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? std::move(e.value()) : nullptr;
  }
  std::unique_ptr<store::ServiceStore> service() {
    auto s = store::open_service_store(location_);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(s.value());
  }
  template <class Pred>
  bool eventually(Pred p, int ms = 5000) {
    for (int i = 0; i < ms / 10; ++i) {
      if (p()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return p();
  }
  static pdq::Hash256 flip(const std::string& hex, int bits) {
    auto h = pdq::Hash256::from_hex(hex).value();
    for (int i = 0; i < bits; ++i) h.words[i % 4] ^= uint64_t{1} << (i * 11 % 64);
    return h;
  }
};

TEST_P(EngineTest, FollowsChangesMadeElsewhere) {
  store::Bank bank = make_bank("known");
  auto e = make_entry();
  add(bank.id, {e});
  auto engine = open_engine(nullptr);
  ASSERT_TRUE(engine);
  auto q = flip(e.value, 5);
  auto m = engine->match_pdq(q, {}, std::nullopt);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m.value().size(), 1u);
  EXPECT_EQ(m.value()[0].distance, 5);

  // Another connection (another replica) adds an entry: the follower picks
  // it up without any call on this engine.
  auto other = open_again();
  auto e2 = make_entry();
  auto ids = other->add_entries(bank.id, std::vector{e2});
  ASSERT_TRUE(ids.ok());
  auto q2 = flip(e2.value, 3);
  EXPECT_TRUE(eventually([&] {
    auto r = engine->match_pdq(q2, {}, std::nullopt);
    return r.ok() && r.value().size() == 1 && r.value()[0].entry_id == ids.value()[0];
  }));
  // Disabling elsewhere takes effect once the follower applies the change
  // (the entry cache is evicted by it), and at once after refresh().
  ASSERT_TRUE(other->set_entry_disabled(ids.value()[0], true).ok());
  EXPECT_TRUE(eventually([&] {
    auto r = engine->match_pdq(q2, {}, std::nullopt);
    return r.ok() && r.value().empty();
  }));
  ASSERT_TRUE(other->set_entry_disabled(ids.value()[0], false).ok());
  ASSERT_TRUE(engine->refresh().ok());
  auto back = engine->match_pdq(q2, {}, std::nullopt);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().size(), 1u);
  ASSERT_TRUE(other->set_entry_disabled(ids.value()[0], true).ok());
  ASSERT_TRUE(engine->refresh().ok());
  auto gone = engine->match_pdq(q2, {}, std::nullopt);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone.value().empty());
}

TEST_P(EngineTest, RulesWriteOneDecisionWithSignedRetriedWebhook) {
  store::Bank bank = make_bank("known");
  auto e = make_entry();
  e.classification = "A1";
  add(bank.id, {e});
  auto sv = service();
  store::Rule block;
  block.name = "block-known";
  block.bank = "known";
  block.max_distance = 20;
  block.action = store::ActionKind::kBlock;
  ASSERT_TRUE(sv->create_rule(block).ok());
  store::Rule hook;
  hook.name = "notify";
  hook.action = store::ActionKind::kWebhook;
  hook.webhook_url = "http://127.0.0.1:9/hook";
  hook.webhook_secret = "s3cret";
  ASSERT_TRUE(sv->create_rule(hook).ok());

  Recorder rec;
  rec.script = {500};  // first attempt fails, the retry succeeds
  auto engine = open_engine(&rec);
  ASSERT_TRUE(engine);

  ContentRequest cr;
  cr.content_id = "upload-1";
  cr.actor = "tester";
  cr.signals.push_back(parse_signal("pdq", flip(e.value, 7).hex()).value());
  auto r = process(*engine, cr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().verdict.outcome, "block");
  ASSERT_TRUE(r.value().decision.has_value());
  int64_t id = r.value().decision->id;
  auto stored = sv->get_decision(id);
  ASSERT_TRUE(stored.ok() && stored.value());
  EXPECT_EQ(stored.value()->outcome, "block");
  EXPECT_EQ(stored.value()->content_id, "upload-1");
  auto dj = decision_json(*stored.value());
  EXPECT_EQ(dj["matches"][0]["distance"], 7);
  EXPECT_EQ(dj["matches"][0]["classification"], "A1");
  EXPECT_EQ(dj["rules"].size(), 2u);

  ASSERT_TRUE(eventually([&] { return rec.count() >= 2; }));
  ASSERT_TRUE(eventually([&] {
    auto d = sv->deliveries_for(id);
    return d.ok() && d.value().size() == 1 && d.value()[0].state == "delivered";
  }));
  auto d = sv->deliveries_for(id).value()[0];
  EXPECT_EQ(d.attempts, 2);
  std::lock_guard lock(rec.mu);
  const auto& [url, body, headers] = rec.calls[1];
  EXPECT_EQ(url, "http://127.0.0.1:9/hook");
  std::string sig;
  for (const auto& [k, v] : headers) {
    if (k == "X-Chainbreak-Signature") sig = v;
  }
  ASSERT_EQ(sig.rfind("t=", 0), 0u);
  int64_t t = std::stoll(sig.substr(2, sig.find(',') - 2));
  EXPECT_EQ(sig, webhook_signature("s3cret", t, body));
  EXPECT_NE(sig, webhook_signature("other", t, body));
  auto parsed = nlohmann::json::parse(body);
  EXPECT_EQ(parsed["outcome"], "block");
  EXPECT_EQ(parsed["content_id"], "upload-1");

  // Content matching nothing leaves no record.
  ContentRequest miss;
  miss.signals.push_back(parse_signal("pdq", std::string(64, '0')).value());
  auto none = process(*engine, miss);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value().verdict.outcome, "allow");
  EXPECT_FALSE(none.value().decision.has_value());
  auto list = sv->list_decisions(0, 10, "");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list.value().size(), 1u);
}

TEST_P(EngineTest, WebhookGivesUpAfterMaxAttempts) {
  store::Bank bank = make_bank("known");
  auto e = make_entry();
  add(bank.id, {e});
  auto sv = service();
  store::Rule hook;
  hook.name = "notify";
  hook.action = store::ActionKind::kWebhook;
  hook.webhook_url = "http://127.0.0.1:9/hook";
  ASSERT_TRUE(sv->create_rule(hook).ok());
  Recorder rec;
  rec.script = {503, 503, 503, 503};
  auto engine = open_engine(&rec);
  ContentRequest cr;
  cr.signals.push_back(parse_signal("pdq", e.value).value());
  auto r = process(*engine, cr);
  ASSERT_TRUE(r.ok() && r.value().decision);
  int64_t id = r.value().decision->id;
  ASSERT_TRUE(eventually([&] {
    auto d = sv->deliveries_for(id);
    return d.ok() && d.value().size() == 1 && d.value()[0].state == "failed";
  }));
  auto d = sv->deliveries_for(id).value()[0];
  EXPECT_EQ(d.attempts, 3);
  EXPECT_NE(d.last_error.find("503"), std::string::npos);
  EXPECT_EQ(rec.count(), 3u);
}

TEST_P(EngineTest, AlarmQuarantinesABankThatMatchesEverything) {
  store::Bank bad = make_bank("badlist");
  auto e = make_entry();
  add(bad.id, {e});
  auto sv = service();
  store::Rule block;
  block.name = "block-all";
  block.action = store::ActionKind::kBlock;
  ASSERT_TRUE(sv->create_rule(block).ok());
  AlarmOptions a;
  a.min_matches = 5;
  a.floor_rate = 0.2;
  auto engine = open_engine(nullptr, a, true);
  ContentRequest cr;
  cr.signals.push_back(parse_signal("pdq", e.value).value());
  int blocked = 0;
  std::vector<std::string> quarantined;
  for (int i = 0; i < 8; ++i) {
    auto r = process(*engine, cr);
    ASSERT_TRUE(r.ok());
    if (r.value().verdict.outcome == "block") ++blocked;
    quarantined = r.value().verdict.quarantined_banks;
  }
  // Matches 1..4 block (under min_matches). The 5th trips the alarm (5 of 5
  // lookups > 20%); it was matched before the trip, so it still blocks, and
  // every later one is reported as quarantined instead.
  EXPECT_EQ(blocked, 5);
  EXPECT_EQ(quarantined, std::vector<std::string>{"badlist"});
  auto b = store_->find_bank("badlist");
  ASSERT_TRUE(b.ok() && b.value());
  EXPECT_TRUE(b.value()->quarantined);
  EXPECT_NE(b.value()->quarantine_reason.find("match rate"), std::string::npos);
  auto audit = sv->audit_since(0, 100);
  ASSERT_TRUE(audit.ok());
  bool logged = false;
  for (const auto& x : audit.value()) logged |= x.action == "bank.quarantine" && x.target == "bank:badlist";
  EXPECT_TRUE(logged);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, EngineTest, ::testing::Values(Backend::kSqlite), store::testing::backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, EngineTest, ::testing::Values(Backend::kPostgres), store::testing::backend_name);

}  // namespace
}  // namespace chainbreak::pipeline
