// hma-csv: threatexchange's dataset CSV, its simple serialization rows,
// chainbreak's extension columns, and bad rows.
#include <gtest/gtest.h>

#include "lists/list_test_support.h"

namespace chainbreak::lists {
namespace {

using store::SignalType;
using testing::read_all;
using testing::ReadResult;

const std::string kPdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kMd5 = "d41d8cd98f00b204e9800998ecf8427e";
const std::string kSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(ListHmaCsv, ThreatExchangeDatasetOutput) {
  // As `threatexchange dataset -P --csv` writes it (csv.DictWriter: CRLF,
  // minimal quoting), with a url row we do not hold.
  const std::string text =
      "signal_type,signal_str,collab,category,tags\r\n"
      "pdq," +
      kPdq +
      ",Sample Signals,INVESTIGATION_SEED,\r\n"
      "url,https://developers.facebook.com/docs/threat-exchange/reference/apis/,Sample Signals,INVESTIGATION_SEED,\r\n"
      "video_md5," +
      kMd5 +
      ",\"example-hotline, EU\",POSITIVE_CLASS,A1 B2\r\n"
      "video_sha256," +
      kSha256 + ",Sample Signals,NEGATIVE_CLASS,media_type_video\r\n";
  ReadResult r = read_all(text, Format::kHmaCsv, SignalType::kSha1);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok", "ok", "ok"}));
  EXPECT_EQ(r.skipped, 1u);
  const store::Entry& a = r.records[0].entry;
  EXPECT_EQ(a.type, SignalType::kPdq);
  EXPECT_EQ(a.value, kPdq);
  EXPECT_EQ(a.source_org, "Sample Signals");
  EXPECT_EQ(a.classification, "");
  EXPECT_EQ(a.metadata_json, R"({"category":"INVESTIGATION_SEED"})");
  EXPECT_EQ(r.records[0].line, 2u);
  const store::Entry& b = r.records[1].entry;
  EXPECT_EQ(b.type, SignalType::kMd5);
  EXPECT_EQ(b.source_org, "example-hotline, EU");
  EXPECT_EQ(b.classification, "A1 B2");
  EXPECT_EQ(b.metadata_json, "");  // POSITIVE_CLASS is the default
  EXPECT_EQ(r.records[1].line, 4u);
  EXPECT_EQ(r.records[2].entry.type, SignalType::kSha256);
}

TEST(ListHmaCsv, ExtensionAndUnknownColumns) {
  const std::string text =
      "\xEF\xBB\xBFsignal_type,signal_str,collab,category,tags,external_id,legal_basis,confidence,added_at,"
      "expires_at,up_votes,down_votes,metadata,ticket\n"
      "sha1," +
      std::string(40, 'A') +
      ",example-hotline,POSITIVE_CLASS,A2,case-1,baseline,0.5,2024-05-01T12:00:00Z,"
      "1893456000,2,1,\"{\"\"n\"\":5}\",T-9\n"
      "pdq," +
      kPdq + ",,,,,,,,,,,,\n";
  ReadResult r = read_all(text, Format::kHmaCsv);
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok", "ok"}));
  const store::Entry& e = r.records[0].entry;
  EXPECT_EQ(e.type, SignalType::kSha1);
  EXPECT_EQ(e.value, std::string(40, 'a'));
  EXPECT_EQ(e.external_id, "case-1");
  EXPECT_EQ(e.legal_basis, "baseline");
  EXPECT_EQ(e.confidence, 0.5);
  EXPECT_EQ(e.added_at, 1714564800);
  EXPECT_EQ(e.expires_at, 1893456000);
  EXPECT_EQ(e.up_votes, 2);
  EXPECT_EQ(e.down_votes, 1);
  EXPECT_EQ(e.metadata_json, R"({"n":5,"ticket":"T-9"})");
  EXPECT_EQ(r.records[1].entry.metadata_json, "");
  EXPECT_EQ(r.records[1].entry.confidence, 1.0);
}

TEST(ListHmaCsv, HeaderWithoutTypeUsesTheDefault) {
  ReadResult r = read_all("hash,collab\n" + kMd5 + ",example-ngo\n", Format::kHmaCsv, SignalType::kMd5);
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(r.records[0].entry.type, SignalType::kMd5);
  EXPECT_EQ(r.records[0].entry.source_org, "example-ngo");
}

TEST(ListHmaCsv, HeaderlessRows) {
  // signal_type first, then threatexchange's simple serialization
  // (HMASerialization: indicator,indicator_id,first_descriptor_id,added_on,labels;
  // CliIndicatorSerialization: the same without indicator_id), then a bare hash.
  const std::string text = "pdq," + kPdq + "\n" +                                       //
                           "pdq," + kPdq + ",example-hotline,POSITIVE_CLASS,A1\n" +     //
                           kPdq + ",12345,6789,2020-07-01T18:31:15+0000,tag1 tag2\n" +  //
                           kPdq + ",6789,mine,\n" +                                     //
                           kPdq + "\n";
  ReadResult r = read_all(text, Format::kHmaCsv, SignalType::kPdq);
  ASSERT_EQ(r.trace, (std::vector<std::string>(5, "ok")));
  EXPECT_EQ(r.records[1].entry.source_org, "example-hotline");
  EXPECT_EQ(r.records[1].entry.classification, "A1");
  const store::Entry& hma = r.records[2].entry;
  EXPECT_EQ(hma.external_id, "12345");
  EXPECT_EQ(hma.added_at, 1593628275);
  EXPECT_EQ(hma.classification, "tag1 tag2");
  EXPECT_EQ(hma.metadata_json, R"({"te_descriptor_id":"6789"})");
  const store::Entry& cli = r.records[3].entry;
  EXPECT_EQ(cli.external_id, "");
  EXPECT_EQ(cli.metadata_json, R"({"te_added_on":"mine","te_descriptor_id":"6789"})");
  EXPECT_EQ(r.records[4].entry.value, kPdq);
}

TEST(ListHmaCsv, BadRowsAreReportedAndReadingGoesOn) {
  const std::string h = "signal_type,signal_str,collab,category,tags,confidence,up_votes,metadata\n";
  const std::string text = h +                                              // 1
                           "pdq," + kPdq.substr(2) + ",,,,,,\n" +           // 2 short hash
                           "pdq," + kMd5 + ",,,,,,\n" +                     // 3 md5 in pdq
                           "pqd," + kPdq + ",,,,,,\n" +                     // 4 unknown type
                           ",," + kPdq + ",,,,,\n" +                        // 5 empty type
                           "pdq," + kPdq + ",,,\n" +                        // 6 too few fields
                           "pdq," + kPdq + ",,,,2,,\n" +                    // 7 bad confidence
                           "pdq," + kPdq + ",,,,,many,\n" +                 // 8 bad count
                           "pdq," + kPdq + ",,,,,,not json\n" +             // 9 bad metadata
                           "pdq,\"" + kPdq + "\"oops,,,,,,\n" +             // 10 char after quote
                           "pdq," + kPdq + ",\"unterminated,,,,,\n" +       // 11 unterminated quote
                           "pdq," + kPdq + ",ok after,,,,,\n" +             // 12
                           "pdq,\"" + kPdq + "\",\"multi\nline\",,,,,\n" +  // 13-14
                           "sha1,,,,,,,\n" +                                // 15 empty hash
                           "pdq,\"" + kPdq;                                 // 16 unterminated at the end
  ReadResult r = read_all(text, Format::kHmaCsv);
  ASSERT_TRUE(r.status.ok());
  const std::vector<std::string> want = {
      "error:2:signal_str:expected 64 hex digits for pdq, got 62 characters",
      "error:3:signal_str:expected 64 hex digits for pdq, got 32 characters",
      "error:4:signal_type:unknown signal type 'pqd'",
      "error:5:signal_type:empty signal type",
      "error:6::expected 8 fields as in the header, got 5",
      "error:7:confidence:expected a number from 0 to 1, got '2'",
      "error:8:up_votes:expected a count (0 or more), got 'many'",
      "error:9:metadata:not valid JSON",
      "error:10::unexpected character after a closing quote (a quote inside a quoted field is written \"\")",
      // The quote opened on line 11 closes on line 13, followed by more text.
      "error:11::unexpected character after a closing quote (a quote inside a quoted field is written \"\")",
      "ok",
      "ok",
      "error:15:signal_str:expected 40 hex digits for sha1, got 0 characters",
      "error:16::unterminated quoted field",
  };
  EXPECT_EQ(r.trace, want);
  EXPECT_EQ(r.records[0].entry.source_org, "ok after");
  EXPECT_EQ(r.records[1].entry.source_org, "multi\nline");
  EXPECT_EQ(r.records[1].line, 13u);
}

TEST(ListHmaCsv, FatalHeaderProblems) {
  ReadResult r = read_all("signal_type,collab\npdq,x\n", Format::kHmaCsv);
  EXPECT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message(), "line 1: CSV header has no signal_str column");
  r = read_all("signal_type,signal_str,hash\n", Format::kHmaCsv);
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("twice"), std::string::npos);
}

TEST(ListHmaCsv, EmptyAndBlank) {
  EXPECT_TRUE(read_all("", Format::kHmaCsv).trace.empty());
  EXPECT_TRUE(read_all("\r\n\n", Format::kHmaCsv).trace.empty());
  ReadResult r = read_all("signal_type,signal_str,collab,category,tags\r\n", Format::kHmaCsv);
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.trace.empty());
}

TEST(ListHmaCsv, LargeGeneratedInputStreams) {
  std::mt19937_64 rng(11);
  std::string text = "signal_type,signal_str,collab,category,tags\r\n";
  std::vector<std::string> want;
  for (int i = 0; i < 100000; ++i) {
    want.push_back(testing::random_hex(rng, 64));
    text += "pdq," + want.back() + ",\"org, " + std::to_string(i) + "\",POSITIVE_CLASS,A1\r\n";
  }
  std::unique_ptr<Reader> reader = open_reader_from_memory(text, Format::kHmaCsv, SignalType::kPdq);
  Record rec;
  RecordError err;
  size_t n = 0;
  while (reader->next(&rec, &err).value()) {
    ASSERT_TRUE(err.reason.empty()) << err.line << ": " << err.reason;
    ASSERT_EQ(rec.entry.value, want[n]);
    ASSERT_EQ(rec.entry.source_org, "org, " + std::to_string(n));
    ASSERT_EQ(rec.line, n + 2);
    ++n;
  }
  EXPECT_EQ(n, want.size());
}

}  // namespace
}  // namespace chainbreak::lists
