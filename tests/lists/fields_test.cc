// lists/fields: hex, timestamps, numbers, metadata JSON, plain escapes.
#include "lists/fields.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lists/formats.h"

namespace chainbreak::lists {
namespace {

using store::SignalType;

TEST(ListFields, HexIsCheckedAndLowercased) {
  std::string out, reason;
  EXPECT_TRUE(normalize_hex("D41D8CD98F00B204E9800998ECF8427E", SignalType::kMd5, &out, &reason));
  EXPECT_EQ(out, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_FALSE(normalize_hex("d41d8cd98f00b204e9800998ecf8427", SignalType::kMd5, &out, &reason));
  EXPECT_EQ(reason, "expected 32 hex digits for md5, got 31 characters");
  EXPECT_FALSE(normalize_hex("d41d8cd98f00b204e9800998ecf8427g", SignalType::kMd5, &out, &reason));
  EXPECT_EQ(reason, "not a hex digit: 'g' at position 32");
  EXPECT_FALSE(normalize_hex(std::string("d41d8cd98f00b204e9800998ecf8427\0", 32), SignalType::kMd5, &out, &reason));
  EXPECT_EQ(reason, "not a hex digit: '\\x00' at position 32");
  EXPECT_EQ(hex_length(SignalType::kPdq), 64u);
  EXPECT_EQ(hex_length(SignalType::kSha1), 40u);
  EXPECT_EQ(hex_length(SignalType::kSha256), 64u);
  EXPECT_TRUE(is_canonical_hex(std::string(40, 'a'), SignalType::kSha1));
  EXPECT_FALSE(is_canonical_hex(std::string(40, 'A'), SignalType::kSha1));
  EXPECT_EQ(parse_type_name("SHA256"), SignalType::kSha256);
  EXPECT_EQ(parse_type_name("sha-256"), std::nullopt);
}

TEST(ListFields, TimesParseAsRfc3339OrUnixSeconds) {
  int64_t t = 0;
  EXPECT_TRUE(parse_time("1970-01-01T00:00:00Z", &t));
  EXPECT_EQ(t, 0);
  EXPECT_TRUE(parse_time("2024-05-01T12:00:00Z", &t));
  EXPECT_EQ(t, 1714564800);
  EXPECT_TRUE(parse_time("2024-05-01t14:00:00.123456+02:00", &t));
  EXPECT_EQ(t, 1714564800);
  EXPECT_TRUE(parse_time("2020-07-01T18:31:15+0000", &t));  // ThreatExchange's added_on
  EXPECT_EQ(t, 1593628275);
  EXPECT_TRUE(parse_time("2024-02-29 00:00:00z", &t));
  EXPECT_TRUE(parse_time("1714564800", &t));
  EXPECT_EQ(t, 1714564800);
  EXPECT_TRUE(parse_time("-86400", &t));
  EXPECT_EQ(t, -86400);
  for (const char* bad :
       {"", "2024-05-01", "2024-05-01T12:00:00", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z",
        "2024-05-01T12:00:00Zx", "today", "12ab", "+5", "2024-05-01T12:00Z", "99999999999999999999"})
    EXPECT_FALSE(parse_time(bad, &t)) << bad;
  std::string s;
  for (int64_t v : {int64_t{0}, int64_t{1714564800}, int64_t{-1}, int64_t{951782400}, int64_t{253402300799}}) {
    s.clear();
    append_time(v, &s);
    int64_t back = 0;
    EXPECT_TRUE(parse_time(s, &back)) << s;
    EXPECT_EQ(back, v) << s;
  }
  s.clear();
  append_time(1714564800, &s);
  EXPECT_EQ(s, "2024-05-01T12:00:00Z");
  s.clear();
  append_time(253402300800, &s);  // year 10000: written as unix seconds
  EXPECT_EQ(s, "253402300800");
}

TEST(ListFields, NumbersAreStrict) {
  double c = 0;
  EXPECT_TRUE(parse_confidence("0.25", &c));
  EXPECT_EQ(c, 0.25);
  EXPECT_TRUE(parse_confidence("1", &c));
  for (const char* bad : {"", "1.5", "-0.1", "nan", "inf", "0.5x", "+0.5", " 0.5"})
    EXPECT_FALSE(parse_confidence(bad, &c));
  int32_t v = 0;
  EXPECT_TRUE(parse_int32("2147483647", &v));
  EXPECT_FALSE(parse_int32("2147483648", &v));
  std::string s;
  append_double(0.1, &s);
  EXPECT_EQ(s, "0.1");
}

TEST(ListFields, MetadataMatchesNlohmannDump) {
  MetadataBuilder m;
  EXPECT_TRUE(m.add("zeta", "a\"b\\c\n\x01"));
  EXPECT_TRUE(m.add("alpha", "x"));
  EXPECT_FALSE(m.add("alpha", "y"));
  std::string out, reason;
  ASSERT_TRUE(m.finish(&out, &reason));
  nlohmann::json j = {{"zeta", "a\"b\\c\n\x01"}, {"alpha", "x"}};
  EXPECT_EQ(out, j.dump());
  m.clear();
  EXPECT_TRUE(m.empty());
  ASSERT_TRUE(m.finish(&out, &reason));
  EXPECT_EQ(out, "");
  // Non-ASCII and merged objects go through nlohmann.
  EXPECT_TRUE(m.add("name", "caf\xc3\xa9"));
  EXPECT_TRUE(m.merge(R"({"n": 5, "list": [1, 2]})", &reason));
  ASSERT_TRUE(m.finish(&out, &reason));
  EXPECT_EQ(out, R"({"list":[1,2],"n":5,"name":"café"})");
  EXPECT_FALSE(m.merge("[1]", &reason));
  EXPECT_EQ(reason, "not a JSON object");
  EXPECT_FALSE(m.merge("{", &reason));
  EXPECT_EQ(reason, "not valid JSON");
  EXPECT_TRUE(m.merge(R"({"name": "again"})", &reason));
  EXPECT_FALSE(m.finish(&out, &reason));
  EXPECT_EQ(reason, "metadata key 'name' given twice");
}

TEST(ListFields, PlainEscapesRoundTrip) {
  const std::string raw = "a\tb\nc\rd\\e\\x";
  std::string escaped;
  append_escaped(raw, &escaped);
  EXPECT_EQ(escaped, "a\\tb\\nc\\rd\\\\e\\\\x");
  std::string storage;
  EXPECT_EQ(unescape(escaped, &storage), raw);
  EXPECT_EQ(unescape("DOMAIN\\user", &storage), "DOMAIN\\user");  // unknown escapes stay
  EXPECT_EQ(unescape("trailing\\", &storage), "trailing\\");
  EXPECT_EQ(unescape("source_org\\=x", &storage), "source_org=x");
}

}  // namespace
}  // namespace chainbreak::lists
