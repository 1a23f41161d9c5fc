#include "submit/batch_submission.h"

#include <gtest/gtest.h>

#include "queue/memory/in_memory_task_queue.h"
#include "results/memory/in_memory_result_store.h"
#include "storage/memory/in_memory_object_store.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

class BatchSubmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* key : {"a.jpg", "b.png", "notes.txt", "out/x/large.jpg", "sub/c.webp"}) {
      ASSERT_TRUE(source_.Put(key, "bytes", "application/octet-stream").ok());
    }
    request_.source_url = "mem://in";
    request_.output_url = "mem://in/out";
    request_.recipe_yaml = "name: r\n";
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
  EXPECT_EQ((*batch)->recipe_yaml, "name: r\n");
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

TEST_F(BatchSubmissionTest, AChangedRecipeIsANewBatch) {
  const SubmitReport first = Submit();
  request_.recipe_yaml = "name: r2\n";
  const SubmitReport second = Submit();
  EXPECT_NE(first.batch.id, second.batch.id);
}

}  // namespace
}  // namespace pixfleet
