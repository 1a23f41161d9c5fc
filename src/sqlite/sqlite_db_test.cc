// The SQLite wrappers: transactions, and what each failure means to the caller: a busy lock may
// be retried; a full, read-only or missing place for the database is the environment's refusal.
#include "sqlite/sqlite_db.h"

#include <cerrno>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/private_tmpfs.h"
#include "testing/temp_dir.h"

namespace pixfleet::sqlite {
namespace {

TEST(SqliteDbTest, TransactionCommitsOrRollsBack) {
  TempDir dir;
  auto db = Database::Open(dir.Join("t.db"), std::chrono::milliseconds(1000));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)").ok());
  {
    auto tx = Transaction::Begin(**db);
    ASSERT_TRUE(tx.ok());
    auto insert = (*db)->Prepare("INSERT INTO t(k, v) VALUES(?, ?)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->Bind(1, "a").Bind(2, int64_t{1}).Run().ok());
    // Destroyed without Commit: rolled back.
  }
  {
    auto tx = Transaction::Begin(**db);
    ASSERT_TRUE(tx.ok());
    auto insert = (*db)->Prepare("INSERT INTO t(k, v) VALUES(?, ?)");
    ASSERT_TRUE(insert->Bind(1, "b").Bind(2, int64_t{2}).Run().ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto select = (*db)->Prepare("SELECT k, v FROM t ORDER BY k");
  ASSERT_TRUE(select.ok());
  auto row = select->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(select->ColumnText(0), "b");
  EXPECT_EQ(select->ColumnInt(1), 2);
  EXPECT_FALSE(*select->Step());
}

TEST(SqliteDbTest, ErrorsBecomeStatuses) {
  TempDir dir;
  auto db = Database::Open(dir.Join("t.db"), std::chrono::milliseconds(100));
  ASSERT_TRUE(db.ok());
  auto bad = (*db)->Prepare("SELEC nonsense");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), StatusCode::kInternal);
  EXPECT_NE(bad.error().message().find("t.db"), std::string::npos);
}

TEST(SqliteDbTest, ADatabaseThatCannotBeCreatedIsAFailedPrecondition) {
  TempDir dir;
  auto missing = Database::Open(dir.Join("no/such/dir/x.db"), std::chrono::milliseconds(100));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kFailedPrecondition) << missing.error().ToString();
  EXPECT_THAT(missing.error().message(), ::testing::HasSubstr("No such file or directory"));
  EXPECT_THAT(missing.error().message(), ::testing::HasSubstr("no/such/dir/x.db"));
}

TEST(SqliteDbTest, AFullDatabaseIsAFailedPrecondition) {
  TempDir dir;
  auto db = Database::Open(dir.Join("t.db"), std::chrono::milliseconds(100));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(v BLOB); PRAGMA max_page_count=8").ok());
  Status status;
  for (int i = 0; status.ok() && i < 100; ++i) {
    status = (*db)->Exec("INSERT INTO t VALUES(zeroblob(4000))");
  }
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_FALSE(status.IsRetryable());
  EXPECT_THAT(status.message(), ::testing::HasSubstr("full"));
}

TEST(SqliteDbTest, AReadOnlyDatabaseIsAFailedPrecondition) {
  TempDir dir;
  auto db = Database::Open(dir.Join("t.db"), std::chrono::milliseconds(100));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(v INTEGER); PRAGMA query_only=1").ok());
  const Status status = (*db)->Exec("INSERT INTO t VALUES(1)");
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
}

TEST(SqliteStatusCodeTest, TheErrnoUnderAnIoErrorDecides) {
  EXPECT_EQ(SqliteStatusCode(SQLITE_IOERR_WRITE, ENOSPC), StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteStatusCode(SQLITE_IOERR_SHMSIZE, EDQUOT), StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteStatusCode(SQLITE_IOERR_FSYNC, EROFS), StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteStatusCode(SQLITE_IOERR_WRITE, EIO), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatusCode(SQLITE_IOERR, 0), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatusCode(SQLITE_CANTOPEN, EACCES), StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteStatusCode(SQLITE_CANTOPEN, EMFILE), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatusCode(SQLITE_READONLY_DBMOVED, 0), StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteStatusCode(SQLITE_BUSY, 0), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatusCode(SQLITE_BUSY_SNAPSHOT, 0), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatusCode(SQLITE_CORRUPT, 0), StatusCode::kDataLoss);
  EXPECT_EQ(SqliteStatusCode(SQLITE_CONSTRAINT, 0), StatusCode::kInternal);
}

// A database whose disk fills up, and one on a read-only file system, on a real tmpfs.
TEST(SqliteDbTest, AFullOrReadOnlyFileSystemIsAFailedPrecondition) {
  TempDir dir;
  const std::filesystem::path mount = dir.path() / "fs";
  const auto full = RunOnPrivateTmpfs(mount, {.size_bytes = size_t{256} * 1024}, [&] {
    auto db = Database::Open((mount / "t.db").string(), std::chrono::milliseconds(100));
    if (!db.ok()) return "open: " + db.status().ToString();
    Status status = (*db)->Exec("CREATE TABLE t(v BLOB)");
    for (int i = 0; status.ok() && i < 1000; ++i) {
      status = (*db)->Exec("INSERT INTO t VALUES(zeroblob(4000))");
    }
    return status.ToString();
  });
  if (!full.has_value()) GTEST_SKIP() << kNoPrivateTmpfs;
  EXPECT_THAT(*full, ::testing::StartsWith("failed_precondition: ")) << *full;
  // In the system's words, as every other disk-full error (SQLite's SQLITE_FULL carries none).
  EXPECT_THAT(*full, ::testing::HasSubstr("No space left on device")) << *full;

  const auto read_only = RunOnPrivateTmpfs(mount, {.read_only = true}, [&] {
    return Database::Open((mount / "t.db").string(), std::chrono::milliseconds(100))
        .status()
        .ToString();
  });
  ASSERT_TRUE(read_only.has_value());
  EXPECT_THAT(*read_only, ::testing::StartsWith("failed_precondition: ")) << *read_only;
  // SQLite's last system call there is its read-only retry, so the reason it gives varies.
  EXPECT_THAT(*read_only, ::testing::HasSubstr("t.db: unable to open database file"));
}

TEST(SqliteDbTest, SecondWriterSeesBusyAsUnavailable) {
  TempDir dir;
  auto first = Database::Open(dir.Join("t.db"), std::chrono::milliseconds(50));
  auto second = Database::Open(dir.Join("t.db"), std::chrono::milliseconds(50));
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE((*first)->Exec("CREATE TABLE t(v INTEGER)").ok());
  auto held = Transaction::Begin(**first);
  ASSERT_TRUE(held.ok());
  auto blocked = Transaction::Begin(**second);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(blocked.error().IsRetryable());
}

}  // namespace
}  // namespace pixfleet::sqlite
