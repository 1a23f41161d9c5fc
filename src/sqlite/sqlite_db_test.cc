#include "sqlite/sqlite_db.h"

#include <gtest/gtest.h>

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
  auto missing = Database::Open(dir.Join("no/such/dir/x.db"), std::chrono::milliseconds(100));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kUnavailable);
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
