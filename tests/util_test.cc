// util/: path expansion and the progress bar.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "util/line_reader.h"
#include "util/path_source.h"
#include "util/progress.h"

namespace chainbreak {
namespace {

std::vector<std::string> drain(PathSource& s) {
  std::vector<std::string> out;
  while (std::optional<PathItem> item = s.next()) out.push_back(item->path + (item->error.empty() ? "" : " !"));
  return out;
}

TEST(PathSource, FilesDirectoriesAndStdinInOrder) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(::testing::TempDir()) / "path_source_test";
  fs::remove_all(root);
  fs::create_directories(root / "d" / "z");
  fs::create_directories(root / "d" / "a");
  for (const char* f : {"d/b.jpg", "d/a/2.png", "d/a/1.png", "d/z/x.gif", "top.jpg"}) std::ofstream(root / f) << "x";
  char lines[] = "one.jpg\r\n\ntwo.png\nthree";
  std::FILE* in = fmemopen(lines, sizeof(lines) - 1, "r");
  PathSource s({(root / "top.jpg").string(), (root / "d").string(), "-", "missing.jpg"}, in);
  EXPECT_FALSE(s.countable());
  const std::string d = (root / "d").string();
  EXPECT_EQ(drain(s),
            (std::vector<std::string>{(root / "top.jpg").string(), d + "/a/1.png", d + "/a/2.png", d + "/b.jpg",
                                      d + "/z/x.gif", "one.jpg", "two.png", "three", "missing.jpg"}));
  std::fclose(in);
  PathSource counted({d});
  EXPECT_TRUE(counted.countable());
  EXPECT_EQ(counted.count_all(), 4u);
  EXPECT_EQ(drain(counted).size(), 4u);
  fs::remove_all(root);
}

std::string run_progress(bool enabled, bool wait) {
  std::FILE* f = std::tmpfile();
  {
    Progress p(enabled, 10, f);
    if (wait) std::this_thread::sleep_for(std::chrono::milliseconds(600));
    p.update(5);
  }
  std::rewind(f);
  std::string s;
  int c;
  while ((c = std::fgetc(f)) != EOF) s.push_back(static_cast<char>(c));
  std::fclose(f);
  return s;
}

TEST(Progress, DrawsRateAndEtaWhenEnabledAndLong) {
  const std::string s = run_progress(true, true);
  EXPECT_NE(s.find("5/10 files"), std::string::npos) << s;
  EXPECT_NE(s.find("files/s"), std::string::npos);
  EXPECT_NE(s.find("ETA"), std::string::npos);
  EXPECT_NE(s.find("\033[K"), std::string::npos) << "the bar must be erased at the end";
}

TEST(Progress, SilentWhenDisabledOrShort) {
  EXPECT_EQ(run_progress(false, true), "");
  EXPECT_EQ(run_progress(true, false), "");
}

std::vector<std::string> read_lines(const std::string& path, size_t max_line, Status* status) {
  LineReader r(path, max_line);
  std::vector<std::string> out;
  std::string_view line;
  while (r.next(&line)) {
    out.emplace_back(line);
    EXPECT_EQ(r.line_number(), out.size());
  }
  *status = r.status();
  return out;
}

TEST(LineReader, SplitsLfAndCrlfKeepsEmptyLinesAndALastLineWithoutNewline) {
  const std::string path = ::testing::TempDir() + "/lines.txt";
  std::ofstream(path, std::ios::binary) << "a\r\n\nbb\nccc";
  Status st;
  EXPECT_EQ(read_lines(path, 1 << 20, &st), (std::vector<std::string>{"a", "", "bb", "ccc"}));
  EXPECT_TRUE(st.ok());
}

TEST(LineReader, LinesAcrossBlockBoundariesAndTheLengthLimit) {
  const std::string path = ::testing::TempDir() + "/long.txt";
  std::string big;
  for (int i = 0; i < 40000; ++i) big += std::to_string(i) + std::string(60, 'x') + "\n";  // > 2 MiB
  std::ofstream(path, std::ios::binary) << big;
  Status st;
  const auto lines = read_lines(path, 1 << 20, &st);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(lines.size(), 40000u);
  EXPECT_EQ(lines[39999], "39999" + std::string(60, 'x'));
  // A line over the limit stops the reader with a message naming its line.
  std::ofstream(path, std::ios::binary) << "short\n" << std::string(5000, 'y') << "\n";
  EXPECT_EQ(read_lines(path, 1000, &st).size(), 1u);
  EXPECT_EQ(st.code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(st.message().find(":2: line longer than 1000 bytes"), std::string::npos) << st.message();
  LineReader missing(::testing::TempDir() + "/does-not-exist");
  EXPECT_EQ(missing.status().code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace chainbreak
