#include "submit/batch_submission.h"

#include <atomic>
#include <memory>

#include <gtest/gtest.h>

#include "queue/memory/in_memory_task_queue.h"
#include "results/memory/in_memory_result_store.h"
#include "storage/memory/in_memory_object_store.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

// A queue that keeps every copy it is given, as a broker does: Publish appends, whatever is
// already queued. Only the port, none of the capabilities. Delivers nothing (these tests do not
// lease); counts the messages it holds.
// SubmitBatch parses the recipe (to check the output keys): a valid one without outputs.
constexpr const char* kRecipe = "name: r\nanalyses: [width]\n";

class BrokerLikeQueue final : public TaskQueue {
 public:
  Status Publish(std::span<const TaskSpec> tasks) override {
    for (const TaskSpec& task : tasks) {
      if (task.task_id.empty()) return InvalidArgument("task without an id");
    }
    messages_ += static_cast<int64_t>(tasks.size());
    return Status::Ok();
  }
  Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds) override {
    return std::optional<Lease>();
  }
  Status Heartbeat(Lease&) override { return Aborted("no leases here"); }
  Status Ack(const Lease&) override { return Aborted("no leases here"); }
  Status Retry(const Lease&, std::chrono::milliseconds, std::string_view) override {
    return Aborted("no leases here");
  }
  Status Release(const Lease&, std::string_view) override { return Aborted("no leases here"); }
  Status DeadLetter(const Lease&, std::string_view) override { return Aborted("no leases here"); }
  Result<QueueDepth> Depth() override { return QueueDepth{messages_.load(), 0, 0, 0}; }

  int64_t Messages() const { return messages_.load(); }
  void Purge() { messages_ = 0; }

 private:
  std::atomic<int64_t> messages_{0};
};

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

  SubmitReport Submit(const TaskQueueHandle& queue) {
    auto report = SubmitBatch(request_, source_, queue, results_, clock_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : SubmitReport{};
  }
  SubmitReport SubmitToBroker() { return Submit(broker_handle_); }

  std::string TaskIdOf(const std::string& key) {
    return MakeTaskId(MakeBatchId(request_.source_url, request_.recipe_yaml, request_.output_url),
                      key);
  }

  void Record(const std::string& key, TaskOutcome outcome, int64_t finished_ms = 1000) {
    TaskResult row;
    row.batch_id = MakeBatchId(request_.source_url, request_.recipe_yaml, request_.output_url);
    row.task_id = TaskIdOf(key);
    row.input_key = key;
    row.outcome = outcome;
    row.finished_ms = finished_ms;
    if (outcome == TaskOutcome::kFailed) row.error_code = StatusCode::kInvalidArgument;
    ASSERT_TRUE(results_.RecordResults({&row, 1}).ok());
  }

  FakeClock clock_;
  InMemoryObjectStore source_;
  InMemoryResultStore results_{clock_};
  TaskQueueHandle broker_handle_ = TaskQueueHandle::Of(std::make_unique<BrokerLikeQueue>());
  BrokerLikeQueue& broker_ = dynamic_cast<BrokerLikeQueue&>(*broker_handle_);
  SubmitRequest request_;
};

TEST_F(BatchSubmissionTest, CreatesTheBatchAndPublishesOneTaskPerImage) {
  const SubmitReport report = SubmitToBroker();
  EXPECT_EQ(report.inputs, 3);
  EXPECT_EQ(report.published, 3);
  EXPECT_EQ(report.finished, 0);
  EXPECT_EQ(report.queued, 0);
  auto batch = results_.GetBatch(report.batch.id);
  ASSERT_TRUE(batch.ok() && batch->has_value());
  EXPECT_EQ((*batch)->task_count, 3);
  EXPECT_EQ((*batch)->recipe_yaml, kRecipe);
  EXPECT_EQ(broker_.Messages(), 3);
  EXPECT_EQ(results_.ListPublications(report.batch.id)->size(), 3u) << "every task recorded";
}

// The reproduction of issue 7 item 8 in memory: a broker keeps every copy, so a second submission
// before the workers finish must publish nothing.
TEST_F(BatchSubmissionTest, ResubmittingPublishesNothingThatIsStillQueued) {
  SubmitToBroker();
  const SubmitReport again = SubmitToBroker();
  EXPECT_EQ(again.published, 0);
  EXPECT_EQ(again.queued, 3);
  EXPECT_EQ(again.finished, 0);
  EXPECT_EQ(broker_.Messages(), 3) << "every image would be processed twice";
}

TEST_F(BatchSubmissionTest, FinishedTasksAreSkippedAndAFailedOneRetriedOncePerFailure) {
  SubmitToBroker();
  Record("a.jpg", TaskOutcome::kSucceeded);
  Record("b.png", TaskOutcome::kFailed, /*finished_ms=*/1000);
  SubmitReport report = SubmitToBroker();
  EXPECT_EQ(report.finished, 2);
  EXPECT_EQ(report.queued, 1);
  EXPECT_EQ(report.published, 0);

  request_.retry_failed = true;
  report = SubmitToBroker();
  EXPECT_EQ(report.finished, 1);
  EXPECT_EQ(report.queued, 1);
  EXPECT_EQ(report.published, 1) << "the failed one is tried again";
  report = SubmitToBroker();
  EXPECT_EQ(report.published, 0) << "its retry is still queued: not a second copy";
  EXPECT_EQ(report.queued, 2);
  EXPECT_EQ(broker_.Messages(), 4);

  Record("b.png", TaskOutcome::kFailed, /*finished_ms=*/2000);  // the retry failed too
  report = SubmitToBroker();
  EXPECT_EQ(report.published, 1) << "a new failure may be retried again";
  EXPECT_EQ(broker_.Messages(), 5);
}

TEST_F(BatchSubmissionTest, RequeueUnfinishedRefillsAPurgedQueue) {
  SubmitToBroker();
  Record("a.jpg", TaskOutcome::kSucceeded);
  broker_.Purge();  // an operator purged the queue: the ledger no longer says what it holds
  EXPECT_EQ(SubmitToBroker().published, 0);
  request_.requeue_unfinished = true;
  const SubmitReport report = SubmitToBroker();
  EXPECT_EQ(report.published, 2);
  EXPECT_EQ(report.finished, 1) << "finished work is never requeued";
  EXPECT_EQ(broker_.Messages(), 2);
}

// A submitter that crashed after the broker confirmed a chunk and before recording it left the
// tasks queued but not in the ledger: the next submission publishes them again (harmless: one
// effect per task id), it never skips them.
TEST_F(BatchSubmissionTest, TasksPublishedButNotRecordedArePublishedAgainNotLost) {
  const std::string batch_id =
      MakeBatchId(request_.source_url, request_.recipe_yaml, request_.output_url);
  ASSERT_TRUE(broker_.Publish(MakeTasks(batch_id, {"a.jpg", "b.png", "sub/c.webp"})).ok());
  const SubmitReport report = SubmitToBroker();
  EXPECT_EQ(report.published, 3);
  EXPECT_EQ(report.queued, 0);
}

// `pixfleet run`'s SQLite queue keeps one copy per task id by itself: every unfinished task goes
// to it on every run, which also refills a queue file that was lost.
TEST_F(BatchSubmissionTest, ADeduplicatingQueueIsGivenEveryUnfinishedTask) {
  TaskQueueHandle queue = TaskQueueHandle::Of(std::make_unique<InMemoryTaskQueue>(clock_));
  EXPECT_EQ(Submit(queue).published, 3);
  Record("a.jpg", TaskOutcome::kSucceeded);
  const SubmitReport again = Submit(queue);
  EXPECT_EQ(again.published, 2);
  EXPECT_EQ(again.queued, 0);
  EXPECT_EQ(queue->Depth()->ready, 3) << "the queue de-duplicated; nothing was acked here";

  TaskQueueHandle lost = TaskQueueHandle::Of(std::make_unique<InMemoryTaskQueue>(clock_));
  EXPECT_EQ(Submit(lost).published, 2);
  EXPECT_EQ(lost->Depth()->ready, 2);
}

// The ledger is written in groups of chunks while later chunks are published: every task of a
// batch of many chunks, the last partial group included, ends up recorded.
TEST_F(BatchSubmissionTest, EveryChunkOfALargeBatchIsRecorded) {
  for (int i = 0; i < 23'456; ++i) {
    ASSERT_TRUE(source_.Put("many/" + std::to_string(i) + ".jpg", "x", "image/jpeg").ok());
  }
  const SubmitReport report = SubmitToBroker();
  EXPECT_EQ(report.published, 23'459);
  EXPECT_EQ(broker_.Messages(), 23'459);
  EXPECT_EQ(results_.ListPublications(report.batch.id)->size(), 23'459u);
  EXPECT_EQ(SubmitToBroker().published, 0);
}

TEST_F(BatchSubmissionTest, CollidingOutputKeysAreRefusedBeforeAnyWork) {
  ASSERT_TRUE(source_.Put("sub/a.jpg", "bytes", "image/jpeg").ok());
  request_.recipe_yaml =
      "name: flat\noutputs:\n  - name: thumb\n    format: jpeg\n    key: \"{stem}.{ext}\"\n";
  const auto report = SubmitBatch(request_, source_, broker_handle_, results_, clock_);
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
  EXPECT_EQ(broker_.Messages(), 0);
}

TEST_F(BatchSubmissionTest, AChangedRecipeIsANewBatch) {
  const SubmitReport first = SubmitToBroker();
  request_.recipe_yaml = "name: r2\nanalyses: [width]\n";
  const SubmitReport second = SubmitToBroker();
  EXPECT_NE(first.batch.id, second.batch.id);
  EXPECT_EQ(second.published, 3);
}

}  // namespace
}  // namespace pixfleet
