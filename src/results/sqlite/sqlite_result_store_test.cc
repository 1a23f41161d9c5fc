// SqliteResultStore beyond the shared contract: several connections (as several worker
// processes) writing one file at once, the schema version check, and reopening a file.
// DISABLED_RecordThroughput measures rows/s; run it with --gtest_also_run_disabled_tests.
#include "results/sqlite/sqlite_result_store.h"

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "sqlite/sqlite_db.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

TaskResult Row(const std::string& batch_id, const std::string& input_key) {
  TaskResult row;
  row.task_id = MakeTaskId(batch_id, input_key);
  row.batch_id = batch_id;
  row.input_key = input_key;
  row.attempts = 1;
  row.input_bytes = 2'000'000;
  row.outputs = {{.name = "large",
                  .key = "large/" + input_key,
                  .bytes = 300'000,
                  .width = 1600,
                  .height = 1200,
                  .format = "jpeg"},
                 {.name = "small",
                  .key = "small/" + input_key,
                  .bytes = 40'000,
                  .width = 512,
                  .height = 384,
                  .format = "webp"},
                 {.name = "square",
                  .key = "square/" + input_key,
                  .bytes = 15'000,
                  .width = 256,
                  .height = 256,
                  .format = "jpeg"}};
  row.analysis.width = 4000;
  row.analysis.height = 3000;
  row.analysis.format = "jpeg";
  row.analysis.orientation = 1;
  row.analysis.mean_colour = std::array<double, 3>{120.5, 99.25, 80.0};
  row.analysis.dhash = 0x0123456789abcdefu;
  row.finished_ms = 1000;
  row.process_ms = 250;
  return row;
}

TEST(SqliteResultStoreTest, TwoConnectionsOnOneFileWriteConcurrently) {
  TempDir dir;
  FakeClock clock;
  auto first = SqliteResultStore::Open(dir.Join("results.db"), clock);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = SqliteResultStore::Open(dir.Join("results.db"), clock);
  ASSERT_TRUE(second.ok()) << second.status().ToString();

  constexpr int kRowsPerWriter = 500;
  const auto write = [](ResultStore& store, const std::string& prefix) {
    for (int i = 0; i < kRowsPerWriter; i += 25) {
      std::vector<TaskResult> rows;
      for (int j = i; j < i + 25; ++j) rows.push_back(Row("b", prefix + std::to_string(j)));
      const Status status = store.RecordResults(rows);
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
  };
  std::thread one([&] { write(**first, "one/"); });
  std::thread two([&] { write(**second, "two/"); });
  one.join();
  two.join();

  auto counts = (*first)->CountResults("b");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->succeeded, 2 * kRowsPerWriter);
  auto rows = (*second)->ListResults("b", std::nullopt);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), static_cast<size_t>(2 * kRowsPerWriter));
  EXPECT_EQ(rows->front(), Row("b", "one/0"));
}

TEST(SqliteResultStoreTest, ReopeningKeepsTheData) {
  TempDir dir;
  FakeClock clock;
  const TaskResult row = Row("b", "a.jpg");
  {
    auto store = SqliteResultStore::Open(dir.Join("results.db"), clock);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->RecordResults(std::vector<TaskResult>{row}).ok());
  }
  auto store = SqliteResultStore::Open(dir.Join("results.db"), clock);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto got = (*store)->GetResult(row.task_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, row);
}

TEST(SqliteResultStoreTest, ANewerSchemaVersionIsRefused) {
  TempDir dir;
  FakeClock clock;
  ASSERT_TRUE(SqliteResultStore::Open(dir.Join("results.db"), clock).ok());
  {
    auto db = sqlite::Database::Open(dir.Join("results.db"), std::chrono::milliseconds(1000));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)->Exec("UPDATE schema_version SET version = 3 WHERE component = 'results'").ok());
  }
  auto store = SqliteResultStore::Open(dir.Join("results.db"), clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.error().message().find("version 3"), std::string::npos)
      << store.error().message();
}

// A results.db written before the publication ledger (version 1: `pixfleet run` keeps one in
// every output folder) is upgraded in place when opened: its rows stay, the ledger starts empty.
TEST(SqliteResultStoreTest, AVersionOneFileGainsTheLedgerAndKeepsItsRows) {
  TempDir dir;
  FakeClock clock;
  const std::string path = dir.Join("results.db");
  TaskResult row;
  row.task_id = "t1";
  row.batch_id = "b1";
  row.input_key = "a.jpg";
  row.outcome = TaskOutcome::kSucceeded;
  {
    auto store = SqliteResultStore::Open(path, clock);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->RecordResults(std::vector<TaskResult>{row}).ok());
  }
  {
    // Back to what version 1 wrote.
    auto db = sqlite::Database::Open(path, std::chrono::milliseconds(1000));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("DROP TABLE publications").ok());
    ASSERT_TRUE(
        (*db)->Exec("UPDATE schema_version SET version = 1 WHERE component = 'results'").ok());
  }
  auto store = SqliteResultStore::Open(path, clock);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto got = (*store)->GetResult("t1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->input_key, "a.jpg");
  const std::vector<Publication> ledger = {{"t2", std::nullopt}};
  ASSERT_TRUE((*store)->RecordPublications("b1", ledger).ok());
  EXPECT_EQ(*(*store)->ListPublications("b1"), ledger);
  auto db = sqlite::Database::Open(path, std::chrono::milliseconds(1000));
  ASSERT_TRUE(db.ok());
  auto version = (*db)->Prepare("SELECT version FROM schema_version WHERE component = 'results'");
  ASSERT_TRUE(version.ok());
  ASSERT_TRUE(*version->Step());
  EXPECT_EQ(version->ColumnInt(0), SqliteResultStore::kSchemaVersion);
}

TEST(SqliteResultStoreTest, AFileThatCannotBeCreatedIsAFailedPrecondition) {
  TempDir dir;
  FakeClock clock;
  auto store = SqliteResultStore::Open(dir.Join("no/such/folder/results.db"), clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), StatusCode::kFailedPrecondition);
}

TEST(SqliteResultStoreTest, CorruptStoredJsonIsDataLoss) {
  TempDir dir;
  FakeClock clock;
  auto store = SqliteResultStore::Open(dir.Join("results.db"), clock);
  ASSERT_TRUE(store.ok());
  const TaskResult row = Row("b", "a.jpg");
  ASSERT_TRUE((*store)->RecordResults(std::vector<TaskResult>{row}).ok());
  {
    auto db = sqlite::Database::Open(dir.Join("results.db"), std::chrono::milliseconds(1000));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE results SET outputs_json = '[{'").ok());
  }
  EXPECT_EQ((*store)->GetResult(row.task_id).status().code(), StatusCode::kDataLoss);
}

// Not a unit test: prints rows/s for RecordResults in batches of 100 (3 outputs + full analysis
// per row, the std3 shape) into a fresh file.
TEST(SqliteResultStoreTest, DISABLED_RecordThroughput) {
  TempDir dir;
  auto store = SqliteResultStore::Open(dir.Join("results.db"), RealClock::Instance());
  ASSERT_TRUE(store.ok());
  constexpr int kBatches = 500;
  constexpr int kBatchSize = 100;
  std::vector<std::vector<TaskResult>> batches(kBatches);
  for (int b = 0; b < kBatches; ++b) {
    for (int i = 0; i < kBatchSize; ++i) {
      batches[static_cast<size_t>(b)].push_back(
          Row("bench", "photos/" + std::to_string(b) + "/" + std::to_string(i) + ".jpg"));
    }
  }
  const auto start = std::chrono::steady_clock::now();
  for (const auto& rows : batches) ASSERT_TRUE((*store)->RecordResults(rows).ok());
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const double rows_per_second = kBatches * kBatchSize / elapsed.count();
  std::cout << "RecordResults, batches of " << kBatchSize << ": " << kBatches * kBatchSize
            << " rows in " << elapsed.count() << " s = " << rows_per_second << " rows/s\n";
  EXPECT_EQ((*store)->CountResults("bench")->succeeded, kBatches * kBatchSize);
}

}  // namespace
}  // namespace pixfleet
