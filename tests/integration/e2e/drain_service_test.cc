// The worker under a scaler against the real RabbitMQ (label needs-service): two busy workers,
// SIGTERMed with --grace-period 1s, hand their unfinished tasks straight back to the work queue
// (measured: SIGTERM to every task ready again, far below the 30 s lease and long before any
// broker-side timeout would act) and exit 0; another worker drains the batch, and every task ends
// with exactly one succeeded row, none failed. The tasks are kept in flight by the test-only hook
// PIXFLEET_FAULT_SLOW_INPUT (wiring/test_fault_hooks.h).
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/e2e/distributed_harness.h"

namespace pixfleet::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kTasks = 4;

class DrainServiceTest : public DistributedTest {
 protected:
  int64_t Ready() {
    auto queue = OpenQueue();
    if (queue == nullptr) return -1;
    auto depth = queue->Depth();
    return depth.ok() ? depth->ready : -1;
  }
};

TEST_F(DrainServiceTest, SigtermedBusyWorkersHandTheirTasksBackAtOnceAndEachEndsWithOneRow) {
  const std::vector<Input> inputs = WriteInputs(source_, kTasks);
  const std::string batch = Submit(inputs.size());
  ASSERT_FALSE(batch.empty());
  // Every fetch of these two waits ten minutes: they stay busy until stopped.
  setenv("PIXFLEET_FAULT_SLOW_INPUT", "img-:600000", 1);  // NOLINT(concurrency-mt-unsafe)
  StartWorker({"--concurrency", "2", "--grace-period", "1s"});
  StartWorker({"--concurrency", "2", "--grace-period", "1s"});
  unsetenv("PIXFLEET_FAULT_SLOW_INPUT");  // NOLINT(concurrency-mt-unsafe)
  const auto busy_by = SteadyClock::now() + seconds(60);
  while (Ready() != 0 && SteadyClock::now() < busy_by)
    std::this_thread::sleep_for(milliseconds(50));
  ASSERT_EQ(Ready(), 0) << "the workers did not take every task";
  std::this_thread::sleep_for(milliseconds(500));  // let each slot get into its fetch

  const auto sigterm_at = SteadyClock::now();
  for (auto& worker : workers_) worker->Signal(SIGTERM);
  int64_t ready = Ready();
  while (ready < kTasks && SteadyClock::now() < sigterm_at + seconds(30)) {
    std::this_thread::sleep_for(milliseconds(10));
    ready = Ready();
  }
  const double redelivered_after_s = SecondsSince(sigterm_at);
  RecordProperty("sigterm_to_redelivery_ms", static_cast<int>(redelivered_after_s * 1000));
  std::cerr << "SIGTERM -> all " << kTasks
            << " tasks ready again on RabbitMQ: " << redelivered_after_s
            << " s (grace period 1 s)\n";
  EXPECT_EQ(ready, kTasks);
  // Without the hand-back the tasks would come back only when the workers' connections closed
  // at their exit (after the drain, which here never ends by itself); the bound is wide.
  EXPECT_LT(redelivered_after_s, 10.0);
  ExpectWorkersExitCleanly(SteadyClock::now() + seconds(30));

  StartWorker();  // --exit-when-idle, at normal speed
  ExpectWorkersExitCleanly(SteadyClock::now() + seconds(120));
  const std::vector<TaskResult> rows = ExpectEveryInputDoneOnce(batch, inputs);
  for (const TaskResult& row : rows) {
    // What the hand-back cost in attempts on RabbitMQ (reported; 1 when it cost none).
    std::cerr << row.input_key << ": attempt " << row.attempts << "\n";
    EXPECT_EQ(row.outcome, TaskOutcome::kSucceeded) << row.input_key;
  }
  ExpectStatusAllDone(batch, inputs.size());
}

}  // namespace
}  // namespace pixfleet::e2e
