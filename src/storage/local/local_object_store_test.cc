// LocalObjectStore behaviour beyond the shared contract: temp files and crash leftovers, Fetch
// handing over the object's own file, hidden state folders, output folders inside the root,
// symlinks (followed only inside the root, never written through), the root's creation, keys that
// try to leave the root, and a disk that is full or read-only (on a private tmpfs:
// testing/private_tmpfs.h).
#include "storage/local/local_object_store.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
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

TEST_F(LocalObjectStoreTest, SymlinksAreFollowedOnlyToFilesInsideTheRoot) {
  WriteFileForTest(dir_.path() / "elsewhere/photo.jpg", "outside bytes");
  WriteFileForTest(root_ / "album/real.jpg", "inside bytes");
  WriteFileForTest(root_ / "other/x.jpg", "x");
  fs::create_symlink(root_ / "album/real.jpg", root_ / "album/inside.jpg");
  fs::create_symlink("../album/real.jpg", root_ / "other/relative.jpg");
  fs::create_symlink(dir_.path() / "elsewhere/photo.jpg", root_ / "album/escape.jpg");
  fs::create_symlink("../../elsewhere/photo.jpg", root_ / "album/escape2.jpg");
  fs::create_symlink(dir_.path() / "missing", root_ / "album/dangling.jpg");
  fs::create_symlink(root_ / "album/self.jpg", root_ / "album/self.jpg");  // a loop
  fs::create_directory_symlink(root_, root_ / "album/loop");               // a cycle
  fs::create_directory_symlink(dir_.path() / "elsewhere", root_ / "album/out");
  ASSERT_EQ(::mkfifo((root_ / "album/pipe.jpg").c_str(), 0600), 0);

  std::vector<SkippedEntry> skipped;
  std::vector<std::string> keys;
  ASSERT_TRUE(store_
                  ->ListReportingSkips(
                      "",
                      [&](const ObjectInfo& info) {
                        keys.push_back(info.key);
                        return Status::Ok();
                      },
                      [&](const SkippedEntry& entry) { skipped.push_back(entry); })
                  .ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"album/inside.jpg", "album/real.jpg",
                                            "other/relative.jpg", "other/x.jpg"}));
  const std::vector<SkippedEntry> expected = {
      {"album/dangling.jpg", std::string(LocalObjectStore::kSkipDanglingLink)},
      {"album/escape.jpg", std::string(LocalObjectStore::kSkipLinkOutside)},
      {"album/escape2.jpg", std::string(LocalObjectStore::kSkipLinkOutside)},
      {"album/loop/", std::string(LocalObjectStore::kSkipLinkToFolder)},
      {"album/out/", std::string(LocalObjectStore::kSkipLinkOutside)},
      {"album/pipe.jpg", std::string(LocalObjectStore::kSkipSpecialFile)},
      {"album/self.jpg", std::string(LocalObjectStore::kSkipDanglingLink)},
  };
  EXPECT_EQ(skipped, expected);
  // Plain List passes over the same entries without a word.
  EXPECT_EQ(ListKeys(), keys);
  EXPECT_TRUE(ListKeys("album/loop/").empty());

  // Reads follow links inside the root and refuse the others without opening them.
  EXPECT_EQ(*store_->Get("album/inside.jpg"), "inside bytes");
  EXPECT_EQ(*store_->Get("other/relative.jpg"), "inside bytes");
  EXPECT_EQ((*store_->Head("album/inside.jpg"))->size, 12u);
  for (const char* key : {"album/escape.jpg", "album/escape2.jpg", "album/out/photo.jpg"}) {
    const Status status = store_->Get(key).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << key;
    EXPECT_NE(status.message().find("links are followed only inside the folder"), std::string::npos)
        << status.ToString();
    EXPECT_EQ(store_->Head(key).status().code(), StatusCode::kInvalidArgument) << key;
  }
  EXPECT_EQ(store_->Get("album/dangling.jpg").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store_->Head("album/dangling.jpg")->has_value());
}

TEST_F(LocalObjectStoreTest, FetchHandsOverTheObjectsOwnFileAfterTheChecksGetMakes) {
  WriteFileForTest(root_ / "album/real.jpg", "inside bytes");
  WriteFileForTest(dir_.path() / "elsewhere/photo.jpg", "outside bytes");
  WriteFileForTest(root_ / "album/folder/x.jpg", "x");
  fs::create_symlink(root_ / "album/real.jpg", root_ / "album/inside.jpg");
  fs::create_symlink(dir_.path() / "elsewhere/photo.jpg", root_ / "album/escape.jpg");
  ASSERT_EQ(::mkfifo((root_ / "album/pipe.jpg").c_str(), 0600), 0);
  const fs::path real = fs::canonical(root_ / "album/real.jpg");

  auto own = store_->Fetch("album/real.jpg");
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_FALSE(own->IsTemporary());
  EXPECT_EQ(own->Path(), real);
  EXPECT_EQ(own->Size(), 12u);
  // Through a link inside the root: the target, resolved now, so that a link changed after the
  // checks is not followed.
  auto linked = store_->Fetch("album/inside.jpg");
  ASSERT_TRUE(linked.ok()) << linked.status().ToString();
  EXPECT_EQ(linked->Path(), real);

  const Status escape = store_->Fetch("album/escape.jpg").status();
  EXPECT_EQ(escape.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(escape.message().find("links are followed only inside the folder"), std::string::npos)
      << escape.ToString();
  EXPECT_EQ(store_->Fetch("album/folder").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Fetch("album/pipe.jpg").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Fetch("album/.hidden").status().code(), StatusCode::kInvalidArgument);
  const Status too_big = store_->Fetch("album/real.jpg", 11).status();
  EXPECT_EQ(too_big.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(too_big, store_->Get("album/real.jpg", 11).status());  // word for word

  // Released, the store's file stays as it was, and nothing was copied into the root.
  { const LocalObject released = std::move(own).value(); }
  EXPECT_EQ(ReadFileForTest(root_ / "album/real.jpg"), "inside bytes");
  std::vector<std::string> names = AllFileNames();  // the links count, as they lead to files
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"escape.jpg", "inside.jpg", "real.jpg", "x.jpg"}));
}

TEST_F(LocalObjectStoreTest, OutputFoldersInsideTheRootArePassedOver) {
  WriteFileForTest(root_ / "a.jpg", "input");
  WriteFileForTest(root_ / "out1/a/thumb.jpg", "earlier output");
  WriteFileForTest(root_ / "out1/.pixfleet/results.db", "state");
  WriteFileForTest(root_ / "deep/out2/b.jpg", "earlier output");
  WriteFileForTest(root_ / "deep/out2/.pixfleet/lock", "");
  WriteFileForTest(root_ / "deep/c.jpg", "input");
  WriteFileForTest(root_ / "fake/.pixfleet", "a file, not the state folder");
  WriteFileForTest(root_ / "fake/d.jpg", "input");
  std::vector<SkippedEntry> skipped;
  const auto list = [&](std::string_view prefix) {
    std::vector<std::string> keys;
    skipped.clear();
    EXPECT_TRUE(store_
                    ->ListReportingSkips(
                        prefix,
                        [&](const ObjectInfo& info) {
                          keys.push_back(info.key);
                          return Status::Ok();
                        },
                        [&](const SkippedEntry& entry) { skipped.push_back(entry); })
                    .ok());
    return keys;
  };
  EXPECT_EQ(list(""), (std::vector<std::string>{"a.jpg", "deep/c.jpg", "fake/d.jpg"}));
  const std::string reason(LocalObjectStore::kSkipOutputFolder);
  EXPECT_EQ(skipped, (std::vector<SkippedEntry>{{"deep/out2/", reason}, {"out1/", reason}}));
  // A prefix inside an output folder shows nothing either.
  EXPECT_TRUE(list("out1/a/").empty());
  EXPECT_EQ(skipped, (std::vector<SkippedEntry>{{"out1/", reason}}));
  EXPECT_TRUE(list("deep/out2/b").empty());
  // The root itself may hold .pixfleet (an output folder named as a source on purpose).
  WriteFileForTest(root_ / ".pixfleet/results.db", "state");
  EXPECT_EQ(list(""), (std::vector<std::string>{"a.jpg", "deep/c.jpg", "fake/d.jpg"}));
}

TEST_F(LocalObjectStoreTest, PutMarksTheRootAsAnOutputFolder) {
  std::error_code ec;
  EXPECT_FALSE(fs::exists(root_ / ".pixfleet", ec));
  ASSERT_TRUE(store_->Put("a/b.jpg", "x", "").ok());
  EXPECT_TRUE(fs::is_directory(root_ / ".pixfleet", ec));
  EXPECT_EQ(ListKeys(), (std::vector<std::string>{"a/b.jpg"}));
  // So a listing of an enclosing folder no longer takes these outputs for inputs.
  auto parent = LocalObjectStore::Open(dir_.path());
  ASSERT_TRUE(parent.ok());
  std::vector<std::string> keys;
  ASSERT_TRUE((*parent)
                  ->List("",
                         [&](const ObjectInfo& info) {
                           keys.push_back(info.key);
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_TRUE(keys.empty()) << keys.front();
}

TEST_F(LocalObjectStoreTest, WritesNeverGoThroughASymlinkedFolder) {
  const fs::path elsewhere = dir_.path() / "elsewhere";
  WriteFileForTest(elsewhere / "victim.jpg", "precious");
  std::error_code ec;
  fs::create_directories(root_ / "a", ec);
  fs::create_directory_symlink(elsewhere, root_ / "thumbs", ec);
  ASSERT_FALSE(ec) << ec.message();
  fs::create_directory_symlink(elsewhere, root_ / "a/deeper", ec);
  ASSERT_FALSE(ec) << ec.message();

  for (const char* key : {"thumbs/victim.jpg", "thumbs/new.jpg", "a/deeper/x/y.jpg"}) {
    const Status status = store_->Put(key, "overwritten", "");
    EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << key << ": " << status.ToString();
    EXPECT_NE(status.message().find("is a symlink, and the output store never writes through"),
              std::string::npos)
        << status.ToString();
    EXPECT_NE(status.message().find(key), std::string::npos) << status.ToString();
    const Status deleted = store_->Delete(key);
    EXPECT_EQ(deleted.code(), StatusCode::kFailedPrecondition) << key << ": " << deleted.ToString();
  }
  EXPECT_EQ(ReadFileForTest(elsewhere / "victim.jpg"), "precious");
  std::vector<std::string> outside;
  for (const auto& entry : fs::recursive_directory_iterator(elsewhere)) {
    outside.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(outside, (std::vector<std::string>{"victim.jpg"}));  // no temp file, no folder
}

TEST_F(LocalObjectStoreTest, PutReplacesASymlinkNamedLikeTheObjectInsteadOfWritingThrough) {
  WriteFileForTest(dir_.path() / "victim.jpg", "precious");
  std::error_code ec;
  fs::create_directories(root_ / "a", ec);
  fs::create_symlink(dir_.path() / "victim.jpg", root_ / "a/thumb.jpg", ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(store_->Put("a/thumb.jpg", "new output", "").ok());
  EXPECT_EQ(ReadFileForTest(dir_.path() / "victim.jpg"), "precious");
  EXPECT_FALSE(fs::is_symlink(root_ / "a/thumb.jpg", ec));
  EXPECT_EQ(*store_->Get("a/thumb.jpg"), "new output");
}

TEST(LocalObjectStoreOpenTest, ARootThatIsASymlinkIsResolvedOnce) {
  TempDir dir;
  WriteFileForTest(dir.path() / "real/a.jpg", "a");
  std::error_code ec;
  fs::create_directory_symlink(dir.path() / "real", dir.path() / "link", ec);
  ASSERT_FALSE(ec) << ec.message();
  // A link inside that names the root by its real path still leads inside.
  fs::create_symlink(dir.path() / "real/a.jpg", dir.path() / "real/b.jpg", ec);
  auto store = LocalObjectStore::Open(dir.path() / "link");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->Get("b.jpg"), "a");
  ASSERT_TRUE((*store)->Put("c/d.jpg", "d", "").ok());
  EXPECT_EQ(ReadFileForTest(dir.path() / "real/c/d.jpg"), "d");
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
  const auto seen = RunOnPrivateTmpfs(root, {.size_bytes = size_t{64} * 1024}, [&] {
    auto store = LocalObjectStore::Open(root, {.create_root = false, .fsync = true});
    if (!store.ok()) return "open: " + store.status().ToString();
    std::string out = "probe while there is room: " + (*store)->CheckWritable().ToString() + "\n";
    out += "too big: " +
           (*store)->Put("a/big.bin", std::string(size_t{256} * 1024, 'x'), "").ToString();
    Status fill;
    for (int i = 0; fill.ok() && i < 64; ++i) {
      fill = (*store)->Put("fill/" + std::to_string(i), std::string(4096, 'f'), "");
    }
    out += "\nfilling up: " + fill.ToString();
    out += "\nprobe when full: " + (*store)->CheckWritable().ToString();
    out += "\nread: " + (*store)->Get("fill/0").status().ToString();
    out += "\nfetch: " + (*store)->Fetch("fill/0").status().ToString();  // no copy to write
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
  EXPECT_THAT(*seen, ::testing::HasSubstr("fetch: ok"));
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
