// The service store, part 2: decisions with their webhook deliveries (all or
// nothing), decision paging, the outbox claim/lease/mark flows with several
// claimers, and bank quarantine settings. Every case runs on SQLite and
// PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "store_fixture.h"

namespace chainbreak::store::testing {
namespace {

Decision decision(const std::string& content_id, const std::string& outcome = "block") {
  Decision d;
  d.content_id = content_id;
  d.outcome = outcome;
  d.signals_json = R"([{"signal_type":"pdq","signal":"00ff"}])";
  d.matches_json = R"([{"bank":"b","entry_id":1,"distance":3}])";
  d.rules_json = R"([{"id":1,"name":"r","action":"block"}])";
  d.actor = "matcher-1";
  return d;
}

WebhookDelivery delivery(int64_t rule_id, const std::string& body = R"({"event":"match"})") {
  WebhookDelivery w;
  w.rule_id = rule_id;
  w.url = "https://hooks.example/in";
  w.secret = "k";
  w.secret += std::to_string(rule_id);  // (not "k" + ...: a GCC 12 -Wrestrict false positive)
  w.body = body;
  w.attempts = 99;       // set by the store
  w.state = "failed";    // set by the store
  w.decision_id = 1234;  // set by the store
  return w;
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<int64_t> ids_of(const std::vector<WebhookDelivery>& v) {
  std::vector<int64_t> out;
  for (const WebhookDelivery& w : v) out.push_back(w.id);
  return out;
}

TEST_P(ServiceStoreTest, DecisionWithDeliveries) {
  const int64_t start = now_us();
  Decision in = decision("upload-1");
  in.automated = false;
  in.detail_json = R"({"quarantined":["x"]})";
  std::vector<WebhookDelivery> hooks = {delivery(7), delivery(8, "[1,2]")};
  auto r = svc_->insert_decision(in, hooks);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Decision& d = r.value();
  EXPECT_GT(d.id, 0);
  EXPECT_GE(d.time_us, start);

  auto got = svc_->get_decision(d.id);
  ASSERT_TRUE(got.ok() && got.value().has_value());
  const Decision& g = *got.value();
  EXPECT_EQ(g.time_us, d.time_us);
  EXPECT_EQ(g.content_id, "upload-1");
  EXPECT_EQ(g.outcome, "block");
  EXPECT_EQ(g.signals_json, in.signals_json);
  EXPECT_EQ(g.matches_json, in.matches_json);
  EXPECT_EQ(g.rules_json, in.rules_json);
  EXPECT_FALSE(g.automated);
  EXPECT_EQ(g.actor, "matcher-1");
  EXPECT_EQ(g.detail_json, in.detail_json);
  EXPECT_FALSE(svc_->get_decision(d.id + 100).value().has_value());

  auto ds = svc_->deliveries_for(d.id).value();
  ASSERT_EQ(ds.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_GT(ds[i].id, 0);
    EXPECT_EQ(ds[i].decision_id, d.id);
    EXPECT_EQ(ds[i].rule_id, hooks[i].rule_id);
    EXPECT_EQ(ds[i].url, hooks[i].url);
    EXPECT_EQ(ds[i].secret, hooks[i].secret);
    EXPECT_EQ(ds[i].body, hooks[i].body);
    EXPECT_EQ(ds[i].attempts, 0);
    EXPECT_EQ(ds[i].state, "pending");
    EXPECT_EQ(ds[i].next_attempt_us, d.time_us);  // due at once
    EXPECT_EQ(ds[i].last_error, "");
  }
  EXPECT_LT(ds[0].id, ds[1].id);
  EXPECT_TRUE(svc_->deliveries_for(d.id + 100).value().empty());
  // No deliveries is fine too.
  EXPECT_TRUE(svc_->insert_decision(decision("", "allow"), {}).ok());
}

TEST_P(ServiceStoreTest, DecisionAllOrNothing) {
  ASSERT_TRUE(svc_->insert_decision(decision("first"), std::vector{delivery(1)}).ok());
  auto count = [&] { return svc_->list_decisions(0, 1000, "").value().size(); };

  // An invalid delivery refuses the whole decision, naming the delivery.
  std::vector<WebhookDelivery> bad = {delivery(1), delivery(2)};
  bad[1].url = "ftp://x/";
  auto r = svc_->insert_decision(decision("second"), bad);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("delivery 1"), std::string::npos) << r.status().message();
  for (auto change :
       {+[](WebhookDelivery& w) { w.body = "not json"; }, +[](WebhookDelivery& w) { w.body = ""; },
        +[](WebhookDelivery& w) { w.secret = std::string("\xc3", 1); }, +[](WebhookDelivery& w) { w.rule_id = -1; }}) {
    std::vector<WebhookDelivery> v = {delivery(3)};
    change(v[0]);
    EXPECT_EQ(svc_->insert_decision(decision("third"), v).status().code(), ErrorCode::kInvalidInput);
  }
  // Invalid decision fields.
  std::vector<Decision> bad_decisions(7, decision("fourth"));
  bad_decisions[0].outcome = "maybe";
  bad_decisions[1].signals_json = "{}";
  bad_decisions[2].matches_json = "x";
  bad_decisions[3].rules_json = "[{}";
  bad_decisions[4].detail_json = "[]";
  bad_decisions[5].content_id = std::string("a\0b", 3);
  bad_decisions[6].actor = std::string("\xff", 1);
  for (const Decision& d : bad_decisions) {
    EXPECT_EQ(svc_->insert_decision(d, {}).status().code(), ErrorCode::kInvalidInput) << d.outcome;
  }
  EXPECT_EQ(count(), 1u);

  // A delivery the database itself refuses (a trigger standing in for any
  // failure mid-transaction): neither the decision nor the deliveries
  // before it remain.
  if (GetParam() == Backend::kSqlite) {
    ASSERT_NO_FATAL_FAILURE(
        raw_exec("CREATE TRIGGER refuse BEFORE INSERT ON webhook_deliveries WHEN NEW.rule_id = 666 "
                 "BEGIN SELECT RAISE(ABORT, 'refused'); END"));
  } else {
    ASSERT_NO_FATAL_FAILURE(
        raw_exec("CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.rule_id = 666 THEN "
                 "RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; "
                 "CREATE TRIGGER refuse BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION refuse()"));
  }
  const int64_t last_id = svc_->list_decisions(0, 1, "").value()[0].id;
  auto failed = svc_->insert_decision(decision("fifth"), std::vector{delivery(5), delivery(666)});
  EXPECT_EQ(failed.status().code(), ErrorCode::kIo) << failed.status().message();
  EXPECT_EQ(count(), 1u);
  EXPECT_TRUE(svc_->list_decisions(0, 10, "fifth").value().empty());
  for (int64_t id = last_id + 1; id < last_id + 4; ++id) EXPECT_TRUE(svc_->deliveries_for(id).value().empty());
  EXPECT_EQ(svc_->claim_due_deliveries(now_us(), 1000, 100).value().size(), 1u);  // only the first's
  // The store goes on working after the failed transaction.
  auto ok = svc_->insert_decision(decision("sixth"), std::vector{delivery(6)});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(svc_->deliveries_for(ok.value().id).value().size(), 1u);
}

TEST_P(ServiceStoreTest, ListDecisionsPaging) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 25; ++i) {
    auto r = svc_->insert_decision(decision(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : ""), {});
    ASSERT_TRUE(r.ok()) << r.status().message();
    ids.push_back(r.value().id);
  }
  // Newest first, pages continue below the last id seen.
  std::vector<int64_t> seen;
  int64_t before = 0;
  for (;;) {
    auto page = svc_->list_decisions(before, 10, "").value();
    if (page.empty()) break;
    EXPECT_LE(page.size(), 10u);
    for (const Decision& d : page) seen.push_back(d.id);
    before = page.back().id;
  }
  std::vector<int64_t> want(ids.rbegin(), ids.rend());
  EXPECT_EQ(seen, want);

  auto a = svc_->list_decisions(0, 1000, "a").value();
  ASSERT_EQ(a.size(), 9u);
  for (const Decision& d : a) EXPECT_EQ(d.content_id, "a");
  EXPECT_EQ(a[0].id, ids[24]);
  auto a_page = svc_->list_decisions(a[2].id, 3, "a").value();
  ASSERT_EQ(a_page.size(), 3u);
  EXPECT_EQ(a_page[0].id, a[3].id);
  EXPECT_EQ(a_page[2].id, a[5].id);
  EXPECT_TRUE(svc_->list_decisions(0, 10, "zzz").value().empty());
  EXPECT_TRUE(svc_->list_decisions(0, 10, std::string("\xff", 1)).value().empty());
  EXPECT_TRUE(svc_->list_decisions(ids[0], 10, "").value().empty());

  EXPECT_EQ(svc_->list_decisions(0, 0, "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->list_decisions(0, 1001, "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->list_decisions(-1, 10, "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->list_decisions(0, 1000, "").value().size(), 25u);
}

TEST_P(ServiceStoreTest, ClaimLeaseAndMark) {
  auto d = svc_->insert_decision(decision("c"), std::vector{delivery(1), delivery(2), delivery(3)});
  ASSERT_TRUE(d.ok()) << d.status().message();
  const int64_t t = d.value().time_us;
  EXPECT_TRUE(svc_->claim_due_deliveries(t - 1, 1000, 10).value().empty());  // not due yet

  auto first = svc_->claim_due_deliveries(t, 1000, 2);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first.value().size(), 2u);
  EXPECT_EQ(first.value()[0].rule_id, 1);
  EXPECT_EQ(first.value()[1].rule_id, 2);
  EXPECT_EQ(first.value()[0].next_attempt_us, t + 1000);
  EXPECT_EQ(first.value()[0].secret, "k1");
  // Another claimer (another connection) gets only the rest meanwhile.
  auto other = open_service();
  ASSERT_NE(other, nullptr);
  auto second = other->claim_due_deliveries(t + 10, 1000, 10).value();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].rule_id, 3);
  EXPECT_TRUE(svc_->claim_due_deliveries(t + 999, 1000, 10).value().empty());
  // Leases end: unmarked deliveries come back.
  auto again = svc_->claim_due_deliveries(t + 1000, 1000, 10).value();
  EXPECT_EQ(ids_of(again), ids_of(first.value()));

  const int64_t id1 = first.value()[0].id, id2 = first.value()[1].id, id3 = second[0].id;
  ASSERT_TRUE(svc_->mark_delivered(id1, 1).ok());
  ASSERT_TRUE(svc_->mark_attempt_failed(id2, 1, t + 5000, false, "HTTP 500").ok());
  ASSERT_TRUE(other->mark_attempt_failed(id3, 3, 0, true, std::string("bad \xff\0 bytes", 12)).ok());
  auto ds = svc_->deliveries_for(d.value().id).value();
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds[0].state, "delivered");
  EXPECT_EQ(ds[0].attempts, 1);
  EXPECT_EQ(ds[1].state, "pending");
  EXPECT_EQ(ds[1].attempts, 1);
  EXPECT_EQ(ds[1].next_attempt_us, t + 5000);
  EXPECT_EQ(ds[1].last_error, "HTTP 500");
  EXPECT_EQ(ds[2].state, "failed");
  EXPECT_EQ(ds[2].attempts, 3);
  EXPECT_EQ(ds[2].last_error, "bad ?? bytes");  // cleaned to valid text
  // Only the retry comes back, at its time; delivered and failed never do.
  EXPECT_TRUE(svc_->claim_due_deliveries(t + 4999, 1000, 10).value().empty());
  auto retry = svc_->claim_due_deliveries(t + 5000, 1000, 10).value();
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].id, id2);
  EXPECT_EQ(retry[0].attempts, 1);
  EXPECT_EQ(svc_->claim_due_deliveries(t + 1'000'000'000, 1000, 10).value().size(), 1u);
  ASSERT_TRUE(svc_->mark_delivered(id2, 2).ok());
  EXPECT_TRUE(svc_->claim_due_deliveries(t + 2'000'000'000, 1000, 10).value().empty());
  // A long error is cut.
  ASSERT_TRUE(svc_->mark_attempt_failed(id2, 2, 0, true, std::string(5000, 'e')).ok());
  EXPECT_EQ(svc_->deliveries_for(d.value().id).value()[1].last_error.size(), 1000u);

  EXPECT_EQ(svc_->mark_delivered(id3 + 100, 1).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->mark_attempt_failed(id3 + 100, 1, 0, false, "").code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->claim_due_deliveries(t, 1000, 0).status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->claim_due_deliveries(t, -1, 1).status().code(), ErrorCode::kInvalidInput);
}

TEST_P(ServiceStoreTest, ConcurrentClaimersNeverShare) {
  std::vector<WebhookDelivery> hooks;
  for (int i = 0; i < 120; ++i) hooks.push_back(delivery(i));
  auto d = svc_->insert_decision(decision("many"), hooks);
  ASSERT_TRUE(d.ok()) << d.status().message();
  const int64_t t = d.value().time_us;
  constexpr int kThreads = 4;
  std::vector<std::unique_ptr<ServiceStore>> stores;
  for (int i = 0; i < kThreads; ++i) {
    stores.push_back(open_service());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::vector<std::vector<int64_t>> got(kThreads);
  std::vector<int> errors(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (;;) {
        auto r = stores[i]->claim_due_deliveries(t, 3'600'000'000, 7);
        if (!r.ok()) {
          ++errors[i];
          return;
        }
        if (r.value().empty()) return;
        for (const WebhookDelivery& w : r.value()) got[i].push_back(w.id);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::vector<int64_t> all;
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(errors[i], 0) << i;
    all.insert(all.end(), got[i].begin(), got[i].end());
  }
  std::set<int64_t> unique(all.begin(), all.end());
  EXPECT_EQ(all.size(), 120u);
  EXPECT_EQ(unique.size(), 120u);
}

TEST_P(ServiceStoreTest, BankQuarantine) {
  Bank in;
  in.name = "quar";
  in.quarantined = true;
  in.quarantine_reason = "match rate 4.2% > 1% \xe2\x80\x94 alarm";
  auto created = store_->create_bank(in);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_TRUE(created.value().quarantined);
  auto found = store_->find_bank("quar").value();
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->quarantined);
  EXPECT_EQ(found->quarantine_reason, in.quarantine_reason);
  Bank plain = make_bank("plain");
  EXPECT_FALSE(store_->find_bank("plain").value()->quarantined);
  EXPECT_EQ(store_->find_bank("plain").value()->quarantine_reason, "");

  // Clearing it is a settings change, logged like the others.
  const int64_t seq = last_seq();
  Bank cleared = *found;
  cleared.quarantined = false;
  cleared.quarantine_reason = "";
  ASSERT_TRUE(store_->update_bank(cleared).ok());
  auto changes = store_->changes_since(seq, 10).value();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kBankUpdated);
  EXPECT_EQ(changes[0].bank_id, found->id);
  ASSERT_NO_FATAL_FAILURE(reopen());
  auto list = store_->list_banks().value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].name, "quar");
  EXPECT_FALSE(list[1].quarantined);
  EXPECT_EQ(list[1].quarantine_reason, "");

  // Quarantine by update; reason limits: UTF-8, at most 1000 characters.
  plain.quarantined = true;
  plain.quarantine_reason = "";
  for (int i = 0; i < 1000; ++i) plain.quarantine_reason += "\xc3\xa9";
  ASSERT_TRUE(store_->update_bank(plain).ok());
  EXPECT_EQ(store_->find_bank("plain").value()->quarantine_reason, plain.quarantine_reason);
  Bank too_long = plain;
  too_long.quarantine_reason += "x";
  EXPECT_EQ(store_->update_bank(too_long).code(), ErrorCode::kInvalidInput);
  Bank bad_text = plain;
  bad_text.quarantine_reason = std::string("\xc3", 1);
  EXPECT_EQ(store_->update_bank(bad_text).code(), ErrorCode::kInvalidInput);
  bad_text.name = "newbank";
  EXPECT_EQ(store_->create_bank(bad_text).status().code(), ErrorCode::kInvalidInput);
  EXPECT_TRUE(store_->find_bank("plain").value()->quarantined);
}

}  // namespace
}  // namespace chainbreak::store::testing
