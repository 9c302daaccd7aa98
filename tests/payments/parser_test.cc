// The transaction parser: fields, exact decimals, errors naming the field.
#include <gtest/gtest.h>

#include "pay_test_support.h"
#include "payments/transaction.h"

namespace chainbreak::payments {
namespace {

using testing::line;
using testing::TxSpec;

TEST(PayParser, ParsesEveryFieldAndIgnoresUnknownOnes) {
  TxParser p;
  Transaction tx;
  FieldError e;
  TxSpec s;
  s.memo = "Please stop";
  s.wallet = "bc1qxyz";
  std::string l = line(s);
  l.insert(l.size() - 1, ",\"label\":{\"kind\":\"sextortion\",\"episode\":\"sx-1\"},\"extra\":[1,2,{\"a\":null}]");
  ASSERT_TRUE(p.parse(l, &tx, &e)) << e.field << ": " << e.message;
  EXPECT_EQ(tx.id, "t1");
  EXPECT_EQ(tx.time, 1772366400);
  EXPECT_EQ(tx.amount, 100000);
  EXPECT_EQ(currency_text(tx.currency), "USD");
  EXPECT_EQ(tx.channel, Channel::kP2p);
  EXPECT_EQ(tx.payer.id, "a");
  EXPECT_EQ(country_text(tx.payer.country), "US");
  EXPECT_EQ(tx.payer.age_band, AgeBand::kAdult);
  EXPECT_EQ(tx.payer.account_age_days, 400);
  EXPECT_EQ(tx.payee.id, "b");
  EXPECT_EQ(tx.memo, "Please stop");
  EXPECT_EQ(tx.wallet, "bc1qxyz");
  EXPECT_FALSE(tx.has_merchant_category);
}

TEST(PayParser, DecimalsAreExact) {
  struct Case {
    const char* text;
    int64_t units;
  } ok[] = {{"0", 0},      {"25", 250000},      {"25.5", 255000},
            {"0.0001", 1}, {"12.3456", 123456}, {"99999999999999.9999", 999999999999999999}};
  for (const auto& c : ok) {
    int64_t v = -1;
    ASSERT_TRUE(parse_amount(c.text, &v).ok()) << c.text;
    EXPECT_EQ(v, c.units) << c.text;
    std::string back;
    append_amount(back, v);
    int64_t again = -1;
    ASSERT_TRUE(parse_amount(back, &again).ok());
    EXPECT_EQ(again, v);
  }
  for (const char* bad : {"", "-1", "1.23456", "1e3", "1.", ".5", "abc", "1,5", "123456789012345"}) {
    int64_t v;
    EXPECT_FALSE(parse_amount(bad, &v).ok()) << bad;
  }
  // 0.1 + 0.2 in fixed point is exactly 0.3.
  int64_t a, b, c;
  ASSERT_TRUE(parse_amount("0.1", &a).ok() && parse_amount("0.2", &b).ok() && parse_amount("0.3", &c).ok());
  EXPECT_EQ(a + b, c);
}

TEST(PayParser, NumericAmountIsReadFromItsText) {
  TxParser p;
  Transaction tx;
  FieldError e;
  std::string l = line(TxSpec{});
  size_t at = l.find("\"10\"");
  l.replace(at, 4, "10.05");
  ASSERT_TRUE(p.parse(l, &tx, &e)) << e.message;
  EXPECT_EQ(tx.amount, 100500);
}

TEST(PayParser, Rfc3339) {
  int64_t t;
  ASSERT_TRUE(parse_rfc3339("2026-03-01T12:00:00Z", &t));
  EXPECT_EQ(t, 1772366400);
  ASSERT_TRUE(parse_rfc3339("2026-03-01T17:30:00.123+05:30", &t));
  EXPECT_EQ(t, 1772366400);
  ASSERT_TRUE(parse_rfc3339("2026-03-01T07:00:00-05:00", &t));
  EXPECT_EQ(t, 1772366400);
  EXPECT_EQ(format_rfc3339(1772366400), "2026-03-01T12:00:00Z");
  for (const char* bad : {"2026-03-01", "2026-02-30T00:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T12:00:00",
                          "1969-12-31T23:59:59Z", "2026-03-01T12:00:00+5:00", "2026-13-01T00:00:00Z"})
    EXPECT_FALSE(parse_rfc3339(bad, &t)) << bad;
}

// Each mutation of a valid line must be rejected naming this field.
TEST(PayParser, ErrorsNameTheField) {
  const std::string good = line(TxSpec{});
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string l = good;
    size_t at = l.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) l.replace(at, from.size(), to);
    return l;
  };
  struct Case {
    std::string line, field;
  } cases[] = {
      {replace("\"id\":\"t1\",", ""), "id"},
      {replace("\"id\":\"t1\"", "\"id\":5"), "id"},
      {replace("\"id\":\"t1\"", "\"id\":\"\""), "id"},
      {replace("\"time\":\"2026-03-01T12:00:00Z\"", "\"time\":\"yesterday\""), "time"},
      {replace("\"time\":\"2026-03-01T12:00:00Z\",", ""), "time"},
      {replace("\"amount\":\"10\"", "\"amount\":\"ten\""), "amount"},
      {replace("\"amount\":\"10\"", "\"amount\":\"-10\""), "amount"},
      {replace("\"amount\":\"10\"", "\"amount\":true"), "amount"},
      {replace("\"amount\":\"10\",", ""), "amount"},
      {replace("\"currency\":\"USD\"", "\"currency\":\"US\""), "currency"},
      {replace("\"channel\":\"p2p\"", "\"channel\":\"cash\""), "channel"},
      {replace("\"payer\":{", "\"payer\":[],\"x\":{"), "payer"},
      {replace("\"payer\":{\"id\":\"a\",", "\"payer\":{"), "payer.id"},
      {replace("\"country\":\"US\"", "\"country\":\"USA\""), "payer.country"},
      {replace("\"age_band\":\"adult\"", "\"age_band\":\"teen\""), "payer.age_band"},
      {replace("\"account_age_days\":400", "\"account_age_days\":-1"), "payer.account_age_days"},
      {replace("\"account_age_days\":400", "\"account_age_days\":\"old\""), "payer.account_age_days"},
      {replace("\"payee\":{\"id\":\"b\",", "\"payee\":{\"id\":7,"), "payee.id"},
      {replace("\"payee\":{\"id\":\"b\",\"country\":\"US\"", "\"payee\":{\"id\":\"b\",\"country\":\"1\""),
       "payee.country"},
      {replace("}}", "},\"memo\":5}"), "memo"},
      {replace("}}", "},\"wallet\":[]}"), "wallet"},
      {replace("}}", "},\"merchant_category\":{}}"), "merchant_category"},
  };
  TxParser p;
  for (const Case& c : cases) {
    Transaction tx;
    FieldError e;
    EXPECT_FALSE(p.parse(c.line, &tx, &e)) << c.line;
    EXPECT_EQ(e.field, c.field) << c.line << " -> " << e.message;
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(PayParser, MalformedLinesNeverCrashAndKeepTheId) {
  TxParser p;
  Transaction tx;
  FieldError e;
  EXPECT_FALSE(p.parse("not json", &tx, &e));
  EXPECT_EQ(e.field, "");
  EXPECT_FALSE(p.has_err_id());
  EXPECT_FALSE(p.parse("{\"id\":\"x1\",\"amount\":", &tx, &e));
  EXPECT_FALSE(p.parse("{\"id\":\"x2\",\"time\":\"bad\"}", &tx, &e));
  EXPECT_EQ(e.field, "time");
  ASSERT_TRUE(p.has_err_id());
  EXPECT_EQ(p.err_id(), "x2");
  EXPECT_FALSE(p.parse("{\"time\":\"bad\",\"id\":\"x3\"}", &tx, &e));
  ASSERT_TRUE(p.has_err_id());
  EXPECT_EQ(p.err_id(), "x3");
  // Truncations of a valid line at every position: an error, never a crash.
  std::string good = line(TxSpec{});
  for (size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(p.parse(good.substr(0, n), &tx, &e)) << n;
  EXPECT_TRUE(p.parse(good, &tx, &e));
}

}  // namespace
}  // namespace chainbreak::payments
