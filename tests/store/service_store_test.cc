// The service store, part 1: API tokens, the hash-chained audit log (chain
// verification, concurrent writers, tamper detection, the documented
// encoding) and rules. Every case runs on SQLite and PostgreSQL.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store_fixture.h"

namespace chainbreak::store::testing {
namespace {

const std::string kZeros(64, '0');

std::string hash_of(char c) { return std::string(64, c); }

ApiToken token(const std::string& name, uint32_t roles, const std::string& hash) {
  ApiToken t;
  t.name = name;
  t.roles = roles;
  t.secret_hash = hash;
  return t;
}

// The first seq at which the chain breaks (bad link, wrong hash, gap), or 0
// when every entry verifies.
int64_t first_break(const std::vector<AuditEntry>& chain) {
  std::string prev = kZeros;
  for (size_t i = 0; i < chain.size(); ++i) {
    const AuditEntry& e = chain[i];
    if (e.seq != static_cast<int64_t>(i) + 1 || e.prev_hash != prev || audit_entry_hash(e) != e.hash) {
      return static_cast<int64_t>(i) + 1;
    }
    prev = e.hash;
  }
  return 0;
}

std::vector<AuditEntry> whole_log(ServiceStore& s) {
  auto r = s.audit_since(0, 1 << 20);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : std::vector<AuditEntry>{};
}

TEST_P(ServiceStoreTest, Tokens) {
  const int64_t before = std::time(nullptr);
  auto a = svc_->create_token(token("ci.bot@example-1", kRoleHasher | kRoleMatcher, hash_of('A')));
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_GT(a.value().id, 0);
  EXPECT_EQ(a.value().secret_hash, hash_of('a'));  // lowercased
  EXPECT_GE(a.value().created_at, before);
  EXPECT_FALSE(a.value().revoked);
  auto b = svc_->create_token(token("admin", kRoleAdmin, hash_of('b')));
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_GT(b.value().id, a.value().id);

  // Duplicates: name, and a secret hash already in use (either case).
  EXPECT_EQ(svc_->create_token(token("admin", kRoleHasher, hash_of('c'))).status().code(), ErrorCode::kInvalidInput);
  auto dup_hash = svc_->create_token(token("other", kRoleHasher, hash_of('a')));
  EXPECT_EQ(dup_hash.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(dup_hash.status().message().find("secret_hash"), std::string::npos) << dup_hash.status().message();
  // Bad fields, each named in the message.
  struct Bad {
    ApiToken t;
    const char* field;
  } bad[] = {
      {token("", kRoleHasher, hash_of('d')), "name"},
      {token("has space", kRoleHasher, hash_of('d')), "name"},
      {token(std::string(65, 'x'), kRoleHasher, hash_of('d')), "name"},
      {token("\xc3\xbc", kRoleHasher, hash_of('d')), "name"},
      {token("zero", 0, hash_of('d')), "roles"},
      {token("unknownbit", 1u << 6, hash_of('d')), "roles"},
      {token("short", kRoleHasher, std::string(63, 'd')), "secret_hash"},
      {token("nonhex", kRoleHasher, std::string(63, 'd') + "g"), "secret_hash"},
  };
  for (const Bad& x : bad) {
    auto r = svc_->create_token(x.t);
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << x.t.name;
    EXPECT_NE(r.status().message().find(x.field), std::string::npos) << r.status().message();
  }
  ASSERT_EQ(svc_->list_tokens().value().size(), 2u);

  auto found = svc_->find_token_by_hash(hash_of('a'));
  ASSERT_TRUE(found.ok() && found.value().has_value());
  EXPECT_EQ(found.value()->name, "ci.bot@example-1");
  EXPECT_EQ(found.value()->roles, kRoleHasher | kRoleMatcher);
  EXPECT_EQ(svc_->find_token_by_hash(hash_of('A')).value()->id, a.value().id);
  EXPECT_FALSE(svc_->find_token_by_hash(hash_of('e')).value().has_value());
  EXPECT_FALSE(svc_->find_token_by_hash("not hex").value().has_value());

  ASSERT_TRUE(svc_->revoke_token("ci.bot@example-1").ok());
  EXPECT_TRUE(svc_->revoke_token("ci.bot@example-1").ok());  // again: still fine
  EXPECT_EQ(svc_->revoke_token("nobody").code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->revoke_token(std::string("\xff", 1)).code(), ErrorCode::kInvalidInput);
  // Revoked tokens are still found (the caller refuses them), from another
  // connection too.
  auto other = open_service();
  ASSERT_NE(other, nullptr);
  auto revoked = other->find_token_by_hash(hash_of('a'));
  ASSERT_TRUE(revoked.ok() && revoked.value().has_value());
  EXPECT_TRUE(revoked.value()->revoked);
  auto list = other->list_tokens().value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, a.value().id);
  EXPECT_TRUE(list[0].revoked);
  EXPECT_FALSE(list[1].revoked);
  EXPECT_EQ(list[1].roles, static_cast<uint32_t>(kRoleAdmin));
}

TEST(ServiceNames, RolesAndActions) {
  for (Role r : {kRoleHasher, kRoleMatcher, kRoleCurator, kRoleReviewer, kRoleAdmin, kRoleAuditor}) {
    EXPECT_EQ(parse_role(role_name(r)), static_cast<uint32_t>(r)) << role_name(r);
  }
  EXPECT_STREQ(role_name(kRoleReviewer), "reviewer");
  EXPECT_EQ(parse_role("Admin"), 0u);
  EXPECT_EQ(parse_role(""), 0u);
  for (ActionKind a : {ActionKind::kBlock, ActionKind::kHold, ActionKind::kReview, ActionKind::kCase,
                       ActionKind::kWebhook, ActionKind::kRecord}) {
    EXPECT_EQ(parse_action(action_name(a)), a) << action_name(a);
  }
  EXPECT_STREQ(action_name(ActionKind::kWebhook), "webhook");
  EXPECT_FALSE(parse_action("allow").has_value());
}

// The encoding documented in service_store.h, computed independently.
TEST(AuditHash, DocumentedEncoding) {
  AuditEntry e;
  e.seq = 42;
  e.time_us = -7;
  e.actor = "alice";
  e.action = "bank.create";
  e.target = "bank:x";
  e.detail_json = "{\"k\":1}";
  e.prev_hash = hash_of('f');
  std::string msg;
  for (const std::string& f : {std::string("chainbreak-audit-v1"), e.prev_hash, std::string("42"), std::string("-7"),
                               e.actor, e.action, e.target, e.detail_json}) {
    for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((f.size() >> (8 * i)) & 0xff));
    msg += f;
  }
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), d);
  std::string hex;
  for (unsigned char c : d) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", c);
    hex += buf;
  }
  EXPECT_EQ(audit_entry_hash(e), hex);
  e.hash = "ignored";
  EXPECT_EQ(audit_entry_hash(e), hex);

  // Every field counts, and moving bytes between fields changes the hash.
  AuditEntry moved = e;
  moved.actor = "alic";
  moved.action = "ebank.create";
  EXPECT_NE(audit_entry_hash(moved), hex);
  for (auto change :
       {+[](AuditEntry& x) { x.seq++; }, +[](AuditEntry& x) { x.time_us++; }, +[](AuditEntry& x) { x.actor += "!"; },
        +[](AuditEntry& x) { x.action += "!"; }, +[](AuditEntry& x) { x.target += "!"; },
        +[](AuditEntry& x) { x.detail_json = ""; }, +[](AuditEntry& x) { x.prev_hash[0] = '0'; }}) {
    AuditEntry c = e;
    change(c);
    EXPECT_NE(audit_entry_hash(c), hex);
  }
}

TEST_P(ServiceStoreTest, AuditChain) {
  const int64_t start =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  for (int i = 0; i < 60; ++i) {
    std::string detail = i % 3 == 0 ? "" : "{\"i\":" + std::to_string(i) + "}";
    auto r = svc_->append_audit(i % 2 ? "alice" : "system", "bank.update", "bank:b" + std::to_string(i), detail);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r.value().seq, i + 1);
    EXPECT_EQ(r.value().detail_json, detail);
    EXPECT_EQ(r.value().hash, audit_entry_hash(r.value()));
  }
  // Refused arguments write nothing.
  EXPECT_EQ(svc_->append_audit("", "a", "t", "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->append_audit("x", "", "t", "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->append_audit("x", "a", "t", "[1]").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->append_audit("x", "a", std::string("t\0", 2), "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->append_audit(std::string(200, 'x'), "a", "t", "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->audit_since(0, 0).status().code(), ErrorCode::kInvalidInput);

  std::vector<AuditEntry> log = whole_log(*svc_);
  ASSERT_EQ(log.size(), 60u);
  EXPECT_EQ(first_break(log), 0);
  EXPECT_EQ(log[0].prev_hash, kZeros);
  for (size_t i = 1; i < log.size(); ++i) EXPECT_GE(log[i].time_us, log[i - 1].time_us);
  EXPECT_GE(log[0].time_us, start);
  EXPECT_LT(log.back().time_us, start + 600'000'000);
  EXPECT_EQ(log[5].actor, "alice");
  EXPECT_EQ(log[5].target, "bank:b5");

  auto page = svc_->audit_since(10, 5).value();
  ASSERT_EQ(page.size(), 5u);
  EXPECT_EQ(page[0].seq, 11);
  EXPECT_EQ(page[4].seq, 15);
  EXPECT_TRUE(svc_->audit_since(60, 10).value().empty());

  // The chain continues across connections and reopens.
  svc_.reset();
  svc_ = open_service();
  ASSERT_NE(svc_, nullptr);
  auto next = svc_->append_audit("system", "service.start", "", "");
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next.value().seq, 61);
  EXPECT_EQ(next.value().prev_hash, log.back().hash);
}

TEST_P(ServiceStoreTest, ConcurrentAppendsFormOneChain) {
  constexpr int kThreads = 4, kEach = 40;
  std::vector<std::unique_ptr<ServiceStore>> stores;
  for (int t = 0; t < kThreads; ++t) {
    stores.push_back(open_service());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!stores[t]->append_audit("writer" + std::to_string(t), "test.append", std::to_string(i), "").ok()) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << t;
  std::vector<AuditEntry> log = whole_log(*svc_);
  ASSERT_EQ(log.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(first_break(log), 0);
  // Each writer's entries are all there, in its own order.
  for (int t = 0; t < kThreads; ++t) {
    int next = 0;
    for (const AuditEntry& e : log) {
      if (e.actor == "writer" + std::to_string(t)) {
        EXPECT_EQ(e.target, std::to_string(next++));
      }
    }
    EXPECT_EQ(next, kEach);
  }
}

TEST_P(ServiceStoreTest, AuditTamperDetected) {
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(svc_->append_audit("alice", "decision.read", "decision:1", "").ok());
  ASSERT_EQ(first_break(whole_log(*svc_)), 0);

  // One field changed in the database: the entry's hash no longer matches.
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE audit_log SET target = 'decision:2' WHERE seq = 3"));
  std::vector<AuditEntry> log = whole_log(*svc_);
  ASSERT_EQ(log.size(), 6u);
  EXPECT_EQ(log[2].target, "decision:2");
  EXPECT_NE(audit_entry_hash(log[2]), log[2].hash);
  EXPECT_EQ(first_break(log), 3);

  // Recomputing that entry's hash breaks the link to the next one instead.
  log[2].hash = audit_entry_hash(log[2]);
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE audit_log SET hash = '" + log[2].hash + "' WHERE seq = 3"));
  EXPECT_EQ(first_break(whole_log(*svc_)), 4);

  // A deleted entry leaves a gap.
  ASSERT_NO_FATAL_FAILURE(raw_exec("DELETE FROM audit_log WHERE seq < 5"));
  auto rest = svc_->audit_since(0, 100).value();
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].seq, 5);
  EXPECT_EQ(first_break(rest), 1);
}

Rule rule(const std::string& name, ActionKind action, int priority) {
  Rule r;
  r.name = name;
  r.action = action;
  r.priority = priority;
  if (action == ActionKind::kWebhook) r.webhook_url = "https://hooks.example/x?y=1";
  return r;
}

TEST_P(ServiceStoreTest, RulesCrud) {
  const int64_t before = std::time(nullptr);
  Rule in = rule("record-all", ActionKind::kRecord, 0);
  auto a = svc_->create_rule(in);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_GT(a.value().id, 0);
  EXPECT_GE(a.value().created_at, before);
  Rule hook = rule("hook.ncmec", ActionKind::kWebhook, 10);
  hook.bank = "ncmec";
  hook.classification = "A1";
  hook.max_distance = 20;
  hook.webhook_secret = "s3cret \xe2\x80\x94";
  hook.enabled = false;
  auto b = svc_->create_rule(hook);
  ASSERT_TRUE(b.ok()) << b.status().message();
  auto c = svc_->create_rule(rule("block_A", ActionKind::kBlock, 10));
  ASSERT_TRUE(c.ok()) << c.status().message();

  // Priority descending, then id.
  auto list = svc_->list_rules().value();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "hook.ncmec");
  EXPECT_EQ(list[1].name, "block_A");
  EXPECT_EQ(list[2].name, "record-all");
  const Rule& h = list[0];
  EXPECT_EQ(h.id, b.value().id);
  EXPECT_EQ(h.bank, "ncmec");
  EXPECT_EQ(h.classification, "A1");
  EXPECT_EQ(h.max_distance, 20);
  EXPECT_EQ(h.action, ActionKind::kWebhook);
  EXPECT_EQ(h.webhook_url, hook.webhook_url);
  EXPECT_EQ(h.webhook_secret, hook.webhook_secret);
  EXPECT_FALSE(h.enabled);
  EXPECT_EQ(h.created_at, b.value().created_at);

  EXPECT_EQ(svc_->create_rule(rule("block_A", ActionKind::kHold, 0)).status().code(), ErrorCode::kInvalidInput);
  struct Bad {
    Rule r;
    const char* field;
  };
  std::vector<Bad> bad;
  bad.push_back({rule("", ActionKind::kRecord, 0), "name"});
  bad.push_back({rule("a b", ActionKind::kRecord, 0), "name"});
  bad.push_back({rule("x@y", ActionKind::kRecord, 0), "name"});
  Bad b1{rule("d1", ActionKind::kRecord, 0), "max_distance"};
  b1.r.max_distance = -1;
  Bad b2{rule("d2", ActionKind::kRecord, 0), "max_distance"};
  b2.r.max_distance = 257;
  Bad b3{rule("u1", ActionKind::kWebhook, 0), "webhook_url"};
  b3.r.webhook_url = "";
  Bad b4{rule("u2", ActionKind::kWebhook, 0), "webhook_url"};
  b4.r.webhook_url = "ftp://example/x";
  Bad b5{rule("u3", ActionKind::kWebhook, 0), "webhook_url"};
  b5.r.webhook_url = "https://exa mple/";
  Bad b6{rule("u4", ActionKind::kBlock, 0), "webhook_url"};
  b6.r.webhook_url = "https://example/";
  Bad b7{rule("s1", ActionKind::kHold, 0), "webhook_secret"};
  b7.r.webhook_secret = "k";
  Bad b8{rule("a1", static_cast<ActionKind>(9), 0), "action"};
  Bad b9{rule("bk", ActionKind::kRecord, 0), "bank"};
  b9.r.bank = "no such/bank";
  Bad b10{rule("cl", ActionKind::kRecord, 0), "classification"};
  b10.r.classification = std::string("\xff", 1);
  for (Bad* x : {&b1, &b2, &b3, &b4, &b5, &b6, &b7, &b8, &b9, &b10}) bad.push_back(*x);
  for (const Bad& x : bad) {
    auto r = svc_->create_rule(x.r);
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << x.r.name;
    EXPECT_NE(r.status().message().find(x.field), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(svc_->list_rules().value().size(), 3u);

  // Update: every setting, created_at kept; a lower priority moves it last.
  Rule upd = b.value();
  upd.name = "hook2";
  upd.action = ActionKind::kReview;
  upd.webhook_url = "";
  upd.webhook_secret = "";
  upd.priority = -5;
  upd.enabled = true;
  upd.bank = "";
  upd.created_at = 1;
  ASSERT_TRUE(svc_->update_rule(upd).ok());
  list = svc_->list_rules().value();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[2].name, "hook2");
  EXPECT_EQ(list[2].action, ActionKind::kReview);
  EXPECT_EQ(list[2].created_at, b.value().created_at);
  EXPECT_TRUE(list[2].enabled);
  EXPECT_TRUE(svc_->update_rule(upd).ok());  // its own name is not a duplicate
  Rule dup = upd;
  dup.name = "block_A";
  EXPECT_EQ(svc_->update_rule(dup).code(), ErrorCode::kInvalidInput);
  Rule ghost = upd;
  ghost.id += 1000;
  ghost.name = "ghost";
  EXPECT_EQ(svc_->update_rule(ghost).code(), ErrorCode::kInvalidInput);
  Rule invalid = upd;
  invalid.max_distance = 300;
  EXPECT_EQ(svc_->update_rule(invalid).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->list_rules().value()[2].max_distance, 20);  // unchanged

  ASSERT_TRUE(svc_->delete_rule(a.value().id).ok());
  EXPECT_EQ(svc_->delete_rule(a.value().id).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(svc_->list_rules().value().size(), 2u);
  // Ids are not reused, also those of the newest rule.
  ASSERT_TRUE(svc_->delete_rule(c.value().id).ok());
  auto d = svc_->create_rule(rule("record-all", ActionKind::kRecord, 0));
  ASSERT_TRUE(d.ok());
  EXPECT_GT(d.value().id, c.value().id);
}

}  // namespace
}  // namespace chainbreak::store::testing
