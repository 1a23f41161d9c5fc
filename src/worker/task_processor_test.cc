#include "worker/task_processor.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/hash.h"
#include "worker/worker_test_fixture.h"

namespace pixfleet {
namespace {

using TaskProcessorTest = WorkerFixture;

TEST_F(TaskProcessorTest, WritesOutputsThenTheRowThenAcks) {
  const std::string id = AddImage("trips/day1/a.jpg");
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kSucceeded);
  auto row = Row(id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->outcome, TaskOutcome::kSucceeded);
  ASSERT_EQ(row->outputs.size(), 2u);
  EXPECT_EQ(row->outputs[0].key, "trips/day1/a/large.jpg");
  EXPECT_EQ(row->outputs[0].width, 64);
  EXPECT_EQ(row->outputs[0].height, 48);
  EXPECT_EQ(row->outputs[1].key, "trips/day1/a/thumb.webp");
  EXPECT_EQ(row->analysis.width, 120);
  EXPECT_TRUE(row->analysis.dhash.has_value());
  EXPECT_FALSE(row->analysis.mean_colour.has_value());  // not asked for
  EXPECT_EQ(inputs_.Calls(ObjectOperation::kGet), 0);   // read as a file, not into memory
  const auto input = inputs_.Get("trips/day1/a.jpg");
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(row->analysis.sha256, Sha256Hex(*input));
  EXPECT_EQ(row->input_bytes, input->size());
  auto written = outputs_.Head("trips/day1/a/large.jpg");
  ASSERT_TRUE(written.ok() && written->has_value());
  EXPECT_EQ((*written)->size, row->outputs[0].bytes);
  EXPECT_EQ(queue_.Depth()->leased + queue_.Depth()->ready, 0);
}

TEST_F(TaskProcessorTest, RecordsOutcomesStagesErrorsAndBytes) {
  metrics::Registry registry;
  WorkerMetrics metrics(registry);
  TaskProcessor processor(queue_, results_, catalog_, clock_, ProcessorOptions(), &metrics);
  AddImage("a.jpg");
  AddInput("bad.jpg", "not pixels");
  EXPECT_EQ(processor.Handle(LeaseOne()), Disposition::kSucceeded);
  EXPECT_EQ(processor.Handle(LeaseOne()), Disposition::kFailed);
  EXPECT_EQ(metrics.tasks.With({"succeeded"}).Value(), 1);
  EXPECT_EQ(metrics.tasks.With({"failed"}).Value(), 1);
  EXPECT_EQ(metrics.errors.With({"invalid_argument"}).Value(), 1);
  for (const char* stage : {"fetch", "process", "upload", "database"}) {
    EXPECT_GE(metrics.stage_seconds.With({stage}).Count(), 1u) << stage;
  }
  EXPECT_GT(metrics.bytes.With({"in"}).Value(), 0);
  EXPECT_GT(metrics.bytes.With({"out"}).Value(), 0);
  EXPECT_EQ(metrics.in_flight.With().Value(), 0);
  EXPECT_NE(registry.RenderText().find("pixfleet_tasks_total{outcome=\"succeeded\"} 1"),
            std::string::npos);
}

// Counters that appear only at their first increment hide it from rate(): every outcome and
// error class is exported at 0 before any task.
TEST_F(TaskProcessorTest, ExportsEveryOutcomeAndErrorClassAtZeroBeforeAnyTask) {
  metrics::Registry registry;
  WorkerMetrics metrics(registry);
  TaskProcessor processor(queue_, results_, catalog_, clock_, ProcessorOptions(), &metrics);
  const std::string text = registry.RenderText();
  for (const char* outcome :
       {"succeeded", "failed", "retried", "lease_lost", "stalled", "handed_back", "interrupted"}) {
    EXPECT_NE(text.find("pixfleet_tasks_total{outcome=\"" + std::string(outcome) + "\"} 0\n"),
              std::string::npos)
        << outcome << "\n"
        << text;
  }
  for (const char* error_class :
       {"invalid_argument", "not_found", "resource_exhausted", "unavailable", "deadline_exceeded",
        "aborted", "cancelled", "data_loss", "internal", "failed_precondition"}) {
    EXPECT_NE(text.find("pixfleet_errors_total{class=\"" + std::string(error_class) + "\"} 0\n"),
              std::string::npos)
        << error_class << "\n"
        << text;
  }
  EXPECT_EQ(text.find("class=\"ok\""), std::string::npos) << text;
}

TEST_F(TaskProcessorTest, CorruptInputFailsAtOnceWithItsNameAndReason) {
  const std::string id = AddInput("bad/notes.jpg", "these are not pixels");
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kFailed);
  auto row = Row(id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->outcome, TaskOutcome::kFailed);
  EXPECT_EQ(row->error_code, StatusCode::kInvalidArgument);
  EXPECT_NE(row->error_message.find("bad/notes.jpg"), std::string::npos) << row->error_message;
  EXPECT_EQ(row->attempts, 1);
  EXPECT_EQ(queue_.Depth()->dead, 1);
  EXPECT_EQ(outputs_.Calls(ObjectOperation::kPut), 0);
}

TEST_F(TaskProcessorTest, TheInputIsFetchedAsAFileWhoseCopyIsGoneOnceTheTaskSettles) {
  AddImage("a.jpg");
  AddInput("bad.jpg", "not pixels");
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kSucceeded);
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kFailed);
  EXPECT_EQ(inputs_.Calls(ObjectOperation::kFetch), 2);
  EXPECT_EQ(inputs_.Calls(ObjectOperation::kGet), 0);
  std::error_code ec;
  EXPECT_TRUE(std::filesystem::is_empty(input_copies_.path(), ec)) << "a temporary copy was left";
  EXPECT_GT(processor_.counters().bytes_in.load(), 0);
}

TEST_F(TaskProcessorTest, AnInputOverTheByteLimitFailsAtOnceNamingItAndTheLimit) {
  TaskProcessorOptions options = ProcessorOptions();
  options.limits.max_input_bytes = 100;
  TaskProcessor processor(queue_, results_, catalog_, clock_, options);
  const std::string id = AddImage("big/photo.jpg");
  EXPECT_EQ(processor.Handle(LeaseOne()), Disposition::kFailed);
  auto row = Row(id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->error_code, StatusCode::kResourceExhausted);
  EXPECT_THAT(row->error_message, ::testing::StartsWith("big/photo.jpg: "));
  EXPECT_THAT(row->error_message, ::testing::HasSubstr("over the limit of 100 bytes"));
  EXPECT_EQ(outputs_.Calls(ObjectOperation::kPut), 0);
  std::error_code ec;
  EXPECT_TRUE(std::filesystem::is_empty(input_copies_.path(), ec));
}

TEST_F(TaskProcessorTest, TransientStorageErrorIsRetriedAfterABackoff) {
  const std::string id = AddImage("a.jpg");
  outputs_.FailNext(ObjectOperation::kPut, 1, Unavailable("disk busy"));
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kRetried);
  EXPECT_FALSE(Row(id).has_value());
  EXPECT_EQ(queue_.Depth()->delayed, 1);
  EXPECT_FALSE(queue_.LeaseNext(std::chrono::milliseconds(0))->has_value());
  clock_.Advance(std::chrono::seconds(2));  // past the first backoff's cap
  Lease second = LeaseOne();
  EXPECT_EQ(second.attempt, 2);
  EXPECT_EQ(processor_.Handle(second), Disposition::kSucceeded);
  EXPECT_EQ(Row(id)->attempts, 2);
}

TEST_F(TaskProcessorTest, GivesUpOnTransientErrorsAfterMaxAttempts) {
  const std::string id = AddImage("a.jpg");
  outputs_.FailAll(Unavailable("bucket unreachable"));
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kRetried);
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kRetried);
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kFailed);
  auto row = Row(id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->error_code, StatusCode::kUnavailable);
  EXPECT_NE(row->error_message.find("gave up after 3 attempts"), std::string::npos);
  EXPECT_EQ(processor_.counters().retried.load(), 2);
}

TEST_F(TaskProcessorTest, RedeliveryOfAFinishedTaskChangesNothing) {
  const std::string id = AddImage("a.jpg");
  ASSERT_EQ(processor_.Handle(LeaseOne()), Disposition::kSucceeded);
  const TaskResult first = *Row(id);
  clock_.Advance(std::chrono::seconds(5));
  // The same task delivered again (as after a crash between the row and the ack).
  const TaskSpec again{id, kBatchId, "a.jpg"};
  ASSERT_TRUE(queue_.Publish({&again, 1}).ok());
  ASSERT_EQ(processor_.Handle(LeaseOne()), Disposition::kSucceeded);
  EXPECT_EQ(*Row(id), first);
  auto listed = results_.ListResults(kBatchId, std::nullopt);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);
}

TEST_F(TaskProcessorTest, MissingInputAndMissingBatchArePermanent) {
  const TaskSpec gone{MakeTaskId(kBatchId, "gone.jpg"), kBatchId, "gone.jpg"};
  const TaskSpec orphan{"t-orphan", "no-such-batch", "x.jpg"};
  ASSERT_TRUE(queue_.Publish({&gone, 1}).ok());
  ASSERT_TRUE(queue_.Publish({&orphan, 1}).ok());
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kFailed);
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kFailed);
  EXPECT_EQ(Row(gone.task_id)->error_code, StatusCode::kNotFound);
  EXPECT_NE(Row(gone.task_id)->error_message.find("gone.jpg"), std::string::npos);
  EXPECT_EQ(Row("t-orphan")->error_code, StatusCode::kNotFound);
}

TEST_F(TaskProcessorTest, ATaskThatKeepsKillingItsWorkerFailsInsteadOfLooping) {
  const std::string id = AddImage("poison.jpg");
  // Three deliveries whose workers died (leases lapsed without any settle call).
  for (int i = 0; i < 3; ++i) {
    (void)LeaseOne();
    clock_.Advance(std::chrono::seconds(31));
  }
  Lease fourth = LeaseOne();
  EXPECT_EQ(fourth.attempt, 4);
  EXPECT_EQ(processor_.Handle(fourth), Disposition::kFailed);
  auto row = Row(id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->error_code, StatusCode::kInternal);
  EXPECT_NE(row->error_message.find("delivered 4 times"), std::string::npos);
  EXPECT_EQ(inputs_.Calls(ObjectOperation::kFetch), 0);  // not even fetched again
}

// The environment refusing (kFailedPrecondition) at any step hands the task back: no row, no
// dead letter, deliverable again at once; refusal() names the reason.
class TaskProcessorRefusalTest : public WorkerFixture {
 protected:
  void ExpectHandedBack(TaskProcessor& processor, const std::string& id, const Status& refusal) {
    EXPECT_EQ(processor.Handle(LeaseOne()), Disposition::kHandedBack);
    EXPECT_FALSE(Row(id).has_value());
    const QueueDepth depth = *queue_.Depth();
    EXPECT_EQ(depth.ready, 1);
    EXPECT_EQ(depth.leased + depth.delayed + depth.dead, 0);
    EXPECT_EQ(processor.Refusal(), refusal);
    EXPECT_EQ(processor.counters().handed_back.load(), 1);
    EXPECT_EQ(processor.counters().failed.load(), 0);
    // Released, not retried: the next delivery is attempt 1 again, so refusals never add up to
    // the crash guard's "delivered N times".
    EXPECT_EQ(LeaseOne().attempt, 1);
  }
  static inline const Status kDiskFull =
      FailedPrecondition("cannot write outputs to /photos/out: No space left on device");
  static inline const Status kResultsFull =
      FailedPrecondition("results.db: database or disk is full");
};

TEST_F(TaskProcessorRefusalTest, WhenOpeningTheBatchsOutputs) {
  const std::string id = AddImage("a.jpg");
  output_store_error_ = kDiskFull;
  ExpectHandedBack(processor_, id, kDiskFull);
}

TEST_F(TaskProcessorRefusalTest, WhenFetchingTheInput) {
  const std::string id = AddImage("a.jpg");
  const Status refused = FailedPrecondition("s3: AccessDenied on bucket photos");
  inputs_.FailAll(refused);
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kHandedBack);
  EXPECT_FALSE(Row(id).has_value());
  EXPECT_EQ(processor_.Refusal().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(processor_.Refusal().message().find("AccessDenied"), std::string::npos);
  EXPECT_EQ(queue_.Depth()->ready, 1);
}

TEST_F(TaskProcessorRefusalTest, WhenTheMachineHasNoRoomForTheInputsCopy) {
  const std::string id = AddImage("a.jpg");
  std::filesystem::remove_all(input_copies_.path());  // $TMPDIR gone
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kHandedBack);
  EXPECT_FALSE(Row(id).has_value());
  EXPECT_EQ(processor_.Refusal().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(processor_.Refusal().message(), ::testing::StartsWith("a.jpg: "));
  EXPECT_THAT(processor_.Refusal().message(), ::testing::HasSubstr("$TMPDIR"));
  EXPECT_EQ(queue_.Depth()->ready, 1);
}

TEST_F(TaskProcessorRefusalTest, WhenWritingAnOutput) {
  const std::string id = AddImage("a.jpg");
  outputs_.FailNext(ObjectOperation::kPut, 1, kDiskFull);
  EXPECT_EQ(processor_.Handle(LeaseOne()), Disposition::kHandedBack);
  EXPECT_FALSE(Row(id).has_value());
  EXPECT_EQ(processor_.Refusal().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(processor_.Refusal().message().find("No space left on device"), std::string::npos);
  EXPECT_EQ(queue_.Depth()->ready, 1);
  // Handed back at once, not after a backoff: the next lease is the same task.
  Lease again = LeaseOne();
  EXPECT_EQ(again.task.task_id, id);
}

TEST_F(TaskProcessorRefusalTest, WhenRecordingTheResult) {
  const std::string id = AddImage("a.jpg");
  ScriptedResultStore results(results_);
  results.SetRecordError(kResultsFull);
  TaskProcessor processor(queue_, results, catalog_, clock_, ProcessorOptions());
  ExpectHandedBack(processor, id, kResultsFull.WithContext("recording the result"));
}

TEST_F(TaskProcessorRefusalTest, WhenRecordingTheFailureOfABrokenInput) {
  const std::string id = AddInput("broken.jpg", "not pixels");
  ScriptedResultStore results(results_);
  results.SetRecordError(kResultsFull);
  TaskProcessor processor(queue_, results, catalog_, clock_, ProcessorOptions());
  ExpectHandedBack(processor, id, kResultsFull.WithContext("recording a failure"));
}

TEST_F(TaskProcessorRefusalTest, WhenAcking) {
  const std::string id = AddImage("a.jpg");
  ScriptedQueue queue(queue_);
  const Status full = FailedPrecondition("queue.db: database or disk is full");
  queue.SetAckError(full);
  TaskProcessor processor(queue, results_, catalog_, clock_, ProcessorOptions());
  auto lease = queue.LeaseNext(std::chrono::milliseconds(0));
  ASSERT_TRUE(lease.ok() && lease->has_value());
  EXPECT_EQ(processor.Handle(**lease), Disposition::kHandedBack);
  EXPECT_EQ(processor.Refusal(), full);
  // The row was committed before the ack: the task runs again, with no new effect.
  EXPECT_TRUE(Row(id).has_value());
  EXPECT_EQ(queue_.Depth()->ready, 1);
}

}  // namespace
}  // namespace pixfleet
