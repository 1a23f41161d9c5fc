#include "core/read_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

TEST(ReadFileTest, ReadsBinaryContentAndChecksTheSizeFirst) {
  TempDir dir;
  const std::string bytes("a\0b\xff", 4);
  WriteFileForTest(dir.path() / "f.bin", bytes);
  auto read = ReadWholeFile(dir.Join("f.bin"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, bytes);
  auto too_big = ReadWholeFile(dir.Join("f.bin"), 3);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(too_big.error().message().find("f.bin: file is 4 bytes, over the limit of 3"),
            std::string::npos);
  auto missing = ReadWholeFile(dir.Join("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

TEST(ReadFileTest, AFolderOrAPipeIsNamedForWhatItIs) {
  TempDir dir;
  WriteFileForTest(dir.path() / "recipes/r.yaml", "name: r\n");
  auto folder = ReadWholeFile(dir.Join("recipes"));
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(folder.error().message(),
            dir.Join("recipes") + " is a folder, not a file: name the file itself");
  ASSERT_EQ(::mkfifo(dir.Join("pipe").c_str(), 0600), 0);
  auto pipe = ReadWholeFile(dir.Join("pipe"));  // must not block
  ASSERT_FALSE(pipe.ok());
  EXPECT_EQ(pipe.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pipe.error().message().find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace pixfleet
