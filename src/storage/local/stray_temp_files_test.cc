// RemoveTempFilesOf against a real folder, and the temp file names it reads.
#include "storage/local/stray_temp_files.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "storage/local/local_object_store.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

namespace fs = std::filesystem;

std::string TempOf(pid_t writer, uint64_t counter = 0) {
  return LocalObjectStore::TempFileName(writer, 0xfeedULL, counter);
}

// Every file under `root`, as paths relative to it, sorted.
std::vector<std::string> FilesUnder(const fs::path& root) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_directory()) files.push_back(fs::relative(entry.path(), root).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(TempFileNameTest, NamesItsWriterAndNothingElseDoes) {
  EXPECT_EQ(LocalObjectStore::TempFileWriter(TempOf(4242, 7)), 4242);
  EXPECT_EQ(LocalObjectStore::TempFileWriter(TempOf(::getpid())), ::getpid());
  EXPECT_TRUE(TempOf(1).starts_with(LocalObjectStore::kTempFilePrefix));
  for (const std::string name : {"photo.jpg", ".pixfleet-tmp-", ".pixfleet-tmp-12",
                                 ".pixfleet-tmp-x-1", ".pixfleet-tmp--5-1", ".pixfleet-tmp-0-1",
                                 ".pixfleet-tmp-99999999999-1", "pixfleet-tmp-12-1", ".pixfleet"}) {
    EXPECT_FALSE(LocalObjectStore::TempFileWriter(name).has_value()) << name;
  }
}

TEST(RemoveTempFilesOfTest, RemovesTheDeadWritersTempFilesOnly) {
  TempDir dir;
  const fs::path root = dir.path() / "out";
  WriteFileForTest(root / "trips/IMG_1/large.jpg", "whole");
  WriteFileForTest(root / "trips/IMG_1" / TempOf(101), "half");
  WriteFileForTest(root / "trips/IMG_2" / TempOf(101, 1), "half");
  WriteFileForTest(root / "deep/a/b/c" / TempOf(102), "half");
  WriteFileForTest(root / TempOf(102, 9), "half");
  WriteFileForTest(root / "trips/IMG_3" / TempOf(103), "a live writer's");
  WriteFileForTest(root / "trips/IMG_3/.pixfleet-tmp-101", "not a temp file's name");
  WriteFileForTest(root / ".pixfleet" / TempOf(101), "the run's state folder");
  fs::create_directories(root / "trips" / TempOf(101, 2));  // a folder so named stays

  Result<int64_t> removed = RemoveTempFilesOf(root, {101, 102});
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 4);
  EXPECT_EQ(FilesUnder(root), (std::vector<std::string>{
                                  ".pixfleet/" + TempOf(101), "trips/IMG_1/large.jpg",
                                  "trips/IMG_3/.pixfleet-tmp-101", "trips/IMG_3/" + TempOf(103)}));
  EXPECT_TRUE(fs::is_directory(root / "trips" / TempOf(101, 2)));
}

TEST(RemoveTempFilesOfTest, NeverFollowsALinkOutOfTheFolder) {
  TempDir dir;
  const fs::path root = dir.path() / "out";
  const fs::path elsewhere = dir.path() / "elsewhere";
  WriteFileForTest(elsewhere / TempOf(101), "not ours");
  fs::create_directories(root);
  fs::create_directory_symlink(elsewhere, root / "linked");
  fs::create_symlink(elsewhere / TempOf(101), root / TempOf(101, 1));

  Result<int64_t> removed = RemoveTempFilesOf(root, {101});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 0);
  EXPECT_TRUE(fs::exists(elsewhere / TempOf(101)));
  EXPECT_TRUE(fs::is_symlink(root / TempOf(101, 1)));
}

TEST(RemoveTempFilesOfTest, AMissingFolderIsUnavailableAndNoWritersIsNothingToDo) {
  TempDir dir;
  Result<int64_t> missing = RemoveTempFilesOf(dir.path() / "absent", {101});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(missing.status().message().find("absent"), std::string::npos);
  Result<int64_t> none = RemoveTempFilesOf(dir.path() / "absent", {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
}

}  // namespace
}  // namespace pixfleet
