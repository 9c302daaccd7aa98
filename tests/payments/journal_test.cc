// Journal, snapshots, restart and replay; kill -9 of the CLI mid-stream.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "pay_test_support.h"
#include "payments/pay_state.h"

namespace chainbreak::payments {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> make_lines(int n, uint32_t seed, int accounts = 200) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  int64_t t = 1772323200;
  const char* countries[] = {"US", "NG", "PH", "GB"};
  const char* bands[] = {"adult", "minor", "unknown"};
  const char* amounts[] = {"10", "25", "50", "7.5", "100", "12.34"};
  for (int i = 0; i < n; ++i) {
    t += rng() % 120;
    testing::TxSpec s;
    s.id = std::string("tx").append(std::to_string(i));
    s.time = format_rfc3339(t);
    s.amount = amounts[rng() % 6];
    s.payer = std::string("a").append(std::to_string(rng() % accounts));
    s.payee = std::string("a").append(std::to_string(rng() % accounts));
    s.payer_band = bands[rng() % 3];
    s.payee_country = countries[rng() % 4];
    if (rng() % 10 == 0) s.memo = "please stop";
    std::string l = testing::line(s);
    if (rng() % 97 == 0) l = l.substr(0, l.size() / 2);  // malformed
    out.push_back(l);
  }
  return out;
}

std::string default_rules_text() {
  std::ifstream in(CHAINBREAK_PAY_RULES_FILE);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<PaymentState> open_state(const std::string& dir, uint64_t snapshot_every = 0) {
  auto ps = PaymentState::open(
      StateOptions{dir, Options{testing::rules_or_die(default_rules_text()), {}, 64}, false, snapshot_every});
  EXPECT_TRUE(ps.ok()) << ps.status().message();
  return ps.ok() ? std::move(ps).value() : nullptr;
}

std::string screen_range(PaymentState& ps, const std::vector<std::string>& lines, size_t from, size_t to) {
  std::vector<LineRef> refs;
  for (size_t i = from; i < to; ++i) refs.push_back({lines[i], i + 1});
  std::string out;
  ps.screen_lines(refs, out);
  EXPECT_TRUE(ps.commit().ok());
  return out;
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/cbpay-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

TEST(PayJournal, RoundTripAndReplayIdentical) {
  TempDir d;
  auto lines = make_lines(3000, 1);
  std::string out;
  {
    auto ps = open_state(d.path);
    ASSERT_TRUE(ps);
    out = screen_range(*ps, lines, 0, lines.size());
    // Redress one hold.
    size_t at = out.find("\"decision\":\"hold\"");
    ASSERT_NE(at, std::string::npos);
    size_t id0 = out.rfind("{\"id\":\"", at) + 7;
    RedressEvent rel;
    rel.tx_id = out.substr(id0, out.find('"', id0) - id0);
    rel.at = 1772323200 + 86400;
    ASSERT_TRUE(ps->redress(rel).ok());
    ASSERT_TRUE(ps->close().ok());
  }
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3000);
  auto rep = replay_journal(d.path, nullptr);
  ASSERT_TRUE(rep.ok()) << rep.status().message();
  EXPECT_TRUE(rep.value().identical) << rep.value().expected << "\n" << rep.value().got;
  EXPECT_EQ(rep.value().screens, 3000u);
  EXPECT_EQ(rep.value().redress, 1u);
  // Other rules give other decisions: replay reports the first difference.
  RuleSet other = testing::rules_or_die(R"(version: 1
typologies: [{id: x, alert: 1, hold: 1, block: 2}]
rules: [{id: all, typology: x, weight: 1, source: s, reason: r, when: [{feature: tx.amount, op: ge, value: "0"}]}]
)");
  auto diff = replay_journal(d.path, &other);
  ASSERT_TRUE(diff.ok());
  EXPECT_FALSE(diff.value().identical);
  EXPECT_GT(diff.value().first_diff_record, 1u);
}

TEST(PayJournal, TornFinalRecordIsDropped) {
  TempDir d;
  auto lines = make_lines(500, 2);
  {
    auto ps = open_state(d.path);
    screen_range(*ps, lines, 0, lines.size());
  }  // no close(): as after a crash, no snapshot
  const std::string j = d.path + "/journal.log";
  uint64_t size = fs::file_size(j);
  auto full = scan_journal(j, 0, [](RecordType, std::string_view, uint64_t) { return Status::Ok(); });
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(full.value().torn);
  EXPECT_EQ(full.value().records, 501u);  // session + 500
  fs::resize_file(j, size - 5);
  auto torn = scan_journal(j, 0, [](RecordType, std::string_view, uint64_t) { return Status::Ok(); });
  ASSERT_TRUE(torn.ok());
  EXPECT_TRUE(torn.value().torn);
  EXPECT_EQ(torn.value().records, 500u);
  {
    auto ps = open_state(d.path);
    ASSERT_TRUE(ps);
    EXPECT_TRUE(ps->dropped_torn_record());
    EXPECT_EQ(ps->recovered_records(), 500u);
    screen_range(*ps, lines, 499, 500);  // the lost one again
  }
  EXPECT_TRUE(replay_journal(d.path, nullptr).value().identical);
  // A flipped byte in the middle ends the journal there too.
  std::fstream f(j, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(size / 2));
  f.put('\x7f');
  f.close();
  auto flipped = scan_journal(j, 0, [](RecordType, std::string_view, uint64_t) { return Status::Ok(); });
  EXPECT_TRUE(flipped.value().torn);
  EXPECT_LT(flipped.value().records, 501u);
}

// Restarting (snapshot + journal tail, or journal alone) continues exactly
// as an uninterrupted run would.
TEST(PayJournal, RestartContinuesLikeAnUninterruptedRun) {
  auto lines = make_lines(4000, 3, 60);
  TempDir whole, split, crash;
  std::string expect;
  {
    auto ps = open_state(whole.path);
    expect = screen_range(*ps, lines, 0, lines.size());
  }
  std::string got;
  {
    auto ps = open_state(split.path, 700);
    got = screen_range(*ps, lines, 0, 1000);
    got += screen_range(*ps, lines, 1000, 1500);  // a snapshot was written in between
    ASSERT_TRUE(fs::exists(split.path + "/snapshot.bin"));
  }  // no close: the tail after the snapshot is replayed
  {
    auto ps = open_state(split.path, 700);
    EXPECT_GT(ps->recovered_records(), 0u);
    got += screen_range(*ps, lines, 1500, 2500);
    ASSERT_TRUE(ps->close().ok());
  }
  {
    auto ps = open_state(split.path, 700);
    got += screen_range(*ps, lines, 2500, lines.size());
  }
  EXPECT_EQ(got, expect);
  std::string got2;
  {
    auto ps = open_state(crash.path);
    got2 = screen_range(*ps, lines, 0, 2000);
  }
  {
    auto ps = open_state(crash.path);
    EXPECT_EQ(ps->recovered_records(), 2001u);
    got2 += screen_range(*ps, lines, 2000, lines.size());
  }
  EXPECT_EQ(got2, expect);
  EXPECT_TRUE(replay_journal(split.path, nullptr).value().identical);
}

// The service's path: threads screen under one lock and commit through the
// flusher (commit_async and commit_shared), snapshots due meanwhile. Every
// acknowledged request is in the journal, replay reproduces the decisions,
// and a reopen recovers.
TEST(PayJournal, ConcurrentGroupCommitJournalsEveryRequest) {
  TempDir d;
  auto lines = make_lines(2000, 9);
  std::atomic<int> next{0}, acked{0}, failed{0};
  {
    auto ps = open_state(d.path, 300);
    ASSERT_TRUE(ps);
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = next++; i < static_cast<int>(lines.size()); i = next++) {
          std::string out;
          uint64_t seq;
          {
            std::lock_guard<std::mutex> l(mu);
            LineRef r{lines[static_cast<size_t>(i)], static_cast<uint64_t>(i) + 1};
            ps->screen_lines(std::span<const LineRef>(&r, 1), out);
            seq = ps->queued_batches();
          }
          Status st;
          if (i % 2 == 0) {
            st = ps->commit_shared(mu);
          } else {
            std::promise<Status> done;
            std::future<Status> f = done.get_future();
            ps->commit_async(seq, mu, [&done](Status s) { done.set_value(s); });
            st = f.get();
          }
          st.ok() ? ++acked : ++failed;
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }  // destroyed without close(): the journal alone must hold everything
  EXPECT_EQ(acked.load(), 2000);
  EXPECT_EQ(failed.load(), 0);
  auto rep = replay_journal(d.path, nullptr);
  ASSERT_TRUE(rep.ok()) << rep.status().message();
  EXPECT_TRUE(rep.value().identical) << rep.value().expected << "\n" << rep.value().got;
  EXPECT_EQ(rep.value().screens, 2000u);
  EXPECT_TRUE(fs::exists(d.path + "/snapshot.bin")) << "a snapshot was due after 300 transactions";
  auto again = open_state(d.path);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->dropped_torn_record());
}

TEST(PayJournal, OneWriterPerStateDirectory) {
  TempDir d;
  auto a = open_state(d.path);
  ASSERT_TRUE(a);
  auto b = PaymentState::open(StateOptions{d.path, Options{testing::rules_or_die(default_rules_text()), {}, 64}});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), ErrorCode::kUnsupported);
}

// kill -9 of `chainbreak pay screen --state` mid-stream: every decision it
// printed is in the journal, and a restart continues.
TEST(PayJournal, KillNineLosesNoAcknowledgedDecision) {
  TempDir d;
  const std::string input = d.path + "/in.jsonl", output = d.path + "/out.jsonl", state = d.path + "/state";
  auto lines = make_lines(400000, 4, 50000);
  {
    std::ofstream f(input);
    for (const auto& l : lines) f << l << '\n';
  }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int in = ::open(input.c_str(), O_RDONLY);
    int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    execl(CHAINBREAK_BIN, "chainbreak", "pay", "screen", "--state", state.c_str(), "--rules", CHAINBREAK_PAY_RULES_FILE,
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until some decisions were acknowledged, then kill.
  for (int i = 0; i < 2000; ++i) {
    std::error_code ec;
    if (fs::exists(output) && fs::file_size(output, ec) > 2'000'000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the screener finished before it was killed: make the stream longer";
  std::vector<std::string> printed;
  {
    std::ifstream f(output);
    std::string l;
    while (std::getline(f, l)) printed.push_back(l);
  }
  ASSERT_GT(printed.size(), 1000u);
  std::vector<std::string> journaled;
  auto scan = scan_journal(state + "/journal.log", 0, [&](RecordType t, std::string_view p, uint64_t) {
    if (t == RecordType::kScreen) {
      uint32_t n;
      std::memcpy(&n, p.data() + 8, 4);
      journaled.emplace_back(p.substr(12 + n));
    }
    return Status::Ok();
  });
  ASSERT_TRUE(scan.ok());
  ASSERT_GE(journaled.size(), printed.size() - 1);  // the last printed line may be cut short
  for (size_t i = 0; i + 1 < printed.size(); ++i) ASSERT_EQ(printed[i], journaled[i]) << "line " << i + 1;
  // Restart on the rest of the stream.
  {
    std::ofstream f(input);
    for (size_t i = journaled.size(); i < journaled.size() + 1000; ++i) f << lines[i] << '\n';
  }
  std::string cmd = std::string(CHAINBREAK_BIN) + " pay screen --state " + state + " --rules " +
                    CHAINBREAK_PAY_RULES_FILE + " < " + input + " > " + output;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto rep = replay_journal(state, nullptr);
  ASSERT_TRUE(rep.ok());
  EXPECT_TRUE(rep.value().identical);
  EXPECT_EQ(rep.value().screens, journaled.size() + 1000);
}

}  // namespace
}  // namespace chainbreak::payments
