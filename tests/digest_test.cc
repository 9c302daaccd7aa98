// Exact digests: known answers, streaming equals one-shot, errors.
#include "signals/exact/digest.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace chainbreak::exact {
namespace {

std::string digest_of(DigestType t, const std::string& s) {
  Digester d(t);
  d.update({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  return d.finish();
}

TEST(Digest, KnownAnswers) {
  EXPECT_EQ(digest_of(DigestType::kMd5, "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(digest_of(DigestType::kSha1, "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(digest_of(DigestType::kSha256, "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest_of(DigestType::kMd5, ""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(Digest, StreamedFileEqualsInMemoryDigest) {
  // 3 MiB + 7 bytes: several 1 MiB blocks and a partial one.
  std::string content;
  for (size_t i = 0; i < (3u << 20) + 7; ++i) content.push_back(static_cast<char>((i * 2654435761u) >> 13));
  const std::string path = ::testing::TempDir() + "/digest_stream.bin";
  std::ofstream(path, std::ios::binary) << content;
  for (DigestType t : {DigestType::kMd5, DigestType::kSha1, DigestType::kSha256}) {
    Result<std::string> r = digest_file(path, t);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r.value(), digest_of(t, content)) << digest_name(t);
  }
  std::remove(path.c_str());
}

TEST(Digest, FinishResetsForReuse) {
  Digester d(DigestType::kSha256);
  d.update({reinterpret_cast<const uint8_t*>("x"), 1});
  d.finish();
  EXPECT_EQ(d.finish(), digest_of(DigestType::kSha256, ""));
}

TEST(Digest, MissingFileAndDirectoryAreErrors) {
  Result<std::string> missing = digest_file("/nonexistent/chainbreak-file", DigestType::kMd5);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "No such file or directory");
  Result<std::string> dir = digest_file(::testing::TempDir(), DigestType::kMd5);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().message(), "Is a directory");
}

TEST(Digest, NamesParse) {
  DigestType t;
  EXPECT_TRUE(parse_digest_type("sha1", &t));
  EXPECT_EQ(t, DigestType::kSha1);
  EXPECT_FALSE(parse_digest_type("crc32", &t));
}

}  // namespace
}  // namespace chainbreak::exact
