// parse_multipart: well-formed bodies (fields, files, binary data), and
// every kind of malformed body refused with a reason.
#include <gtest/gtest.h>

#include <string>

#include "server/http/http.h"

namespace chainbreak::http {
namespace {

const char* kType = "multipart/form-data; boundary=XyZ";

TEST(HttpMultipart, FieldsAndFiles) {
  const std::string body =
      "preamble to ignore\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"threshold\"\r\n"
      "\r\n"
      "31\r\n"
      "--XyZ\r\n"
      "content-disposition: form-data; name=\"image\"; filename=\"cat \\\"1\\\".jpg\"\r\n"
      "Content-Type: image/jpeg\r\n"
      "\r\n"
      "JPEGDATA\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=empty\r\n"
      "\r\n"
      "\r\n"
      "--XyZ--\r\n"
      "epilogue";
  Result<std::vector<Part>> r = parse_multipart(kType, body);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::vector<Part>& parts = r.value();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].name, "threshold");
  EXPECT_EQ(parts[0].filename, "");
  EXPECT_EQ(parts[0].content_type, "");
  EXPECT_EQ(parts[0].data, "31");
  EXPECT_EQ(parts[1].name, "image");
  EXPECT_EQ(parts[1].filename, "cat \"1\".jpg");
  EXPECT_EQ(parts[1].content_type, "image/jpeg");
  EXPECT_EQ(parts[1].data, "JPEGDATA");
  EXPECT_EQ(parts[2].name, "empty");
  EXPECT_EQ(parts[2].data, "");
  // Views point into the body.
  EXPECT_GE(parts[1].data.data(), body.data());
  EXPECT_LE(parts[1].data.data() + parts[1].data.size(), body.data() + body.size());
}

TEST(HttpMultipart, BinaryDataWithCrlfAndBoundaryLookalikes) {
  std::string data;
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<char>(i));
  // CRLFs, a near-delimiter, a delimiter not at a line start, NULs.
  data += std::string("\r\n--XyY\r\n\r\nA--XyZ\r\n\0\r", 21);
  ASSERT_EQ(data.find("\r\n--XyZ"), std::string::npos);
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"b.bin\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n" +
      data + "\r\n--XyZ--";
  Result<std::vector<Part>> r = parse_multipart(kType, body);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].filename, "b.bin");
  EXPECT_EQ(r.value()[0].data.size(), data.size());
  EXPECT_EQ(r.value()[0].data, data);
}

TEST(HttpMultipart, QuotedBoundaryAndParameterCase) {
  const std::string body = "--a b:c\r\nContent-Disposition: FORM-DATA; NAME=\"x\"\r\n\r\nhello\r\n--a b:c--\r\n";
  Result<std::vector<Part>> r = parse_multipart("Multipart/Form-Data; charset=utf-8; Boundary=\"a b:c\"", body);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].name, "x");
  EXPECT_EQ(r.value()[0].data, "hello");
}

TEST(HttpMultipart, TransportPaddingAfterBoundary) {
  const std::string body = "--XyZ  \t\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--XyZ--";
  Result<std::vector<Part>> r = parse_multipart(kType, body);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value()[0].data, "v");
}

TEST(HttpMultipart, NoPartsIsEmpty) {
  Result<std::vector<Part>> r = parse_multipart(kType, "--XyZ--\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().empty());
}

void expect_error(std::string_view content_type, std::string_view body, std::string_view reason,
                  size_t max_parts = 64) {
  Result<std::vector<Part>> r = parse_multipart(content_type, body, max_parts);
  ASSERT_FALSE(r.ok()) << "accepted: " << body;
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.status().message().find(reason), std::string::npos)
      << "reason '" << r.status().message() << "' lacks '" << reason << "'";
}

TEST(HttpMultipart, Errors) {
  const std::string part = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n";
  expect_error("application/json", "{}", "not multipart/form-data");
  expect_error("multipart/form-data", part, "no boundary");
  expect_error("multipart/form-data; boundary=", part, "malformed");
  expect_error("multipart/form-data; boundary=\"\"", part, "1 to 70");
  expect_error("multipart/form-data; boundary=" + std::string(71, 'b'), part, "1 to 70");
  expect_error("multipart/form-data; boundary=\"unterminated", part, "malformed");
  expect_error(kType, part, "missing closing boundary");
  expect_error(kType, part + "--XyZ", "missing closing boundary");
  expect_error(kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue without end",
               "missing closing boundary");
  expect_error(kType, "no delimiter anywhere", "no opening boundary");
  expect_error(kType, "", "no opening boundary");
  expect_error(kType, "--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--", "without Content-Disposition");
  expect_error(kType, "--XyZ\r\n\r\nv\r\n--XyZ--", "without Content-Disposition");
  expect_error(kType, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--", "without a name");
  expect_error(kType, "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--XyZ--", "not form-data");
  expect_error(kType, "--XyZ\r\nno colon here\r\n\r\nv\r\n--XyZ--", "malformed part header");
  expect_error(kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nv\r\n--XyZ--",
               "unterminated part header");
  expect_error(kType, "--XyZjunk\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZ--",
               "malformed boundary line");
  expect_error(kType, "--XyZ\r\nX-Big: " + std::string(9000, 'h') + "\r\n\r\nv\r\n--XyZ--", "over 8 KiB");
  std::string many;
  for (int i = 0; i < 5; ++i) many += part;
  expect_error(kType, many + "--XyZ--", "more than 4 parts", 4);
  Result<std::vector<Part>> ok = parse_multipart(kType, many + "--XyZ--", 5);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().size(), 5u);
}

TEST(HttpMultipart, MutatedBodies) {
  // Deterministic mutations of a valid body: every result is either an
  // error or parts whose views lie inside the body.
  const std::string base =
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nfirst value\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"f\"\r\nContent-Type: x/y\r\n\r\n"
      "second\r\nvalue\r\n--XyZ--\r\n";
  const char* pieces[] = {"--XyZ", "\r\n", "--", "\"", ";", "\\", "\r\n\r\n", ":"};
  uint32_t state = 12345;
  auto next = [&state](uint32_t n) {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % n;
  };
  size_t accepted = 0, rejected = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string body = base;
    const int mutations = 1 + static_cast<int>(next(3));
    for (int m = 0; m < mutations && !body.empty(); ++m) {
      const size_t at = next(static_cast<uint32_t>(body.size()));
      switch (next(3)) {
        case 0: body.erase(at, 1 + next(8)); break;
        case 1: body.insert(at, pieces[next(8)]); break;
        default: body[at] = static_cast<char>(next(256)); break;
      }
    }
    Result<std::vector<Part>> r = parse_multipart(kType, body);
    if (!r.ok()) {
      ++rejected;
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
      EXPECT_FALSE(r.status().message().empty());
      continue;
    }
    ++accepted;
    for (const Part& p : r.value()) {
      EXPECT_GE(p.data.data(), body.data());
      EXPECT_LE(p.data.data() + p.data.size(), body.data() + body.size());
      EXPECT_FALSE(p.name.empty());
    }
  }
  EXPECT_GT(accepted, 100u);
  EXPECT_GT(rejected, 100u);
}

}  // namespace
}  // namespace chainbreak::http
