// plain lists: valid lines, metadata, deletions, every kind of bad line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "lists/list_test_support.h"

namespace chainbreak::lists {
namespace {

using store::SignalType;
using testing::read_all;
using testing::ReadResult;

const std::string kPdq1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kPdq2 = "0000000000000000000000000000000000000000000000000000000000000001";
const std::string kMd5 = "d41d8cd98f00b204e9800998ecf8427e";

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

TEST(ListPlain, HashesCommentsBlankLinesAndCrlf) {
  const std::string text = "# a synthetic list\r\n\r\n" + upper(kPdq1) + "\r\n   \n" + kPdq2 + "  \n#" + kPdq1 + "\n";
  ReadResult r = read_all(text, Format::kPlain);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok", "ok"}));
  EXPECT_EQ(r.records[0].entry.value, kPdq1);  // lowercased
  EXPECT_EQ(r.records[0].entry.type, SignalType::kPdq);
  EXPECT_EQ(r.records[0].line, 3u);
  EXPECT_FALSE(r.records[0].deletion);
  EXPECT_EQ(r.records[0].entry.external_id, "");
  EXPECT_EQ(r.records[0].entry.confidence, 1.0);
  EXPECT_EQ(r.records[1].entry.value, kPdq2);
  EXPECT_EQ(r.records[1].line, 5u);
  EXPECT_EQ(r.bytes_read, text.size());
}

TEST(ListPlain, EmptyInputAndNoFinalNewline) {
  EXPECT_TRUE(read_all("", Format::kPlain).records.empty());
  EXPECT_TRUE(read_all("\xEF\xBB\xBF", Format::kPlain).records.empty());
  ReadResult r = read_all("\xEF\xBB\xBF" + kPdq1, Format::kPlain);  // BOM, no final newline
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].entry.value, kPdq1);
}

TEST(ListPlain, IdAndMetadata) {
  const std::string text = kMd5 + "\tcase-17\tsource_org=example-hotline\tclassification=A1\tlegal_basis=baseline" +
                           "\tconfidence=0.75\tadded_at=2024-05-01T12:00:00Z\texpires_at=1893456000" +
                           "\tup_votes=3\tdown_votes=1\tcolour=blue\tnote=line\\none\n" + kMd5 + "\t\tx=1\n";
  ReadResult r = read_all(text, Format::kPlain, SignalType::kMd5);
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok", "ok"}));
  const store::Entry& e = r.records[0].entry;
  EXPECT_EQ(e.type, SignalType::kMd5);
  EXPECT_EQ(e.external_id, "case-17");
  EXPECT_EQ(e.source_org, "example-hotline");
  EXPECT_EQ(e.classification, "A1");
  EXPECT_EQ(e.legal_basis, "baseline");
  EXPECT_EQ(e.confidence, 0.75);
  EXPECT_EQ(e.added_at, 1714564800);
  EXPECT_EQ(e.expires_at, 1893456000);
  EXPECT_EQ(e.up_votes, 3);
  EXPECT_EQ(e.down_votes, 1);
  EXPECT_EQ(e.metadata_json, R"({"colour":"blue","note":"line\none"})");
  EXPECT_EQ(r.records[1].entry.external_id, "");
  EXPECT_EQ(r.records[1].entry.metadata_json, R"({"x":"1"})");
}

TEST(ListPlain, MetadataJsonKeyMerges) {
  const std::string text = kPdq1 + "\tid\tmetadata_json={\"n\":5,\"tags\":[\"t\"]}\textra=v\n";
  ReadResult r = read_all(text, Format::kPlain);
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(r.records[0].entry.metadata_json, R"({"extra":"v","n":5,"tags":["t"]})");
}

TEST(ListPlain, Deletions) {
  const std::string text = "-" + kPdq1 + "\n-" + kPdq2 + "\tcase-9\n-\tcase-10\tsource_org=example-hotline\n";
  ReadResult r = read_all(text, Format::kPlain);
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok", "ok", "ok"}));
  EXPECT_TRUE(r.records[0].deletion);
  EXPECT_FALSE(r.records[0].by_external_id);
  EXPECT_EQ(r.records[0].entry.value, kPdq1);
  EXPECT_EQ(r.records[1].entry.external_id, "case-9");
  EXPECT_TRUE(r.records[2].deletion);
  EXPECT_TRUE(r.records[2].by_external_id);
  EXPECT_EQ(r.records[2].entry.value, "");
  EXPECT_EQ(r.records[2].entry.external_id, "case-10");
  EXPECT_EQ(r.records[2].entry.source_org, "example-hotline");
}

TEST(ListPlain, EveryKindOfBadLineIsReportedAndReadingGoesOn) {
  const std::string text = kPdq1.substr(1) + "\n"                          // 1 wrong length
                           + kPdq1.substr(0, 63) + "z\n"                   // 2 not hex
                           + kPdq1 + "\tid\tnovalue\n"                     // 3 no '='
                           + kPdq1 + "\tid\tconfidence=1.5\n"              // 4 out of range
                           + kPdq1 + "\tid\tconfidence=high\n"             // 5 not a number
                           + kPdq1 + "\tid\tadded_at=yesterday\n"          // 6 bad time
                           + kPdq1 + "\tid\tup_votes=-1\n"                 // 7 negative count
                           + kPdq1 + "\tid\tsource_org=a\tsource_org=b\n"  // 8 duplicate key
                           + kPdq1 + "\tsource_org=x\n"                    // 9 key where the id goes
                           + kPdq1 + "\tid\tmetadata_json=[1]\n"           // 10 not an object
                           + kPdq1 + "\tid\t=v\n"                          // 11 empty key
                           + "-\n"                                         // 12 deletion without hash
                           + "-\t\n"                                       // 13 deletion by empty id
                           + kPdq1 + "\tid\t\tx=1\t\n"                     // 14 empty fields are ignored
                           + kMd5 + "\n"                                   // 15 md5 in a pdq list
                           + kPdq2 + "\n";                                 // 16 fine
  ReadResult r = read_all(text, Format::kPlain);
  ASSERT_TRUE(r.status.ok());
  const std::vector<std::string> want = {
      "error:1:hash:expected 64 hex digits for pdq, got 63 characters",
      "error:2:hash:not a hex digit: 'z' at position 64",
      "error:3:field 3:expected key=value, got 'novalue'",
      "error:4:confidence:expected a number from 0 to 1, got '1.5'",
      "error:5:confidence:expected a number from 0 to 1, got 'high'",
      "error:6:added_at:expected RFC 3339 (2024-05-01T12:00:00Z) or unix seconds, got 'yesterday'",
      "error:7:up_votes:expected a count (0 or more), got '-1'",
      "error:8:source_org:key given twice",
      "error:9:id:the second field is the external id, not 'source_org=' (leave it empty before metadata: "
      "hash<TAB><TAB>key=value)",
      "error:10:metadata_json:not a JSON object",
      "error:11:field 3:expected key=value, got '=v'",
      "error:12:hash:missing hash",
      "error:13:id:a deletion by external id ('-<TAB>id') needs an id",
      "ok",
      "error:15:hash:expected 64 hex digits for pdq, got 32 characters",
      "ok",
  };
  EXPECT_EQ(r.trace, want);
}

TEST(ListPlain, IdsThatLookLikeKeysAreEscaped) {
  store::Entry e = testing::make_entry(SignalType::kPdq, kPdq1);
  e.external_id = "source_org=x";
  Result<std::string> text = testing::write_entries(Format::kPlain, {e});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text.value(), kPdq1 + "\tsource_org\\=x\n");
  ReadResult r = read_all(text.value(), Format::kPlain);
  ASSERT_EQ(r.trace, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(r.records[0].entry.external_id, "source_org=x");
}

TEST(ListPlain, ErrorLeavesTheCallersRecordUntouched) {
  const std::string text = kPdq1 + "\tkeep\n" + kPdq2 + "\tid\tconfidence=2\n" + kPdq2 + "\n";
  std::unique_ptr<Reader> reader = open_reader_from_memory(text, Format::kPlain, SignalType::kPdq);
  Record rec;
  RecordError err;
  ASSERT_TRUE(reader->next(&rec, &err).value());
  EXPECT_TRUE(err.reason.empty());
  ASSERT_TRUE(reader->next(&rec, &err).value());
  EXPECT_FALSE(err.reason.empty());
  EXPECT_EQ(rec.entry.value, kPdq1);
  EXPECT_EQ(rec.entry.external_id, "keep");
  ASSERT_TRUE(reader->next(&rec, &err).value());  // the same error object: cleared on success
  EXPECT_TRUE(err.reason.empty());
  EXPECT_EQ(rec.entry.value, kPdq2);
  EXPECT_EQ(rec.entry.external_id, "");
  EXPECT_FALSE(reader->next(&rec, &err).value());
}

TEST(ListPlain, OverlongLinesAreOneErrorEach) {
  const std::string big(3 << 20, 'a');  // 3 MiB without a newline, then more lines
  const std::string text = kPdq1 + "\n" + big + "\n" + kPdq2 + "\n" + big;
  ReadResult r = read_all(text, Format::kPlain);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.trace.size(), 4u);
  EXPECT_EQ(r.trace[0], "ok");
  EXPECT_EQ(r.trace[1], "error:2::line longer than 1048576 bytes");
  EXPECT_EQ(r.trace[2], "ok");
  EXPECT_EQ(r.trace[3], "error:4::line longer than 1048576 bytes");
  EXPECT_EQ(r.records[1].line, 3u);
}

TEST(ListPlain, FilesStdinAndMissingFiles) {
  namespace fs = std::filesystem;
  const fs::path path = fs::path(::testing::TempDir()) / "plain_list_test.txt";
  std::ofstream(path) << kPdq1 << "\n" << kPdq2 << "\n";
  Result<std::unique_ptr<Reader>> reader = open_reader(path.string(), Format::kPlain, SignalType::kPdq);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(testing::read_reader(*reader.value()).records.size(), 2u);

  Result<std::unique_ptr<Reader>> missing = open_reader(path.string() + ".missing", Format::kPlain, SignalType::kPdq);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kIo);
  EXPECT_EQ(missing.status().message(), "No such file or directory");
  Result<std::unique_ptr<Reader>> dir = open_reader(::testing::TempDir(), Format::kPlain, SignalType::kPdq);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), ErrorCode::kIo);

  // "-" reads standard input: point fd 0 at the file for the duration.
  const int saved = dup(0);
  std::FILE* f = std::fopen(path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(dup2(fileno(f), 0), 0);
  Result<std::unique_ptr<Reader>> in = open_reader("-", Format::kPlain, SignalType::kPdq);
  ASSERT_TRUE(in.ok());
  ReadResult r = testing::read_reader(*in.value());
  dup2(saved, 0);
  close(saved);
  std::fclose(f);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].entry.value, kPdq2);

  // A FILE* from its current position.
  f = std::fopen(path.c_str(), "r");
  std::fseek(f, 65, SEEK_SET);
  r = testing::read_reader(*open_reader(f, Format::kPlain, SignalType::kPdq));
  std::fclose(f);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].entry.value, kPdq2);
  fs::remove(path);
}

TEST(ListPlain, LargeGeneratedInputStreams) {
  // 300k lines (~20 MB) across many 1 MiB blocks: every line read once, in order.
  std::mt19937_64 rng(7);
  std::string text;
  std::vector<std::string> want;
  for (int i = 0; i < 300000; ++i) {
    want.push_back(testing::random_hex(rng, 64));
    text += want.back();
    if (i % 3 == 0) text += "\tid-" + std::to_string(i);
    text += (i % 2) ? "\r\n" : "\n";
  }
  std::unique_ptr<Reader> reader = open_reader_from_memory(text, Format::kPlain, SignalType::kPdq);
  Record rec;
  RecordError err;
  size_t n = 0;
  while (reader->next(&rec, &err).value()) {
    ASSERT_TRUE(err.reason.empty()) << err.line << ": " << err.reason;
    ASSERT_LT(n, want.size());
    ASSERT_EQ(rec.entry.value, want[n]);
    ASSERT_EQ(rec.line, n + 1);
    ASSERT_EQ(rec.entry.external_id, n % 3 == 0 ? "id-" + std::to_string(n) : "");
    ++n;
  }
  EXPECT_EQ(n, want.size());
  EXPECT_EQ(reader->bytes_read(), text.size());
}

}  // namespace
}  // namespace chainbreak::lists
