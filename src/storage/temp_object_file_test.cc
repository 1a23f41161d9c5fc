// LocalObject removes a temporary copy exactly once (when its last owner lets it go) and never a
// borrowed file; TempObjectFile writes a 0600 file in the folder it is given, removes it on any
// failure or when dropped unfinished, and names the folder when it cannot write there.
#include "storage/temp_object_file.h"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "storage/local_object.h"
#include "testing/private_tmpfs.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::vector<fs::path> FilesIn(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
    files.push_back(entry.path());
  }
  return files;
}

TEST(LocalObjectTest, ABorrowedFileIsNeverRemoved) {
  TempDir dir;
  const fs::path file = dir.path() / "photo.jpg";
  WriteFileForTest(file, "pixels");
  {
    LocalObject borrowed = LocalObject::Borrowed(file, 6);
    EXPECT_EQ(borrowed.Path(), file);
    EXPECT_EQ(borrowed.Size(), 6u);
    EXPECT_FALSE(borrowed.IsTemporary());
    LocalObject moved = std::move(borrowed);
    EXPECT_EQ(moved.Path(), file);
  }
  EXPECT_EQ(ReadFileForTest(file), "pixels");
}

TEST(LocalObjectTest, ATemporaryCopyIsRemovedWhenItsLastOwnerIsDestroyed) {
  TempDir dir;
  const fs::path file = dir.path() / "copy";
  WriteFileForTest(file, "bytes");
  std::optional<LocalObject> kept;
  {
    LocalObject first = LocalObject::Temporary(file, 5);
    EXPECT_TRUE(first.IsTemporary());
    kept.emplace(std::move(first));
    // The moved-from object owns nothing: destroying it must leave the file alone.
    EXPECT_TRUE(first.Path().empty());  // NOLINT(bugprone-use-after-move): checked on purpose
    EXPECT_FALSE(first.IsTemporary());  // NOLINT(bugprone-use-after-move)
  }
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(kept->Size(), 5u);
  kept.reset();
  EXPECT_FALSE(fs::exists(file));
}

TEST(LocalObjectTest, AssigningOverATemporaryCopyRemovesIt) {
  TempDir dir;
  WriteFileForTest(dir.path() / "a", "a");
  WriteFileForTest(dir.path() / "b", "b");
  LocalObject a = LocalObject::Temporary(dir.path() / "a", 1);
  a = LocalObject::Temporary(dir.path() / "b", 1);
  EXPECT_FALSE(fs::exists(dir.path() / "a"));
  EXPECT_TRUE(fs::exists(dir.path() / "b"));
  EXPECT_EQ(a.Path(), dir.path() / "b");
}

TEST(TempObjectFileTest, WritesAPrivateFileInTheFolderAndHandsItOver) {
  TempDir dir;
  auto file = TempObjectFile::Create(dir.path());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const fs::path path = file->Path();
  EXPECT_EQ(path.parent_path(), dir.path());
  EXPECT_THAT(path.filename().string(), HasSubstr("pixfleet-fetch-"));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_TRUE(file->Append("first ").ok());
  ASSERT_TRUE(file->Append(std::string("\0second", 7)).ok());
  EXPECT_EQ(file->Size(), 13u);
  auto object = file->Finish();
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  EXPECT_TRUE(object->IsTemporary());
  EXPECT_EQ(object->Path(), path);
  EXPECT_EQ(object->Size(), 13u);
  EXPECT_EQ(ReadFileForTest(path), std::string("first \0second", 13));
  object = Internal("released");  // destroys the LocalObject
  EXPECT_TRUE(FilesIn(dir.path()).empty());
}

TEST(TempObjectFileTest, AFileDroppedBeforeFinishIsRemovedAtOnce) {
  TempDir dir;
  {
    auto file = TempObjectFile::Create(dir.path());
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE(file->Append("partial").ok());
    EXPECT_EQ(FilesIn(dir.path()).size(), 1u);
  }
  EXPECT_TRUE(FilesIn(dir.path()).empty());
}

TEST(TempObjectFileTest, TwoFilesInOneFolderGetTwoNames) {
  TempDir dir;
  auto a = WriteTempObjectFile("a", dir.path());
  auto b = WriteTempObjectFile("b", dir.path());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->Path(), b->Path());
  EXPECT_EQ(ReadFileForTest(a->Path()), "a");
  EXPECT_EQ(ReadFileForTest(b->Path()), "b");
}

TEST(TempObjectFileTest, WithoutAFolderItWritesUnderTmpdirElseTmp) {
  TempDir dir;
  const char* previous = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe): one thread
  const std::optional<std::string> saved =
      previous == nullptr ? std::nullopt : std::optional<std::string>(previous);
  setenv("TMPDIR", dir.path().c_str(), 1);  // NOLINT(concurrency-mt-unsafe): one thread
  const fs::path under_tmpdir = DefaultTempFolder();
  auto file = TempObjectFile::Create();
  setenv("TMPDIR", "", 1);  // NOLINT(concurrency-mt-unsafe): one thread
  const fs::path when_empty = DefaultTempFolder();
  unsetenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe): one thread
  const fs::path when_unset = DefaultTempFolder();
  if (saved.has_value()) setenv("TMPDIR", saved->c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
  EXPECT_EQ(under_tmpdir, dir.path());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->Path().parent_path(), dir.path());
  EXPECT_EQ(when_empty, fs::path("/tmp"));
  EXPECT_EQ(when_unset, fs::path("/tmp"));
}

TEST(TempObjectFileTest, AMissingFolderIsTheMachinesFaultAndNamed) {
  TempDir dir;
  const auto missing = TempObjectFile::Create(dir.path() / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.error().message(), HasSubstr((dir.path() / "nope").string()));
  EXPECT_THAT(missing.error().message(), HasSubstr("$TMPDIR"));
}

TEST(TempObjectFileTest, AFullFolderRefusesAndLeavesNothingBehind) {
  TempDir dir;
  const fs::path small = dir.path() / "small";
  const auto seen = RunOnPrivateTmpfs(small, {.size_bytes = size_t{64} * 1024}, [&] {
    auto written = WriteTempObjectFile(std::string(256 * 1024, 'x'), small);
    return (written.ok() ? std::string("ok") : written.status().ToString()) + "|" +
           std::to_string(FilesIn(small).size());
  });
  if (!seen.has_value()) GTEST_SKIP() << kNoPrivateTmpfs;
  EXPECT_THAT(*seen, HasSubstr("failed_precondition"));
  EXPECT_THAT(*seen, HasSubstr("No space left on device"));
  EXPECT_THAT(*seen, HasSubstr("|0"));
}

}  // namespace
}  // namespace pixfleet
