// ncmec-xml: documents shaped like python-threatexchange's NCMEC test data
// (hash_api tests/data.py), deletions, feedback votes, bad fingerprints,
// documents that are not well-formed, absurd sizes.
#include <gtest/gtest.h>

#include "lists/list_test_support.h"

namespace chainbreak::lists {
namespace {

using store::SignalType;
using testing::read_all;
using testing::ReadResult;

// ENTRIES_XML from python-threatexchange's NCMEC client tests (synthetic
// values), with a PDQ fingerprint added to the first image.
const std::string kEntries = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
    <images count="2" maxTimestamp="2017-10-24T15:10:00Z">
        <image>
            <member id="42">Example Member</member>
            <timestamp>2017-10-24T15:00:00Z</timestamp>
            <id>image1</id>
            <classification>A1</classification>
            <fingerprints>
                <md5>a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1</md5>
                <sha1>A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1</sha1>
                <pdna>a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1...</pdna>
                <pdq>f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22</pdq>
            </fingerprints>
            <feedback lastUpdateTimestamp="2023-06-01T12:48:14Z">
                <affirmativeFeedback type="Md5" lastUpdateTimestamp="2023-06-01T12:48:14Z">
                    <members timestamp="2023-06-01T12:48:14Z">
                        <member id="42">Example Member</member>
                        <member id="44">Example Member3</member>
                    </members>
                </affirmativeFeedback>
                <negativeFeedback type="Sha1" lastUpdateTimestamp="2023-05-31T19:41:51Z">
                    <reasons>
                        <reason guid="01234567-abcd-0123-4567-012345678900" name="Example Reason 1" type="Sha1"/>
                        <members timestamp="2023-06-01T12:48:14Z">
                            <member id="42">Example Member</member>
                        </members>
                    </reasons>
                </negativeFeedback>
            </feedback>
        </image>
        <deletedImage>
            <member id="43">Example Member2</member>
            <id>image4</id>
            <timestamp>2017-10-24T15:10:00Z</timestamp>
        </deletedImage>
    </images>
    <videos count="2" maxTimestamp="2017-10-24T15:20:00Z">
        <video>
            <member id="42">Example Member</member>
            <timestamp>2017-10-24T15:00:00Z</timestamp>
            <id>video1</id>
            <fingerprints>
                <md5>b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1</md5>
                <sha1>b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1</sha1>
                <tmk-pdqf rel="self" href="/v2/entries/1/fingerprints/TMK_PDQF"/>
				<videntifier rel="self" href="/v2/entries/1/fingerprints/VIDENTIFIER"/>
            </fingerprints>
        </video>
        <deletedVideo>
            <member id="42">Example Member</member>
            <id>video4</id>
            <timestamp>2017-10-24T15:20:00Z</timestamp>
        </deletedVideo>
    </videos>
    <paging>
        <next>/v2/entries?from=2017-10-20T00%3A00%3A00.000Z&amp;to=2017-10-30T00%3A00%3A00.000Z&amp;start=2001&amp;size=1000&amp;max=3000</next>
    </paging>
</queryResult>
)";

TEST(ListNcmecXml, EntriesFingerprintsVotesAndDeletions) {
  ReadResult r = read_all(kEntries, Format::kNcmecXml);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.trace, (std::vector<std::string>(7, "ok")));
  EXPECT_EQ(r.skipped, 3u);  // pdna, tmk-pdqf, videntifier

  const Record& md5 = r.records[0];
  EXPECT_FALSE(md5.deletion);
  EXPECT_EQ(md5.entry.type, SignalType::kMd5);
  EXPECT_EQ(md5.entry.value, "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1");
  EXPECT_EQ(md5.entry.external_id, "image1");
  EXPECT_EQ(md5.entry.source_org, "Example Member");
  EXPECT_EQ(md5.entry.classification, "A1");
  EXPECT_EQ(md5.entry.added_at, 1508857200);
  EXPECT_EQ(md5.entry.up_votes, 2);
  EXPECT_EQ(md5.entry.down_votes, 0);
  EXPECT_EQ(md5.entry.metadata_json, R"({"ncmec_member_id":"42","ncmec_type":"image"})");
  EXPECT_EQ(md5.line, 10u);
  const Record& sha1 = r.records[1];
  EXPECT_EQ(sha1.entry.type, SignalType::kSha1);
  EXPECT_EQ(sha1.entry.value, "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1");  // lowercased
  EXPECT_EQ(sha1.entry.up_votes, 0);
  EXPECT_EQ(sha1.entry.down_votes, 1);
  const Record& pdq = r.records[2];
  EXPECT_EQ(pdq.entry.type, SignalType::kPdq);
  EXPECT_EQ(pdq.line, 13u);

  const Record& gone = r.records[3];
  EXPECT_TRUE(gone.deletion);
  EXPECT_TRUE(gone.by_external_id);
  EXPECT_EQ(gone.entry.value, "");
  EXPECT_EQ(gone.entry.external_id, "image4");
  EXPECT_EQ(gone.entry.source_org, "Example Member2");
  EXPECT_EQ(gone.line, 32u);

  EXPECT_EQ(r.records[4].entry.external_id, "video1");
  EXPECT_EQ(r.records[4].entry.classification, "");
  EXPECT_EQ(r.records[4].entry.metadata_json, R"({"ncmec_member_id":"42","ncmec_type":"video"})");
  EXPECT_EQ(r.records[5].entry.type, SignalType::kSha1);
  EXPECT_TRUE(r.records[6].deletion);
  EXPECT_EQ(r.records[6].entry.external_id, "video4");
}

std::string doc(const std::string& images) {
  return "<?xml version=\"1.0\"?>\n<queryResult xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\">\n"
         "<images count=\"1\">\n" +
         images + "</images>\n</queryResult>\n";
}

std::string image(const std::string& id, const std::string& fingerprints, const std::string& extra = "") {
  return "<image><member id=\"7\">example-hotline</member><id>" + id + "</id>" + extra + "<fingerprints>" +
         fingerprints + "</fingerprints></image>\n";
}

TEST(ListNcmecXml, BadFingerprintsAreRecordErrors) {
  const std::string text = doc(image("e1", "<md5>xyz</md5><sha1>" + std::string(40, 'c') + "</sha1>") +  // line 4
                               image("e2", "<pdq>" + std::string(63, 'a') + "</pdq>") +                  // line 5
                               image("e3", "<md5>  " + std::string(32, 'F') + "\n</md5>") +              // line 6
                               "<image><member id=\"7\">x</member><fingerprints><md5>" + std::string(32, 'a') +
                               "</md5></fingerprints></image>\n" +                                        // line 8
                               image("e5", "<md5/>", "<timestamp>yesterday</timestamp>") +                // line 9
                               image("e6", "<sha1>" + std::string(40, 'd') + "</sha1><PDNA>zz</PDNA>"));  // line 10
  ReadResult r = read_all(text, Format::kNcmecXml);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const std::vector<std::string> want = {
      "error:4:md5:expected 32 hex digits for md5, got 3 characters",
      "ok",
      "error:5:pdq:expected 64 hex digits for pdq, got 63 characters",
      "ok",
      "error:8:id:entry without an <id>",
      "error:9:timestamp:expected RFC 3339, got 'yesterday'",
      "ok",
  };
  EXPECT_EQ(r.trace, want);
  EXPECT_EQ(r.records[1].entry.value, std::string(32, 'f'));  // trimmed, lowercased
  EXPECT_EQ(r.skipped, 1u);                                   // PDNA
}

TEST(ListNcmecXml, DeletedEntryWithFingerprintsDeletesThem) {
  const std::string text = doc(
      "<deletedImage><member id=\"7\">example-hotline</member><id>e9</id><fingerprints><md5>" + std::string(32, 'e') +
      "</md5><pdna>x</pdna></fingerprints></deletedImage>\n"
      "<deletedImage><id>e10</id><fingerprints><pdna>x</pdna></fingerprints></deletedImage>\n");
  ReadResult r = read_all(text, Format::kNcmecXml);
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok", "ok"}));
  EXPECT_TRUE(r.records[0].deletion);
  EXPECT_FALSE(r.records[0].by_external_id);
  EXPECT_EQ(r.records[0].entry.value, std::string(32, 'e'));
  EXPECT_TRUE(r.records[1].deletion);
  EXPECT_TRUE(r.records[1].by_external_id);  // only a type we do not hold: delete by id
  EXPECT_EQ(r.records[1].entry.external_id, "e10");
  EXPECT_EQ(r.records[1].entry.source_org, "");
}

TEST(ListNcmecXml, NotWellFormedIsFatalWithPosition) {
  const std::string text = doc(image("e1", "<md5>" + std::string(32, 'a') + "</md5>") + "<image><id>x</idd>");
  ReadResult r = read_all(text, Format::kNcmecXml);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(r.status.message(), "XML not well-formed at line 5, column 15: mismatched tag");
  EXPECT_EQ(r.records.size(), 1u);  // what came before is delivered first

  r = read_all(kEntries.substr(0, 700), Format::kNcmecXml);  // truncated download
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message().rfind("XML not well-formed at line ", 0), 0u) << r.status.message();

  r = read_all("not xml at all", Format::kNcmecXml);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message(), "XML not well-formed at line 1, column 1: syntax error");
}

TEST(ListNcmecXml, DoctypeAndDeepNestingAreRefused) {
  const std::string laughs =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>\n"
      "<queryResult><images><image><id>&lol2;</id></image></images></queryResult>\n";
  ReadResult r = read_all(laughs, Format::kNcmecXml);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message(), "line 2: DOCTYPE declarations are not accepted in ncmec-xml");

  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "<a>";
  r = read_all(deep, Format::kNcmecXml);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message(), "line 1: elements nested deeper than 256");
}

TEST(ListNcmecXml, AbsurdFieldLengthsAreRecordErrors) {
  const std::string big(100000, 'a');
  const std::string text =
      doc(image("e1", "<md5>" + big + "</md5><sha1>" + std::string(40, 'b') + "</sha1>") +
          image("e2", "<md5>" + std::string(32, 'a') + "</md5>", "<classification>" + big + "</classification>") +
          image("e3", "<md5>" + std::string(32, 'c') + "</md5>"));
  ReadResult r = read_all(text, Format::kNcmecXml);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const std::vector<std::string> want = {"error:4:md5:longer than 65536 bytes", "ok",
                                         "error:5:classification:longer than 65536 bytes", "ok"};
  EXPECT_EQ(r.trace, want);
}

TEST(ListNcmecXml, EmptyInputNamespacesAndEmptySections) {
  ReadResult r = read_all("", Format::kNcmecXml);
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.trace.empty());
  r = read_all("<?xml version=\"1.0\"?><queryResult><images count=\"0\"/><videos count=\"0\"/></queryResult>",
               Format::kNcmecXml);
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.trace.empty());
  r = read_all(
      "<n:queryResult xmlns:n=\"https://hashsharing.ncmec.org/hashsharing/v2\"><n:videos><n:video>"
      "<n:id>v1</n:id><n:fingerprints><n:md5>" +
          std::string(32, '0') + "</n:md5></n:fingerprints></n:video></n:videos></n:queryResult>",
      Format::kNcmecXml);
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(r.records[0].entry.external_id, "v1");
}

TEST(ListNcmecXml, LargeGeneratedInputStreams) {
  std::mt19937_64 rng(5);
  std::string text = "<?xml version=\"1.0\"?>\n<queryResult>\n<images>\n";
  std::vector<std::string> want;
  for (int i = 0; i < 40000; ++i) {
    want.push_back(testing::random_hex(rng, 64));
    text += "<image><member id=\"1\">example-hotline</member><id>i" + std::to_string(i) +
            "</id><classification>B1</classification><fingerprints><pdq>" + want.back() +
            "</pdq><pdna>skip</pdna></fingerprints></image>\n";
  }
  text += "</images>\n</queryResult>\n";
  std::unique_ptr<Reader> reader = open_reader_from_memory(text, Format::kNcmecXml, SignalType::kPdq);
  Record rec;
  RecordError err;
  size_t n = 0;
  for (;;) {
    Result<bool> got = reader->next(&rec, &err);
    ASSERT_TRUE(got.ok()) << got.status().message();
    if (!got.value()) break;
    ASSERT_TRUE(err.reason.empty()) << err.line << ": " << err.reason;
    ASSERT_EQ(rec.entry.value, want[n]);
    ASSERT_EQ(rec.entry.external_id, std::string("i").append(std::to_string(n)));
    ASSERT_EQ(rec.line, n + 4);
    ++n;
  }
  EXPECT_EQ(n, want.size());
  EXPECT_EQ(reader->skipped(), want.size());
  EXPECT_EQ(reader->bytes_read(), text.size());
}

}  // namespace
}  // namespace chainbreak::lists
