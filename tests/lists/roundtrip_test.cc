// Writers: exact output for small examples (those of docs/FORMATS.md),
// read(write(x)) == x for the fields each format carries, writer errors.
#include <gtest/gtest.h>

#include <iterator>
#include <nlohmann/json.hpp>

#include "lists/list_test_support.h"

namespace chainbreak::lists {
namespace {

using store::SignalType;
using testing::make_entry;
using testing::read_all;
using testing::ReadResult;
using testing::write_all;
using testing::write_entries;

const std::string kPdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kMd5 = "d41d8cd98f00b204e9800998ecf8427e";

store::Entry example() {
  store::Entry e = make_entry(SignalType::kPdq, kPdq);
  e.external_id = "case-17";
  e.source_org = "example-hotline";
  e.classification = "A1";
  e.added_at = 1714564800;
  e.confidence = 0.9;
  e.metadata_json = R"({"batch":"2024-05"})";
  return e;
}

TEST(ListWriters, PlainOutput) {
  store::Entry bare = make_entry(SignalType::kPdq, kPdq);
  Record del;
  del.deletion = true;
  del.by_external_id = true;
  del.entry.external_id = "case-3";
  Record del2;
  del2.deletion = true;
  del2.entry = bare;
  Record add;
  add.entry = example();
  Result<std::string> out = write_all(Format::kPlain, {add, Record{false, false, bare, 0}, del2, del});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value(), kPdq +
                             "\tcase-17\tsource_org=example-hotline\tclassification=A1\tconfidence=0.9"
                             "\tadded_at=2024-05-01T12:00:00Z\tbatch=2024-05\n" +
                             kPdq + "\n-" + kPdq + "\n-\tcase-3\n");
}

TEST(ListWriters, CsvOutput) {
  Result<std::string> out = write_entries(Format::kHmaCsv, {example()});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value(),
            "signal_type,signal_str,collab,category,tags,external_id,legal_basis,confidence,added_at,expires_at,"
            "up_votes,down_votes,metadata\r\n"
            "pdq," +
                kPdq +
                ",example-hotline,POSITIVE_CLASS,A1,case-17,,0.9,2024-05-01T12:00:00Z,,,,"
                "\"{\"\"batch\"\":\"\"2024-05\"\"}\"\r\n");
  out = write_entries(Format::kHmaCsv, {});
  EXPECT_EQ(out.value().substr(0, 12), "signal_type,");
}

TEST(ListWriters, NcmecOutput) {
  store::Entry e = example();
  e.metadata_json = R"({"ncmec_member_id":"42"})";
  store::Entry md5 = e;
  md5.type = SignalType::kMd5;
  md5.value = kMd5;
  store::Entry video = make_entry(SignalType::kMd5, kMd5);
  video.external_id = "v1";
  video.source_org = "example-ngo";
  video.metadata_json = R"({"ncmec_type":"video"})";
  Record del;
  del.deletion = true;
  del.by_external_id = true;
  del.entry.external_id = "old-1";
  del.entry.source_org = "example-hotline";
  Result<std::string> out = write_all(Format::kNcmecXml, {Record{false, false, e, 0}, Record{false, false, md5, 0},
                                                          Record{false, false, video, 0}, del});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value(), R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
  <images count="2" maxTimestamp="2024-05-01T12:00:00Z">
    <image>
      <member id="42">example-hotline</member>
      <timestamp>2024-05-01T12:00:00Z</timestamp>
      <id>case-17</id>
      <classification>A1</classification>
      <fingerprints>
        <pdq>)" + kPdq + R"(</pdq>
        <md5>)" + kMd5 + R"(</md5>
      </fingerprints>
    </image>
    <deletedImage>
      <member>example-hotline</member>
      <id>old-1</id>
    </deletedImage>
  </images>
  <videos count="1" maxTimestamp="1970-01-01T00:00:00Z">
    <video>
      <member>example-ngo</member>
      <id>v1</id>
      <fingerprints>
        <md5>)" + kMd5 + R"(</md5>
      </fingerprints>
    </video>
  </videos>
</queryResult>
)");
  out = write_entries(Format::kNcmecXml, {});
  EXPECT_NE(out.value().find("<images count=\"0\"/>"), std::string::npos);
  EXPECT_TRUE(read_all(out.value(), Format::kNcmecXml).status.ok());
}

// Tricky but representable text for each format.
const char* const kNasty[] = {"plain",         "comma, and \"quotes\"",
                              "tab\there",     "new\nline",
                              "back\\slash",   "caf\xc3\xa9 \xe2\x82\xac",
                              "<xml & stuff>", "=equals=",
                              "#hash",         "-dash"};

void expect_same(const Record& a, const Record& b, bool all_fields, size_t i) {
  SCOPED_TRACE("record " + std::to_string(i));
  EXPECT_EQ(a.deletion, b.deletion);
  EXPECT_EQ(a.by_external_id, b.by_external_id);
  if (!a.by_external_id) {
    EXPECT_EQ(a.entry.type, b.entry.type);
    EXPECT_EQ(a.entry.value, b.entry.value);
  }
  EXPECT_EQ(a.entry.external_id, b.entry.external_id);
  EXPECT_EQ(a.entry.source_org, b.entry.source_org);
  EXPECT_EQ(a.entry.classification, b.entry.classification);
  EXPECT_EQ(a.entry.added_at, b.entry.added_at);
  EXPECT_EQ(a.entry.metadata_json, b.entry.metadata_json);
  if (all_fields) {
    EXPECT_EQ(a.entry.legal_basis, b.entry.legal_basis);
    EXPECT_EQ(a.entry.expires_at, b.entry.expires_at);
    EXPECT_EQ(a.entry.confidence, b.entry.confidence);
    EXPECT_EQ(a.entry.up_votes, b.entry.up_votes);
    EXPECT_EQ(a.entry.down_votes, b.entry.down_votes);
  }
}

// A canonical metadata object (nlohmann's dump) with a tricky key and value.
std::string nlohmann_like(const std::string& v) {
  nlohmann::json j = nlohmann::json::object();
  j["note"] = v;
  if (!v.empty()) j[v] = "x";
  return j.dump();
}

std::string pick(std::mt19937_64& rng) { return rng() % 3 == 0 ? "" : kNasty[rng() % std::size(kNasty)]; }

std::vector<Record> generate(Format format, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Record> out;
  const SignalType types[] = {SignalType::kPdq, SignalType::kMd5, SignalType::kSha1, SignalType::kSha256};
  for (size_t i = 0; i < n; ++i) {
    Record r;
    store::Entry& e = r.entry;
    e.type = format == Format::kPlain ? SignalType::kPdq : types[rng() % (format == Format::kNcmecXml ? 3 : 4)];
    e.value = testing::random_hex(rng, e.type == SignalType::kMd5 ? 32 : e.type == SignalType::kSha1 ? 40 : 64);
    e.external_id = "id-" + std::to_string(i) + pick(rng);
    e.source_org = format == Format::kNcmecXml ? "org " + pick(rng) + std::to_string(rng() % 5) : pick(rng);
    e.classification = pick(rng);
    e.added_at = rng() % 2 ? static_cast<int64_t>(rng() % 4000000000) : 0;
    if (format == Format::kNcmecXml) {
      e.metadata_json = "{\"ncmec_member_id\":\"" + std::to_string(rng() % 100) + "\",\"ncmec_type\":\"image\"}";
      r.deletion = rng() % 10 == 0;
      r.by_external_id = r.deletion && rng() % 2;
    } else {
      e.legal_basis = pick(rng);
      e.expires_at = rng() % 3 == 0 ? static_cast<int64_t>(rng() % 4000000000) : 0;
      e.confidence = rng() % 2 ? 1.0 : static_cast<double>(rng() % 1000) / 1000;
      e.up_votes = static_cast<int32_t>(rng() % 3);
      e.down_votes = static_cast<int32_t>(rng() % 2);
      const std::string k = pick(rng);
      if (rng() % 3 == 0) e.metadata_json = nlohmann_like(k);
      if (format == Format::kPlain) {
        r.deletion = rng() % 10 == 0;
        r.by_external_id = r.deletion && rng() % 2;
      }
      if (format == Format::kHmaCsv && rng() % 4 == 0)
        e.metadata_json = R"({"category":"NEGATIVE_CLASS","n":[1,{"deep":null}]})";
    }
    if (r.by_external_id) e.value.clear();
    out.push_back(r);
  }
  return out;
}

TEST(ListRoundTrip, EveryFormat) {
  for (Format format : {Format::kPlain, Format::kHmaCsv, Format::kNcmecXml}) {
    SCOPED_TRACE(format_name(format));
    const std::vector<Record> in = generate(format, 3000, 99);
    Result<std::string> text = write_all(format, in);
    ASSERT_TRUE(text.ok()) << text.status().message();
    ReadResult back = read_all(text.value(), format, SignalType::kPdq);
    ASSERT_TRUE(back.status.ok()) << back.status.message();
    ASSERT_TRUE(back.errors.empty()) << back.trace[0];
    ASSERT_EQ(back.records.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) expect_same(in[i], back.records[i], format != Format::kNcmecXml, i);
    // And writing what we read gives the same bytes.
    Result<std::string> again = write_all(format, back.records);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value(), text.value());
  }
}

TEST(ListWriters, Errors) {
  store::Entry bad = make_entry(SignalType::kPdq, kPdq.substr(1));
  for (Format f : {Format::kPlain, Format::kHmaCsv, Format::kNcmecXml}) {
    bad.external_id = "x";
    Result<std::string> out = write_entries(f, {bad});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(out.status().message(), "value: expected 64 hex digits for pdq, got 63 characters");
  }
  Result<std::string> out =
      write_entries(Format::kPlain, {make_entry(SignalType::kPdq, kPdq), make_entry(SignalType::kMd5, kMd5)});
  EXPECT_EQ(out.status().message(), "a plain list holds one signal type: got md5 after pdq");
  Record del;
  del.deletion = true;
  del.entry = make_entry(SignalType::kPdq, kPdq);
  EXPECT_EQ(write_all(Format::kHmaCsv, {del}).status().code(), ErrorCode::kUnsupported);
  store::Entry sha = make_entry(SignalType::kSha256, kPdq);
  sha.external_id = "x";
  EXPECT_EQ(write_entries(Format::kNcmecXml, {sha}).status().code(), ErrorCode::kUnsupported);
  store::Entry ctl = example();
  ctl.source_org = "bell\x07";
  EXPECT_EQ(write_entries(Format::kNcmecXml, {ctl}).status().message(),
            "source_org: control character XML cannot carry");
  ctl.source_org = "bad \xff utf-8";
  EXPECT_EQ(write_entries(Format::kNcmecXml, {ctl}).status().message(), "source_org: not valid UTF-8");
  store::Entry noid = make_entry(SignalType::kPdq, kPdq);
  EXPECT_EQ(write_entries(Format::kNcmecXml, {noid}).status().code(), ErrorCode::kInvalidInput);
  noid.id = 77;  // the store id stands in for a missing external id
  EXPECT_NE(write_entries(Format::kNcmecXml, {noid}).value().find("<id>77</id>"), std::string::npos);
  store::Entry meta = example();
  meta.metadata_json = "[1,2]";
  for (Format f : {Format::kPlain, Format::kHmaCsv, Format::kNcmecXml})
    EXPECT_EQ(write_entries(f, {meta}).status().message(), "metadata_json: not a JSON object");
}

TEST(ListFormats, Names) {
  for (Format f : {Format::kPlain, Format::kHmaCsv, Format::kNcmecXml}) EXPECT_EQ(parse_format(format_name(f)), f);
  EXPECT_EQ(parse_format("csv"), std::nullopt);
}

}  // namespace
}  // namespace chainbreak::lists
