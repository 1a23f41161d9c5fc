// The ResultStore contract (see result_store_contract.h): every backend must pass these. They
// use only the port; backend-specific behaviour is tested beside each backend.
#include "results/result_store_contract.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pixfleet {

void PrintTo(const ContractBackend& backend, std::ostream* os) { *os << backend.name; }

std::string ContractBackendName(const ::testing::TestParamInfo<ContractBackend>& info) {
  return info.param.name;
}

void ResultStoreContractTest::SetUp() {
  harness_ = GetParam().make_harness();
  ASSERT_NE(harness_, nullptr);
  const std::string skip = harness_->SkipReason();
  if (!skip.empty()) GTEST_SKIP() << skip;
  auto store = harness_->Open(clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(store).value();
}

void ResultStoreContractTest::TearDown() {
  store_.reset();
  harness_.reset();
}

void ResultStoreContractTest::Record(std::vector<TaskResult> rows) {
  const Status status = store_->RecordResults(rows);
  ASSERT_TRUE(status.ok()) << status.ToString();
}

std::optional<TaskResult> ResultStoreContractTest::Get(const std::string& task_id) {
  auto row = store_->GetResult(task_id);
  EXPECT_TRUE(row.ok()) << row.status().ToString();
  return row.ok() ? *row : std::nullopt;
}

namespace {

Batch MakeBatch(const std::string& id, int64_t created_ms) {
  return Batch{.id = id,
               .name = "label " + id,
               .source_url = "file:///photos/" + id,
               .output_url = "file:///out/" + id,
               .recipe_yaml = "outputs:\n  large: {}\n",
               .created_ms = created_ms,
               .task_count = 3};
}

TaskResult Succeeded(const std::string& batch_id, const std::string& input_key, int attempts = 1) {
  TaskResult row;
  row.task_id = MakeTaskId(batch_id, input_key);
  row.batch_id = batch_id;
  row.input_key = input_key;
  row.outcome = TaskOutcome::kSucceeded;
  row.attempts = attempts;
  row.input_bytes = 1000 + input_key.size();
  row.outputs = {{.name = "large",
                  .key = "large/" + input_key,
                  .bytes = 500,
                  .width = 1600,
                  .height = 1200,
                  .format = "jpeg"}};
  row.analysis.width = 4000;
  row.analysis.dhash = 0xfedcba9876543210u;
  row.finished_ms = 5000;
  row.process_ms = 120;
  return row;
}

TaskResult Failed(const std::string& batch_id, const std::string& input_key, StatusCode code,
                  int attempts = 1) {
  TaskResult row;
  row.task_id = MakeTaskId(batch_id, input_key);
  row.batch_id = batch_id;
  row.input_key = input_key;
  row.outcome = TaskOutcome::kFailed;
  row.error_code = code;
  row.error_message = input_key + ": " + std::string(StatusCodeName(code));
  row.attempts = attempts;
  row.finished_ms = 6000;
  row.process_ms = 7;
  return row;
}

TEST_P(ResultStoreContractTest, PutBatchCreatesAndGetBatchReads) {
  const Batch batch = MakeBatch("b1", 111);
  ASSERT_TRUE(store_->PutBatch(batch).ok());
  auto got = store_->GetBatch("b1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, batch);
  auto missing = store_->GetBatch("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(ResultStoreContractTest, PutBatchAgainUpdatesTheCountAndKeepsTheCreationTime) {
  ASSERT_TRUE(store_->PutBatch(MakeBatch("b1", 111)).ok());
  Batch again = MakeBatch("b1", 999);
  again.task_count = 42;
  ASSERT_TRUE(store_->PutBatch(again).ok());
  auto got = store_->GetBatch("b1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->task_count, 42);
  EXPECT_EQ((*got)->created_ms, 111);
}

TEST_P(ResultStoreContractTest, PutBatchStampsAMissingCreationTime) {
  ASSERT_TRUE(store_->PutBatch(MakeBatch("b1", 0)).ok());
  auto got = store_->GetBatch("b1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->created_ms, clock_.NowMillis());
}

TEST_P(ResultStoreContractTest, PutBatchWithADifferentDefinitionIsRejected) {
  ASSERT_TRUE(store_->PutBatch(MakeBatch("b1", 111)).ok());
  Batch other_recipe = MakeBatch("b1", 111);
  other_recipe.recipe_yaml = "outputs:\n  small: {}\n";
  const Status status = store_->PutBatch(other_recipe);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("recipe_yaml"), std::string::npos) << status.message();
  Batch other_output = MakeBatch("b1", 111);
  other_output.output_url = "file:///elsewhere";
  EXPECT_NE(store_->PutBatch(other_output).message().find("output_url"), std::string::npos);
  Batch other_source = MakeBatch("b1", 111);
  other_source.source_url = "file:///elsewhere";
  EXPECT_NE(store_->PutBatch(other_source).message().find("source_url"), std::string::npos);
  EXPECT_EQ(**store_->GetBatch("b1"), MakeBatch("b1", 111));  // unchanged
  EXPECT_EQ(store_->PutBatch(Batch{}).code(), StatusCode::kInvalidArgument);
}

TEST_P(ResultStoreContractTest, ListBatchesIsNewestFirst) {
  ASSERT_TRUE(store_->PutBatch(MakeBatch("old", 100)).ok());
  ASSERT_TRUE(store_->PutBatch(MakeBatch("new", 300)).ok());
  ASSERT_TRUE(store_->PutBatch(MakeBatch("mid", 200)).ok());
  auto batches = store_->ListBatches();
  ASSERT_TRUE(batches.ok()) << batches.status().ToString();
  std::vector<std::string> ids;
  for (const Batch& batch : *batches) ids.push_back(batch.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"new", "mid", "old"}));
}

TEST_P(ResultStoreContractTest, RecordingTheSameTaskTwiceKeepsOneRow) {
  Record({Failed("b", "a.jpg", StatusCode::kUnavailable, 1)});
  Record({Failed("b", "a.jpg", StatusCode::kUnavailable, 2)});
  auto rows = store_->ListResults("b", std::nullopt);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).attempts, 2);
  Record({Succeeded("b", "c.jpg"), Succeeded("b", "c.jpg")});  // duplicates in one call
  EXPECT_EQ(store_->ListResults("b", std::nullopt)->size(), 2u);
}

TEST_P(ResultStoreContractTest, ASucceededRowIsFinal) {
  const TaskResult success = Succeeded("b", "a.jpg", 1);
  Record({success});
  Record({Failed("b", "a.jpg", StatusCode::kInvalidArgument, 2)});
  TaskResult later_success = Succeeded("b", "a.jpg", 3);
  later_success.outputs.clear();
  Record({later_success});
  EXPECT_EQ(Get(success.task_id), success);
}

TEST_P(ResultStoreContractTest, ASuccessReplacesAFailure) {
  Record({Failed("b", "a.jpg", StatusCode::kUnavailable, 2)});
  const TaskResult success = Succeeded("b", "a.jpg", 3);
  Record({success});
  EXPECT_EQ(Get(success.task_id), success);
  // Even a success from an earlier (stale) attempt: its outputs were written.
  Record({Failed("b", "x.jpg", StatusCode::kUnavailable, 5)});
  const TaskResult stale_success = Succeeded("b", "x.jpg", 4);
  Record({stale_success});
  EXPECT_EQ(Get(stale_success.task_id), stale_success);
}

TEST_P(ResultStoreContractTest, AFailureFromAnOlderAttemptDoesNotReplaceANewerOne) {
  const TaskResult newer = Failed("b", "a.jpg", StatusCode::kDeadlineExceeded, 3);
  Record({newer});
  Record({Failed("b", "a.jpg", StatusCode::kUnavailable, 2)});
  EXPECT_EQ(Get(newer.task_id), newer);
}

TEST_P(ResultStoreContractTest, RecordsAThousandRowsInOneCall) {
  std::vector<TaskResult> rows;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "img/" + std::to_string(100000 + i) + ".jpg";
    rows.push_back(i % 10 == 0 ? Failed("big", key, StatusCode::kInvalidArgument)
                               : Succeeded("big", key));
  }
  Record(rows);
  auto counts = store_->CountResults("big");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->succeeded, 900);
  EXPECT_EQ(counts->failed, 100);
  auto listed = store_->ListResults("big", std::nullopt);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, rows);  // keys were generated in order
}

TEST_P(ResultStoreContractTest, AnInvalidRowRecordsNothing) {
  TaskResult bad = Succeeded("b", "bad.jpg");
  bad.task_id.clear();
  const std::vector<TaskResult> rows = {Succeeded("b", "good.jpg"), bad};
  EXPECT_EQ(store_->RecordResults(rows).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->ListResults("b", std::nullopt)->empty());
  EXPECT_TRUE(store_->RecordResults({}).ok());
}

TEST_P(ResultStoreContractTest, ListResultsFiltersByBatchAndOutcomeOrderedByInputKey) {
  Record({Succeeded("b", "c.jpg"), Failed("b", "b.jpg", StatusCode::kInvalidArgument),
          Succeeded("b", "a.jpg"), Succeeded("other", "0.jpg"),
          Failed("b", "d.jpg", StatusCode::kResourceExhausted)});
  const auto keys = [&](std::optional<TaskOutcome> outcome) {
    std::vector<std::string> out;
    auto rows = store_->ListResults("b", outcome);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows.ok()) {
      for (const TaskResult& row : *rows) out.push_back(row.input_key);
    }
    return out;
  };
  EXPECT_EQ(keys(std::nullopt), (std::vector<std::string>{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}));
  EXPECT_EQ(keys(TaskOutcome::kSucceeded), (std::vector<std::string>{"a.jpg", "c.jpg"}));
  EXPECT_EQ(keys(TaskOutcome::kFailed), (std::vector<std::string>{"b.jpg", "d.jpg"}));
  EXPECT_TRUE(store_->ListResults("none", std::nullopt)->empty());
}

TEST_P(ResultStoreContractTest, SucceededTaskIdsListsOnlySuccessesOfTheBatch) {
  Record({Succeeded("b", "b.jpg"), Failed("b", "f.jpg", StatusCode::kInvalidArgument),
          Succeeded("b", "a.jpg"), Succeeded("other", "a.jpg")});
  auto ids = store_->SucceededTaskIds("b");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<std::string>{MakeTaskId("b", "a.jpg"), MakeTaskId("b", "b.jpg")}));
}

TEST_P(ResultStoreContractTest, CountResultsGroupsFailuresByCode) {
  auto empty = store_->CountResults("b");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->succeeded + empty->failed, 0);
  EXPECT_EQ(empty->first_finished_ms, 0);
  EXPECT_EQ(empty->last_finished_ms, 0);

  TaskResult early = Succeeded("b", "1.jpg");
  early.finished_ms = 1000;
  TaskResult late = Failed("b", "2.jpg", StatusCode::kInvalidArgument);
  late.finished_ms = 9000;
  Record({early, late, Succeeded("b", "3.jpg"), Failed("b", "4.jpg", StatusCode::kInvalidArgument),
          Failed("b", "5.jpg", StatusCode::kResourceExhausted),
          Failed("b", "6.jpg", StatusCode::kUnavailable, 10), Succeeded("other", "x.jpg")});
  auto counts = store_->CountResults("b");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->succeeded, 2);
  EXPECT_EQ(counts->failed, 4);
  EXPECT_EQ(counts->failed_by_code,
            (std::map<StatusCode, int64_t>{{StatusCode::kInvalidArgument, 2},
                                           {StatusCode::kResourceExhausted, 1},
                                           {StatusCode::kUnavailable, 1}}));
  EXPECT_EQ(counts->first_finished_ms, 1000);
  EXPECT_EQ(counts->last_finished_ms, 9000);
}

TEST_P(ResultStoreContractTest, CountFailedCountsTheBatchsFailuresAsCountResultsDoes) {
  EXPECT_EQ(*store_->CountFailed("b"), 0);
  Record({Succeeded("b", "1.jpg"), Failed("b", "2.jpg", StatusCode::kInvalidArgument),
          Failed("b", "3.jpg", StatusCode::kResourceExhausted),
          Failed("other", "2.jpg", StatusCode::kInvalidArgument), Succeeded("other", "4.jpg")});
  EXPECT_EQ(*store_->CountFailed("b"), 2);
  EXPECT_EQ(*store_->CountFailed("b"), store_->CountResults("b")->failed);
  Record({Succeeded("b", "2.jpg", 2)});  // a success replaces the failure
  EXPECT_EQ(*store_->CountFailed("b"), 1);
  EXPECT_EQ(*store_->CountFailed("other"), 1);
}

TEST_P(ResultStoreContractTest, OutputsAndAnalysisRoundTripExactly) {
  TaskResult row = Succeeded("b", "dir/ü photo.jpg", 2);
  row.outputs.push_back({.name = "small",
                         .key = "small/dir/ü photo.webp",
                         .bytes = (uint64_t{1} << 40),
                         .width = 512,
                         .height = 384,
                         .format = "webp"});
  row.analysis.height = 3000;
  row.analysis.format = "jpeg";
  row.analysis.orientation = 8;
  row.analysis.mean_colour = std::array<double, 3>{12.5, 200.25, 3.0};
  row.analysis.dhash = 0xffffffffffffffffu;
  row.input_bytes = uint64_t{1} << 50;
  row.process_ms = 123456;
  Record({row});
  EXPECT_EQ(Get(row.task_id), row);
  const TaskResult failure = Failed("b", "bad.jpg", StatusCode::kDataLoss);
  Record({failure});
  EXPECT_EQ(Get(failure.task_id), failure);
  EXPECT_EQ(Get("no-such-task"), std::nullopt);
}

TEST_P(ResultStoreContractTest, StoredMeanColourIsRoundedToHundredths) {
  TaskResult row = Succeeded("b", "a.jpg");
  row.analysis.mean_colour = std::array<double, 3>{1.23456, 2.0, 3.999};
  Record({row});
  auto stored = Get(row.task_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->analysis.mean_colour, (std::array<double, 3>{1.23, 2.0, 4.0}));
}

TEST_P(ResultStoreContractTest, ConcurrentWritersAndReaders) {
  constexpr int kThreads = 4;
  constexpr int kRowsPerThread = 100;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kRowsPerThread; i += 10) {
        std::vector<TaskResult> rows;
        for (int j = i; j < i + 10; ++j) {
          rows.push_back(Succeeded("b", "t" + std::to_string(t) + "/" + std::to_string(j)));
        }
        EXPECT_TRUE(store_->RecordResults(rows).ok());
        EXPECT_TRUE(store_->CountResults("b").ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(store_->CountResults("b")->succeeded, kThreads * kRowsPerThread);
}

// --- The publication ledger.

std::vector<Publication> Sorted(std::vector<Publication> ledger) {
  std::sort(ledger.begin(), ledger.end(),
            [](const Publication& a, const Publication& b) { return a.task_id < b.task_id; });
  return ledger;
}

std::vector<Publication> Ledger(ResultStore& store, const std::string& batch_id) {
  Result<std::vector<Publication>> ledger = store.ListPublications(batch_id);
  EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
  return ledger.ok() ? Sorted(*ledger) : std::vector<Publication>{};
}

TEST_P(ResultStoreContractTest, ThePublicationLedgerRecordsAndListsABatchsTasks) {
  EXPECT_TRUE(Ledger(*store_, "b1").empty());
  const std::vector<Publication> first = {{"t1", std::nullopt}, {"t2", std::nullopt}};
  ASSERT_TRUE(store_->RecordPublications("b1", first).ok());
  const std::vector<Publication> other = {{"u1", std::nullopt}};
  ASSERT_TRUE(store_->RecordPublications("b2", other).ok());
  EXPECT_EQ(Ledger(*store_, "b1"), first);
  EXPECT_EQ(Ledger(*store_, "b2"), other);
  EXPECT_TRUE(store_->RecordPublications("b1", {}).ok());
  EXPECT_EQ(Ledger(*store_, "b1"), first) << "an empty call changes nothing";
}

TEST_P(ResultStoreContractTest, RecordingAPublicationAgainReplacesIt) {
  // A failed task published again by --retry-failed: the entry remembers which failure.
  ASSERT_TRUE(
      store_->RecordPublications("b1", {{{"t1", std::nullopt}, {"t2", std::nullopt}}}).ok());
  ASSERT_TRUE(store_->RecordPublications("b1", {{{"t2", 5000}}}).ok());
  EXPECT_EQ(Ledger(*store_, "b1"), (std::vector<Publication>{{"t1", std::nullopt}, {"t2", 5000}}));
  // Within one call, the last entry for a task wins.
  ASSERT_TRUE(
      store_->RecordPublications("b1", {{{"t1", 1}, {"t1", 2}, {"t1", std::nullopt}}}).ok());
  EXPECT_EQ(Ledger(*store_, "b1"), (std::vector<Publication>{{"t1", std::nullopt}, {"t2", 5000}}));
}

TEST_P(ResultStoreContractTest, AnInvalidPublicationRecordsNothing) {
  EXPECT_EQ(store_->RecordPublications("b1", {{{"t1", std::nullopt}, {"", std::nullopt}}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->RecordPublications("", {{{"t1", std::nullopt}}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(Ledger(*store_, "b1").empty());
}

TEST_P(ResultStoreContractTest, TheLedgerHoldsTensOfThousandsOfTasks) {
  // More than one page of PostgreSQL's paged read, written in chunks as `submit` does.
  constexpr int kTasks = 60'000;
  std::vector<Publication> all;
  all.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i) {
    all.push_back({MakeTaskId("big", "img" + std::to_string(i) + ".jpg"), std::nullopt});
  }
  for (size_t i = 0; i < all.size(); i += 10'000) {
    ASSERT_TRUE(store_
                    ->RecordPublications(
                        "big", std::span(all).subspan(i, std::min<size_t>(10'000, all.size() - i)))
                    .ok());
  }
  EXPECT_EQ(Ledger(*store_, "big"), Sorted(all));
}

}  // namespace
}  // namespace pixfleet
