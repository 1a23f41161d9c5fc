#include "submit/batch_submission.h"

#include <gtest/gtest.h>

#include "queue/memory/in_memory_task_queue.h"
#include "results/memory/in_memory_result_store.h"
#include "storage/memory/in_memory_object_store.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

constexpr const char* kRecipe = "name: r\nanalyses: [width]\n";

class BatchSubmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* key : {"a.jpg", "b.png", "notes.txt", "out/x/large.jpg", "sub/c.webp"}) {
      ASSERT_TRUE(source_.Put(key, "bytes", "application/octet-stream").ok());
    }
    request_.source_url = "mem://in";
    request_.output_url = "mem://in/out";
    request_.recipe_yaml = kRecipe;
    request_.exclude_prefix = "out/";
  }

  SubmitReport Submit() {
    auto report = SubmitBatch(request_, source_, queue_, results_, clock_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : SubmitReport{};
  }

  void Record(const std::string& key, TaskOutcome outcome) {
    TaskResult row;
    row.batch_id = MakeBatchId(request_.source_url, request_.recipe_yaml, request_.output_url);
    row.task_id = MakeTaskId(row.batch_id, key);
    row.input_key = key;
    row.outcome = outcome;
    if (outcome == TaskOutcome::kFailed) row.error_code = StatusCode::kInvalidArgument;
    ASSERT_TRUE(results_.RecordResults({&row, 1}).ok());
  }

  FakeClock clock_;
  InMemoryObjectStore source_;
  InMemoryTaskQueue queue_{clock_};
  InMemoryResultStore results_{clock_};
  SubmitRequest request_;
};

TEST_F(BatchSubmissionTest, CreatesTheBatchAndPublishesOneTaskPerImage) {
  const SubmitReport report = Submit();
  EXPECT_EQ(report.inputs, 3);
  EXPECT_EQ(report.published, 3);
  EXPECT_EQ(report.finished, 0);
  auto batch = results_.GetBatch(report.batch.id);
  ASSERT_TRUE(batch.ok() && batch->has_value());
  EXPECT_EQ((*batch)->task_count, 3);
  EXPECT_EQ((*batch)->recipe_yaml, kRecipe);
  EXPECT_EQ(queue_.Depth()->ready, 3);
}

TEST_F(BatchSubmissionTest, ResubmittingDuplicatesNothingAndSkipsFinishedWork) {
  const SubmitReport first = Submit();
  const SubmitReport again = Submit();
  EXPECT_EQ(again.batch.id, first.batch.id);
  EXPECT_EQ(queue_.Depth()->ready, 3);  // same task ids: no duplicates

  Record("a.jpg", TaskOutcome::kSucceeded);
  Record("b.png", TaskOutcome::kFailed);
  InMemoryTaskQueue fresh(clock_);
  auto report = SubmitBatch(request_, source_, fresh, results_, clock_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->finished, 2);
  EXPECT_EQ(report->published, 1);
  request_.retry_failed = true;
  InMemoryTaskQueue retry(clock_);
  report = SubmitBatch(request_, source_, retry, results_, clock_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->published, 2);  // the failed one is tried again
}

TEST_F(BatchSubmissionTest, CollidingOutputKeysAreRefusedBeforeAnyWork) {
  ASSERT_TRUE(source_.Put("sub/a.jpg", "bytes", "image/jpeg").ok());
  request_.recipe_yaml =
      "name: flat\noutputs:\n  - name: thumb\n    format: jpeg\n    key: \"{stem}.{ext}\"\n";
  const auto report = SubmitBatch(request_, source_, queue_, results_, clock_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.error().message().find(
                "\"a.jpg\" from a.jpg (output thumb) and sub/a.jpg (output thumb)"),
            std::string::npos)
      << report.error().message();
  const std::string batch_id =
      MakeBatchId(request_.source_url, request_.recipe_yaml, request_.output_url);
  auto batch = results_.GetBatch(batch_id);
  ASSERT_TRUE(batch.ok());
  EXPECT_FALSE(batch->has_value());
  EXPECT_EQ(queue_.Depth()->ready, 0);
}

TEST_F(BatchSubmissionTest, AChangedRecipeIsANewBatch) {
  const SubmitReport first = Submit();
  request_.recipe_yaml = "name: r2\nanalyses: [width]\n";
  const SubmitReport second = Submit();
  EXPECT_NE(first.batch.id, second.batch.id);
}

}  // namespace
}  // namespace pixfleet
