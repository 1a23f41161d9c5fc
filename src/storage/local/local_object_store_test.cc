// LocalObjectStore behaviour beyond the shared contract: temp files and crash leftovers,
// hidden state folders, symlinks, the root's creation, keys that try to leave the root, and a
// disk that is full or read-only (on a private tmpfs: testing/private_tmpfs.h).
#include "storage/local/local_object_store.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "testing/private_tmpfs.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

namespace fs = std::filesystem;

class LocalObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "root";
    auto store = LocalObjectStore::Open(root_, {.create_root = true, .fsync = false});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  std::vector<std::string> ListKeys(std::string_view prefix = "") {
    std::vector<std::string> keys;
    const Status status = store_->List(prefix, [&](const ObjectInfo& info) {
      keys.push_back(info.key);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return keys;
  }

  // Every file name under the root, recursively, including hidden ones.
  std::vector<std::string> AllFileNames() {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) names.push_back(it->path().filename().string());
    }
    return names;
  }

  TempDir dir_;
  fs::path root_;
  std::unique_ptr<LocalObjectStore> store_;
};

TEST_F(LocalObjectStoreTest, ObjectsAreFilesUnderTheRoot) {
  ASSERT_TRUE(store_->Put("a/b/c.jpg", "jpeg bytes", "image/jpeg").ok());
  EXPECT_EQ(ReadFileForTest(root_ / "a/b/c.jpg"), "jpeg bytes");
  EXPECT_EQ(store_->Root(), root_);
}

TEST_F(LocalObjectStoreTest, PutsLeaveNoTempFiles) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store_->Put("d/k" + std::to_string(i % 5), std::string(100, 'x'), "").ok());
  }
  for (const std::string& name : AllFileNames()) {
    EXPECT_FALSE(name.starts_with(LocalObjectStore::kTempFilePrefix)) << name;
  }
  EXPECT_EQ(AllFileNames().size(), 5u);
}

TEST_F(LocalObjectStoreTest, PutWithFsyncWorks) {
  auto synced = LocalObjectStore::Open(root_, {.create_root = false, .fsync = true});
  ASSERT_TRUE(synced.ok());
  ASSERT_TRUE((*synced)->Put("durable/x", "bytes", "").ok());
  EXPECT_EQ(ReadFileForTest(root_ / "durable/x"), "bytes");
}

TEST_F(LocalObjectStoreTest, CrashBetweenWriteAndRenameKeepsTheOldObject) {
  ASSERT_TRUE(store_->Put("out/photo.jpg", "old version", "").ok());
  // What a writer that died after writing its temp file but before rename() leaves behind.
  WriteFileForTest(root_ / "out/.pixfleet-tmp-4242-00000000deadbeef-0", "new ver");
  auto got = store_->Get("out/photo.jpg");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "old version");
  EXPECT_EQ(ListKeys(), (std::vector<std::string>{"out/photo.jpg"}));
  // The next Put of the same key still works and replaces the object.
  ASSERT_TRUE(store_->Put("out/photo.jpg", "new version", "").ok());
  EXPECT_EQ(*store_->Get("out/photo.jpg"), "new version");
}

TEST_F(LocalObjectStoreTest, HiddenFilesAndFoldersAreNotListed) {
  WriteFileForTest(root_ / ".pixfleet/queue.db", "state");
  WriteFileForTest(root_ / "a/.DS_Store", "junk");
  WriteFileForTest(root_ / "a/.thumbs/x.jpg", "junk");
  WriteFileForTest(root_ / "a/visible.jpg", "v");
  EXPECT_EQ(ListKeys(), (std::vector<std::string>{"a/visible.jpg"}));
  EXPECT_TRUE(ListKeys(".pixfleet/").empty());
  EXPECT_TRUE(ListKeys(".").empty());
  EXPECT_TRUE(ListKeys("a/.thumbs/").empty());
}

TEST_F(LocalObjectStoreTest, DotSegmentsAreReservedForEveryOperation) {
  WriteFileForTest(root_ / ".pixfleet/queue.db", "state");
  EXPECT_EQ(store_->Put(".pixfleet/queue.db", "x", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Delete(".pixfleet/queue.db").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Get("a/.hidden").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Head(".x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadFileForTest(root_ / ".pixfleet/queue.db"), "state");
}

TEST_F(LocalObjectStoreTest, KeysCannotEscapeTheRoot) {
  WriteFileForTest(dir_.path() / "outside.txt", "secret");
  EXPECT_EQ(store_->Get("../outside.txt").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Put("../outside.txt", "overwritten", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Delete("../outside.txt").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Put("/tmp/abs", "x", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadFileForTest(dir_.path() / "outside.txt"), "secret");
  // A listing prefix cannot climb out either.
  const Status status = store_->List("../", [](const ObjectInfo&) { return Status::Ok(); });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->List("a/../../", [](const ObjectInfo&) { return Status::Ok(); }).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(LocalObjectStoreTest, SymlinkedFilesAreObjectsButSymlinkedFoldersAreNotWalked) {
  WriteFileForTest(dir_.path() / "elsewhere/photo.jpg", "linked bytes");
  std::error_code ec;
  fs::create_directories(root_ / "album", ec);
  ASSERT_FALSE(ec) << ec.message();
  fs::create_symlink(dir_.path() / "elsewhere/photo.jpg", root_ / "album/link.jpg", ec);
  ASSERT_FALSE(ec) << ec.message();
  fs::create_directory_symlink(root_, root_ / "album/loop", ec);  // a cycle back to the root
  ASSERT_FALSE(ec) << ec.message();
  fs::create_symlink(dir_.path() / "missing", root_ / "album/dangling.jpg", ec);
  ASSERT_FALSE(ec) << ec.message();

  EXPECT_EQ(ListKeys(), (std::vector<std::string>{"album/link.jpg"}));
  EXPECT_TRUE(ListKeys("album/loop/").empty());
  auto got = store_->Get("album/link.jpg");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "linked bytes");
  auto head = store_->Head("album/link.jpg");
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->size, 12u);
}

TEST_F(LocalObjectStoreTest, AnObjectCannotAlsoBeAFolder) {
  ASSERT_TRUE(store_->Put("a", "file", "").ok());
  const Status under_file = store_->Put("a/b", "x", "");
  EXPECT_EQ(under_file.code(), StatusCode::kInvalidArgument) << under_file.ToString();
  ASSERT_TRUE(store_->Put("dir/child", "x", "").ok());
  const Status over_folder = store_->Put("dir", "x", "");
  EXPECT_EQ(over_folder.code(), StatusCode::kInvalidArgument) << over_folder.ToString();
  // A folder is not an object: it is absent to Get/Head, and deleting it is a no-op.
  EXPECT_EQ(store_->Get("dir").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store_->Head("dir")->has_value());
  EXPECT_TRUE(store_->Delete("dir").ok());
  EXPECT_EQ(*store_->Get("dir/child"), "x");
  EXPECT_EQ(store_->Get("a/b").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(AllFileNames().size() == 2u);
}

TEST_F(LocalObjectStoreTest, DeleteKeepsEmptyFolders) {
  ASSERT_TRUE(store_->Put("x/y/z", "1", "").ok());
  ASSERT_TRUE(store_->Delete("x/y/z").ok());
  std::error_code ec;
  EXPECT_TRUE(fs::is_directory(root_ / "x/y", ec));
  EXPECT_TRUE(ListKeys().empty());
}

TEST(LocalObjectStoreOpenTest, MissingRootIsNotFoundUnlessAskedToCreate) {
  TempDir dir;
  auto missing = LocalObjectStore::Open(dir.path() / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.error().message().find("nope"), std::string::npos);

  auto created =
      LocalObjectStore::Open(dir.path() / "made/deep/", {.create_root = true, .fsync = false});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::error_code ec;
  EXPECT_TRUE(fs::is_directory(dir.path() / "made/deep", ec));
  EXPECT_EQ((*created)->Root(), dir.path() / "made/deep");
}

TEST(LocalObjectStoreOpenTest, RootThatIsAFileIsInvalid) {
  TempDir dir;
  WriteFileForTest(dir.path() / "file", "x");
  auto store = LocalObjectStore::Open(dir.path() / "file");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LocalObjectStore::Open("").status().code(), StatusCode::kInvalidArgument);
}

TEST(LocalObjectStoreOpenTest, PermissionDeniedIsPermanentAndNamesThePath) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  TempDir dir;
  auto store = LocalObjectStore::Open(dir.path() / "ro", {.create_root = true, .fsync = false});
  ASSERT_TRUE(store.ok());
  std::error_code ec;
  fs::permissions(dir.path() / "ro", fs::perms::owner_read | fs::perms::owner_exec, ec);
  ASSERT_FALSE(ec) << ec.message();
  const Status status = (*store)->Put("x", "y", "");
  const Status probe = (*store)->CheckWritable();
  fs::permissions(dir.path() / "ro", fs::perms::owner_all, ec);
  // A folder that refuses writes refuses every task's: the environment's fault, not the input's.
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_NE(status.message().find("ermission denied"), std::string::npos);
  EXPECT_NE(status.message().find((dir.path() / "ro").string()), std::string::npos);
  EXPECT_EQ(probe.code(), StatusCode::kFailedPrecondition) << probe.ToString();
}

TEST(LocalObjectStoreWriteProbeTest, AWritableFolderPassesAndKeepsNoProbeFile) {
  TempDir dir;
  auto store = LocalObjectStore::Open(dir.path(), {.create_root = false, .fsync = false});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->CheckWritable().ok());
  std::error_code ec;
  EXPECT_TRUE(fs::is_empty(dir.path(), ec)) << "the probe left a file behind";
}

TEST(LocalObjectStoreWriteProbeTest, AFolderRemovedUnderTheStoreRefusesTheProbe) {
  TempDir dir;
  auto store = LocalObjectStore::Open(dir.path() / "out", {.create_root = true, .fsync = false});
  ASSERT_TRUE(store.ok());
  std::error_code ec;
  fs::remove(dir.path() / "out", ec);
  ASSERT_FALSE(ec) << ec.message();
  const Status probe = (*store)->CheckWritable();
  EXPECT_EQ(probe.code(), StatusCode::kFailedPrecondition) << probe.ToString();
  EXPECT_THAT(probe.message(), ::testing::HasSubstr((dir.path() / "out").string()));
}

// A full file system refuses every write with kFailedPrecondition, the probe included, while
// reads go on.
TEST(LocalObjectStoreFullDiskTest, WritesAndTheProbeAreRefusedReadsGoOn) {
  TempDir dir;
  const fs::path root = dir.path() / "out";
  const auto seen = RunOnPrivateTmpfs(root, {.size_bytes = 64 * 1024}, [&] {
    auto store = LocalObjectStore::Open(root, {.create_root = false, .fsync = true});
    if (!store.ok()) return "open: " + store.status().ToString();
    std::string out = "probe while there is room: " + (*store)->CheckWritable().ToString() + "\n";
    out += "too big: " + (*store)->Put("a/big.bin", std::string(256 * 1024, 'x'), "").ToString();
    Status fill;
    for (int i = 0; fill.ok() && i < 64; ++i) {
      fill = (*store)->Put("fill/" + std::to_string(i), std::string(4096, 'f'), "");
    }
    out += "\nfilling up: " + fill.ToString();
    out += "\nprobe when full: " + (*store)->CheckWritable().ToString();
    out += "\nread: " + (*store)->Get("fill/0").status().ToString();
    return out;
  });
  if (!seen.has_value()) GTEST_SKIP() << kNoPrivateTmpfs;
  EXPECT_THAT(*seen, ::testing::HasSubstr("probe while there is room: ok\n"));
  EXPECT_THAT(*seen, ::testing::ContainsRegex("too big: failed_precondition: [^\n]*" +
                                              root.string() + "/a/[^\n]*No space left"));
  EXPECT_THAT(*seen, ::testing::HasSubstr("filling up: failed_precondition"));
  EXPECT_THAT(*seen, ::testing::ContainsRegex("probe when full: failed_precondition: the folder " +
                                              root.string() + " refuses writes: [^\n]*No space"));
  EXPECT_THAT(*seen, ::testing::HasSubstr("read: ok"));
}

// A read-only file system refuses every write, the creation of folders included; a missing
// input is still kNotFound.
TEST(LocalObjectStoreReadOnlyTest, WritesAndTheProbeAreRefusedMissingInputsAreNotFound) {
  TempDir dir;
  const fs::path root = dir.path() / "out";
  const auto seen = RunOnPrivateTmpfs(root, {.read_only = true}, [&] {
    auto store = LocalObjectStore::Open(root, {.create_root = false, .fsync = false});
    if (!store.ok()) return "open: " + store.status().ToString();
    std::string out = "put at the root: " + (*store)->Put("a.jpg", "x", "").ToString();
    out += "\nput in a folder: " + (*store)->Put("a/b.jpg", "x", "").ToString();
    out += "\nprobe: " + (*store)->CheckWritable().ToString();
    out += "\nget: " + (*store)->Get("missing.jpg").status().ToString();
    auto created = LocalObjectStore::Open(root / "new", {.create_root = true, .fsync = false});
    out += "\ncreate root: " + created.status().ToString();
    return out;
  });
  if (!seen.has_value()) GTEST_SKIP() << kNoPrivateTmpfs;
  for (const char* line : {"put at the root: ", "put in a folder: ", "probe: ", "create root: "}) {
    EXPECT_THAT(*seen, ::testing::ContainsRegex(std::string(line) +
                                                "failed_precondition: [^\n]*Read-only file system"))
        << line;
  }
  EXPECT_THAT(*seen, ::testing::HasSubstr("get: not_found"));
}

}  // namespace
}  // namespace pixfleet
