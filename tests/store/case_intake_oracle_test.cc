// PostgreSQL's set-based batch intake (postgres_case_intake.cc) against the
// simple oracle: SQLite's intake, one report after another. Random batches
// whose URLs, file hashes and join hints come from small pools (so reports
// collide within a batch, across batches and with closed cases) go to both
// backends; the cases they form must be the same partition, with the same
// counts, flags, severity, country and source, and the same reports opening
// them. Runs in the Postgres instance (scripts/with-postgres.sh); the
// SQLite instance has nothing to compare and says so.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/case_store.h"
#include "store_fixture.h"

namespace chainbreak::store::testing {
namespace {

class CaseIntakeOracleTest : public StoreTest {};

// Canonical labels of one backend's case ids: the index of the report that
// first landed in the case.
struct Labels {
  std::map<int64_t, size_t> of_case;
  size_t label(int64_t case_id, size_t report) { return of_case.emplace(case_id, report).first->second; }
};

TEST_P(CaseIntakeOracleTest, BatchIntakeFormsTheSameCasesAsOneByOne) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "compares PostgreSQL's batch intake with SQLite";
  auto pg = open_case_store(location_);
  ASSERT_TRUE(pg.ok()) << pg.status().message();
  std::string tmpl = (std::filesystem::temp_directory_path() / "chainbreak-oracle-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  auto lite = open_case_store(tmpl + "/oracle.db");
  ASSERT_TRUE(lite.ok()) << lite.status().message();
  CaseStore* stores[2] = {lite.value().get(), pg.value().get()};

  std::mt19937_64 rng(20261205);
  auto coin = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<std::string> shas, md5s;
  for (int i = 0; i < 5; ++i) shas.push_back(random_value(SignalType::kSha256));
  for (int i = 0; i < 5; ++i) md5s.push_back(random_value(SignalType::kMd5));
  const char* countries[] = {"", "", "fr", "br", "ph"};

  std::vector<int64_t> case_of[2];  // per backend, per report so far
  Labels labels[2];
  size_t reports_so_far = 0;
  for (int round = 0; round < 40; ++round) {
    std::vector<NewReport> batch;
    std::vector<size_t> hint_of;  // the earlier report whose case a join hint names (or SIZE_MAX)
    const size_t size = 1 + pick(12);
    for (size_t k = 0; k < size; ++k) {
      NewReport r;
      r.receipt_hash = random_value(SignalType::kSha256);
      r.category = coin(0.5) ? "csam" : "other";
      r.description = "Synthetic oracle report";
      if (coin(0.6)) r.url = "https://example.org/page/" + std::to_string(pick(6)) + (coin(0.3) ? "/" : "");
      if (coin(0.5)) r.file_sha256 = shas[pick(shas.size())];
      if (coin(0.4)) r.file_md5 = md5s[pick(md5s.size())];
      r.country = countries[pick(5)];
      r.live_harm = coin(0.1);
      r.severity = static_cast<int>(pick(5));
      if (coin(0.1)) r.decision_id = 1000 + round * 100 + static_cast<int64_t>(k);
      hint_of.push_back(reports_so_far > 0 && coin(0.15) ? pick(reports_so_far) : SIZE_MAX);
      batch.push_back(r);
    }
    for (int b = 0; b < 2; ++b) {
      std::vector<NewReport> mine = batch;
      for (size_t k = 0; k < mine.size(); ++k) {
        if (hint_of[k] != SIZE_MAX) mine[k].join_case = case_of[b][hint_of[k]];
      }
      auto got = stores[b]->intake(mine);
      ASSERT_TRUE(got.ok()) << (b ? "postgres: " : "sqlite: ") << got.status().message();
      ASSERT_EQ(got.value().size(), mine.size());
      for (size_t k = 0; k < mine.size(); ++k) {
        case_of[b].push_back(got.value()[k].case_id);
        // A new case is labelled by the report that opened it.
        EXPECT_EQ(got.value()[k].new_case, labels[b].of_case.count(got.value()[k].case_id) == 0)
            << "round " << round << " report " << k;
        labels[b].label(got.value()[k].case_id, reports_so_far + k);
      }
    }
    for (size_t k = 0; k < batch.size(); ++k) {
      const size_t at = reports_so_far + k;
      ASSERT_EQ(labels[0].of_case[case_of[0][at]], labels[1].of_case[case_of[1][at]])
          << "round " << round << ": report " << k << " joined different cases";
    }
    reports_so_far += batch.size();
    // Now and then a reviewer closes a case: later reports must not join it.
    if (coin(0.3)) {
      const size_t victim = pick(reports_so_far);
      for (int b = 0; b < 2; ++b) {
        TransitionRequest close;
        close.to = CaseState::kClosed;
        close.note = "synthetic";
        auto c = stores[b]->get_case(case_of[b][victim]);
        ASSERT_TRUE(c.ok() && c.value());
        if (c.value()->state != CaseState::kClosed) {
          ASSERT_TRUE(stores[b]->transition(case_of[b][victim], close, "oracle").ok());
        }
      }
    }
  }
  // Every case agrees on what its reports made of it.
  for (const auto& [lite_id, label] : labels[0].of_case) {
    const int64_t pg_id = case_of[1][label];
    auto a = stores[0]->get_case(lite_id);
    auto b = stores[1]->get_case(pg_id);
    ASSERT_TRUE(a.ok() && a.value() && b.ok() && b.value());
    const Case &x = *a.value(), &y = *b.value();
    EXPECT_EQ(x.report_count, y.report_count) << "case of report " << label;
    EXPECT_EQ(x.live_harm, y.live_harm) << "case of report " << label;
    EXPECT_EQ(x.severity, y.severity) << "case of report " << label;
    EXPECT_EQ(x.country, y.country) << "case of report " << label;
    EXPECT_EQ(x.url_key, y.url_key) << "case of report " << label;
    EXPECT_EQ(x.source, y.source) << "case of report " << label;
    EXPECT_EQ(x.decision_id, y.decision_id) << "case of report " << label;
    EXPECT_EQ(x.category, y.category) << "case of report " << label;
    EXPECT_EQ(x.state, y.state) << "case of report " << label;
  }
  EXPECT_GT(labels[0].of_case.size(), 10u);             // the pools did not collapse everything
  EXPECT_LT(labels[0].of_case.size(), reports_so_far);  // and reports did join cases
  lite.value().reset();
  std::filesystem::remove_all(tmpl);
}

// A batch the set-based path cannot take (a receipt used twice) still names
// the report at fault and stores nothing.
TEST_P(CaseIntakeOracleTest, RefusedBatchNamesTheReportAndStoresNothing) {
  auto c = open_case_store(location_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  std::vector<NewReport> batch(3);
  for (auto& r : batch) {
    r.receipt_hash = random_value(SignalType::kSha256);
    r.category = "other";
    r.url = "https://example.org/refused";
  }
  batch[2].receipt_hash = batch[0].receipt_hash;
  auto got = c.value()->intake(batch);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("reports[2].receipt_hash"), std::string::npos) << got.status().message();
  auto q = c.value()->queue(std::nullopt, 10);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q.value().empty());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CaseIntakeOracleTest, ::testing::Values(Backend::kSqlite), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, CaseIntakeOracleTest, ::testing::Values(Backend::kPostgres), backend_name);

}  // namespace
}  // namespace chainbreak::store::testing
