// Re-running `pixfleet submit` before the workers have finished (issue 7, item 8), against
// RabbitMQ and PostgreSQL (harness: distributed_harness.h). A broker keeps every message it is
// given, so the second submit must publish nothing that is still queued: the queue then holds one
// message per input, not two, and each image is processed once, which the workers' own counts
// show (a duplicate would leave the rows right and double the work). --requeue-unfinished is
// the way back for a queue that lost its messages.
#include <chrono>
#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "queue/rabbitmq/rabbitmq_task_queue.h"
#include "tests/integration/e2e/distributed_harness.h"

namespace pixfleet::e2e {
namespace {

using std::chrono::seconds;

class ResubmitTest : public DistributedTest {
 protected:
  ProcessOutcome SubmitAgain(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"submit",   source_.string(), "--recipe", Std3(),  "--queue",
                                     queue_url_, "--db",           db_url_,    "--out", out_url_};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessOutcome outcome = RunPixfleet(args, scratch_.string());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    return outcome;
  }

  int64_t ReadyMessages() {
    auto queue = OpenQueue();
    if (queue == nullptr) return -1;
    Result<QueueDepth> depth = queue->Depth();
    EXPECT_TRUE(depth.ok()) << depth.status().ToString();
    return depth.ok() ? depth->ready : -1;
  }

  // Runs two workers until the queue is drained and returns how many tasks they processed to
  // success between them, from each worker's last line ("worker exiting: N succeeded, ...").
  int64_t RunWorkersAndCountSuccesses() {
    StartWorker();
    StartWorker();
    const auto deadline = SteadyClock::now() + seconds(180);
    int64_t succeeded = 0;
    const std::regex exiting("worker exiting: ([0-9]+) succeeded");
    for (auto& worker : workers_) {
      const auto left = std::chrono::duration_cast<seconds>(deadline - SteadyClock::now());
      const ProcessOutcome outcome = worker->Wait(std::max(left, seconds(1)));
      EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
      std::smatch match;
      const std::string log = outcome.out + outcome.err;
      if (std::regex_search(log, match, exiting)) {
        succeeded += std::stoll(match[1]);
      } else {
        ADD_FAILURE() << "no exit line in the worker's log:\n" << log;
      }
    }
    workers_.clear();
    return succeeded;
  }
};

TEST_F(ResubmitTest, SubmittingTwiceBeforeTheWorkersRunQueuesAndProcessesEachImageOnce) {
  const std::vector<Input> inputs = WriteTinyInputs(source_, 37);
  const std::string batch = Submit(inputs.size());
  ASSERT_FALSE(batch.empty());

  const ProcessOutcome again = SubmitAgain();
  EXPECT_NE(again.out.find("37 inputs, 0 already finished, 0 tasks published"), std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find("37 published earlier and not finished"), std::string::npos)
      << again.out;
  EXPECT_EQ(ReadyMessages(), 37) << "the second submit queued the batch again";

  EXPECT_EQ(RunWorkersAndCountSuccesses(), 37) << "an image was processed more than once";
  ExpectEveryInputDoneOnce(batch, inputs);
  EXPECT_EQ(ReadyMessages(), 0);
}

TEST_F(ResubmitTest, RequeueUnfinishedRefillsAQueueThatLostItsMessages) {
  const std::vector<Input> inputs = WriteTinyInputs(source_, 12);
  const std::string batch = Submit(inputs.size());
  ASSERT_FALSE(batch.empty());
  {
    auto queue = OpenQueue();
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->DeleteQueues().ok());  // an operator deleted the queue, messages and all
  }
  EXPECT_NE(SubmitAgain().out.find("12 inputs, 0 already finished, 0 tasks published"),
            std::string::npos)
      << "without the flag, the ledger says they are queued";
  const ProcessOutcome requeued = SubmitAgain({"--requeue-unfinished"});
  EXPECT_NE(requeued.out.find("12 inputs, 0 already finished, 12 tasks published"),
            std::string::npos)
      << requeued.out;
  EXPECT_EQ(ReadyMessages(), 12);

  EXPECT_EQ(RunWorkersAndCountSuccesses(), 12);
  ExpectEveryInputDoneOnce(batch, inputs);
}

}  // namespace
}  // namespace pixfleet::e2e
