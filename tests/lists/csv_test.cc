// The RFC 4180 tokenizer on its own: quoting, CRLF, splits across reads.
#include "lists/csv.h"

#include <gtest/gtest.h>

namespace chainbreak::lists {
namespace {

struct Parsed {
  CsvStatus status;
  std::vector<std::string> fields;
  size_t consumed = 0, newlines = 0;
  std::string reason;
};

Parsed parse(std::string_view in, bool eof = true, size_t max = 1 << 20) {
  CsvFields f;
  Parsed p;
  p.status = parse_csv_record(in, eof, max, &f, &p.consumed, &p.newlines, &p.reason);
  for (std::string_view v : f.fields) p.fields.emplace_back(v);
  return p;
}

using V = std::vector<std::string>;

TEST(ListCsv, PlainFieldsAndTerminators) {
  Parsed p = parse("a,b,c\nnext");
  EXPECT_EQ(p.status, CsvStatus::kRecord);
  EXPECT_EQ(p.fields, (V{"a", "b", "c"}));
  EXPECT_EQ(p.consumed, 6u);
  EXPECT_EQ(p.newlines, 1u);
  p = parse("a,b\r\nx");
  EXPECT_EQ(p.fields, (V{"a", "b"}));
  EXPECT_EQ(p.consumed, 5u);
  p = parse("a,,\n");
  EXPECT_EQ(p.fields, (V{"a", "", ""}));
  p = parse("last,line");  // no terminator at end of input
  EXPECT_EQ(p.fields, (V{"last", "line"}));
  EXPECT_EQ(p.consumed, 9u);
  p = parse("\n");
  EXPECT_EQ(p.fields, (V{""}));
  p = parse("a\rb,c\n");  // a lone CR is data
  EXPECT_EQ(p.fields, (V{"a\rb", "c"}));
  p = parse("say \"hi\",x\n");  // a quote inside an unquoted field is data
  EXPECT_EQ(p.fields, (V{"say \"hi\"", "x"}));
}

TEST(ListCsv, QuotedFields) {
  Parsed p = parse("\"a,b\",\"say \"\"hi\"\"\",\"\"\n");
  EXPECT_EQ(p.status, CsvStatus::kRecord);
  EXPECT_EQ(p.fields, (V{"a,b", "say \"hi\"", ""}));
  p = parse("\"multi\nline\r\nfield\",x\r\nrest");
  EXPECT_EQ(p.fields, (V{"multi\nline\r\nfield", "x"}));
  EXPECT_EQ(p.newlines, 3u);
  EXPECT_EQ(p.consumed, 23u);
  p = parse("\"\"\"\"");  // one quote, at end of input
  EXPECT_EQ(p.fields, (V{"\""}));
  p = parse("\"a\"\r\n");
  EXPECT_EQ(p.fields, (V{"a"}));
  // Many doubled-quote fields: views stay valid while storage grows.
  std::string many;
  for (int i = 0; i < 50; ++i) many += std::string(i ? "," : "") + "\"q\"\"" + std::to_string(i) + "\"";
  p = parse(many + "\n");
  ASSERT_EQ(p.fields.size(), 50u);
  EXPECT_EQ(p.fields[0], "q\"0");
  EXPECT_EQ(p.fields[49], "q\"49");
}

TEST(ListCsv, Errors) {
  Parsed p = parse("\"open,b\nsecond,line\n");
  EXPECT_EQ(p.status, CsvStatus::kError);
  EXPECT_EQ(p.reason, "unterminated quoted field");
  EXPECT_EQ(p.consumed, 8u);  // resynchronise after the first line
  EXPECT_EQ(p.newlines, 1u);
  p = parse("\"a\"b,c\nnext\n");
  EXPECT_EQ(p.status, CsvStatus::kError);
  EXPECT_NE(p.reason.find("after a closing quote"), std::string::npos);
  EXPECT_EQ(p.consumed, 7u);
  p = parse("\"a\"\rb\n");
  EXPECT_EQ(p.status, CsvStatus::kError);
  p = parse(std::string(100, 'x') + "\n", true, 50);
  EXPECT_EQ(p.status, CsvStatus::kError);
  EXPECT_EQ(p.reason, "record longer than 50 bytes");
  p = parse(std::string(100, 'x'), false, 50);  // too long while waiting for more
  EXPECT_EQ(p.status, CsvStatus::kError);
}

TEST(ListCsv, NeedsMoreUntilTheRecordEnds) {
  EXPECT_EQ(parse("a,b", false).status, CsvStatus::kNeedMore);
  EXPECT_EQ(parse("\"a,b\nc", false).status, CsvStatus::kNeedMore);
  EXPECT_EQ(parse("\"a\"", false).status, CsvStatus::kNeedMore);  // could be a doubled quote
  EXPECT_EQ(parse("\"a\"\r", false).status, CsvStatus::kNeedMore);
  EXPECT_EQ(parse("a,b\n", false).status, CsvStatus::kRecord);
}

TEST(ListCsv, WriterQuotesMinimally) {
  std::string out;
  for (std::string_view f : {"plain", "a,b", "say \"hi\"", "two\nlines", "", "cr\r"}) {
    append_csv_field(f, &out);
    out += '|';
  }
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"||\"cr\r\"|");
  // What we write reads back.
  for (std::string_view f : {"a,b", "say \"hi\"", "two\r\nlines", "\"", ",,,"}) {
    std::string rec;
    append_csv_field(f, &rec);
    rec += ",end\r\n";
    Parsed p = parse(rec);
    ASSERT_EQ(p.status, CsvStatus::kRecord) << rec;
    EXPECT_EQ(p.fields, (V{std::string(f), "end"}));
  }
}

}  // namespace
}  // namespace chainbreak::lists
