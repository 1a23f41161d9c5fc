// Fault tests of distributed mode (harness: distributed_harness.h). Each runs a batch on real
// `pixfleet worker` processes against the real services, injects one fault mid-batch, and ends
// with every task having exactly one result row in PostgreSQL and all its outputs in S3, no task
// lost, and `pixfleet status` agreeing:
//   - RabbitMQ restarted (PIXFLEET_TEST_RABBITMQ_RESTART_CMD);
//   - PostgreSQL restarted behind pgbouncer (PIXFLEET_TEST_POSTGRES_RESTART_CMD);
//   - pgbouncer restarted (PIXFLEET_TEST_PGBOUNCER_RESTART_CMD);
//   - the S3 server stopped for 10 s (PIXFLEET_TEST_S3_STOP_CMD, then PIXFLEET_TEST_S3_START_CMD);
//   - a poison message: an input on which the worker process crashes (SIGABRT, through the
//     test-only hook PIXFLEET_FAULT_CRASH_ON_INPUT of src/wiring/test_fault_hooks.h) every time
//     ends in the dead-letter queue, once by the worker's crash guard (--max-attempts) and once
//     by the broker's delivery limit, while the rest of the batch succeeds.
// The restart commands come from build/services/env.sh; a test skips when its command is unset.
// Timings (outage, time until results flow again, total) are printed as "[ info ]" lines.
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "queue/rabbitmq/rabbitmq_task_queue.h"
#include "tests/integration/e2e/distributed_harness.h"
#include "wiring/test_fault_hooks.h"

namespace pixfleet::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class DistributedFaultTest : public DistributedTest {
 protected:
  // Submits `count` inputs, starts `workers` workers with `flags` (plus --exit-when-idle), and
  // once a tenth of the results are in runs `fault` (which returns when the fault is over).
  // Then lets the batch drain and checks that every task was done once. Returns the rows.
  std::vector<TaskResult> RunBatchThroughFault(const std::string& what, int count, int workers,
                                               const std::vector<std::string>& flags,
                                               const std::function<void()>& fault) {
    const std::vector<Input> inputs = WriteInputs(source_, count);
    EXPECT_EQ(inputs.size(), static_cast<size_t>(count));
    const std::string batch = Submit(inputs.size());
    if (batch.empty() || inputs.empty()) return {};

    const auto started = SteadyClock::now();
    const auto deadline = started + seconds(150);
    std::vector<std::string> worker_flags = flags;
    worker_flags.emplace_back("--exit-when-idle");
    for (int i = 0; i < workers; ++i) StartWorker(worker_flags);
    const int64_t trigger = std::max(1, count / 10);
    while (FinishedRows(batch) < trigger && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_LT(SteadyClock::now(), deadline) << "not " << trigger << " results within 150 s";
    const int64_t rows_before = FinishedRows(batch);
    const auto fault_started = SteadyClock::now();
    fault();
    const double fault_s = SecondsSince(fault_started);
    const auto fault_over = SteadyClock::now();
    const int64_t rows_after = FinishedRows(batch);
    // The fault must have hit a batch in progress, or the test proves nothing.
    EXPECT_LT(rows_before, count) << "the batch was over before the fault";
    // Recovery: until the first result recorded after the fault was over.
    while (FinishedRows(batch) == rows_after && rows_after < count &&
           SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    const double recovery_s = SecondsSince(fault_over);
    ExpectWorkersExitCleanly(deadline);
    std::vector<TaskResult> rows = ExpectEveryInputDoneOnce(batch, inputs);
    const auto redone = std::count_if(rows.begin(), rows.end(),
                                      [](const TaskResult& row) { return row.attempts > 1; });
    std::cout << "[ info ] " << what << ": " << rows_before << "/" << count
              << " rows when it began, " << rows_after << " when it was over after " << fault_s
              << " s; next result " << recovery_s << " s later; batch done in "
              << SecondsSince(started) << " s; " << redone
              << " rows needed more than one attempt\n";
    ExpectStatusAllDone(batch, inputs.size());
    return rows;
  }

  // Restarts a service with the command in `env_name` (skips the test when it is unset).
  // A task whose result cannot be recorded is retried through the queue, each time after at
  // least 1 s (the smallest retry delay): the default 5 attempts cover an outage of only ~4 s,
  // which a restart on a loaded machine could exceed; 20 cover 19 s at least, so every task
  // must end succeeded.
  void RestartMidBatch(const char* env_name, const std::string& what, int count, int workers) {
    const std::string command = Env(env_name);
    if (command.empty()) GTEST_SKIP() << env_name << " is not set: `. build/services/env.sh`";
    RunBatchThroughFault(what, count, workers, {"--max-attempts", "20"},
                         [&] { RunShellCommand(command, scratch_.string()); });
  }
};

TEST_F(DistributedFaultTest, RabbitMqRestartedMidBatch) {
  // A restart takes ~13 s here. Leases on the dropped connections are lost (the broker requeues
  // them; a worker's Ack then fails as kAborted and the task runs again, writing the same keys
  // and row) and the workers reconnect with backoff.
  RestartMidBatch("PIXFLEET_TEST_RABBITMQ_RESTART_CMD", "RabbitMQ restart", 120, 3);
}

TEST_F(DistributedFaultTest, PostgresRestartedMidBatch) {
  // Behind pgbouncer: the server connections it pooled die; the workers' statements fail as
  // kUnavailable and their tasks are retried after a delay.
  RestartMidBatch("PIXFLEET_TEST_POSTGRES_RESTART_CMD", "PostgreSQL restart", 100, 3);
}

TEST_F(DistributedFaultTest, PgbouncerRestartedMidBatch) {
  // Every worker's connection drops at once and is replaced on its next call.
  RestartMidBatch("PIXFLEET_TEST_PGBOUNCER_RESTART_CMD", "pgbouncer restart", 100, 3);
}

TEST_F(DistributedFaultTest, S3UnreachableForTenSeconds) {
  const std::string stop = Env("PIXFLEET_TEST_S3_STOP_CMD");
  const std::string start = Env("PIXFLEET_TEST_S3_START_CMD");
  if (stop.empty() || start.empty()) {
    GTEST_SKIP() << "PIXFLEET_TEST_S3_STOP_CMD or _START_CMD is not set: `. build/services/env.sh`";
  }
  // A Put that fails is retried by RetryingObjectStore (5 tries, at most 7.5 s of backoff), then
  // the task is retried through the queue, each time after at least 1 s (the smallest retry
  // delay). With the default 5 attempts an unlucky draw of the jitter could give up within the
  // outage; 20 attempts wait at least 19 s in the queue alone, more than the 10 s outage, so
  // every task must end succeeded.
  const std::vector<TaskResult> rows =
      RunBatchThroughFault("S3 outage", 100, 3, {"--max-attempts", "20"}, [&] {
        RunShellCommand(stop, scratch_.string());
        std::this_thread::sleep_for(seconds(10));  // the outage itself, not a wait for a result
        RunShellCommand(start, scratch_.string());
      });
  // Workers were uploading when S3 went away: some tasks had to be retried through the queue.
  EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                          [](const TaskResult& row) { return row.attempts > 1; }));
}

// A poison input: the worker process aborts every time it reads it.
class PoisonMessageTest : public DistributedTest {
 protected:
  void SetUp() override {
    DistributedTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    inputs_ = WriteInputs(source_, kInputs);
    ASSERT_EQ(inputs_.size(), static_cast<size_t>(kInputs));
    poison_ = inputs_[7].key;  // set-b/img-1007.jpg; the "." keeps img-10070 out
    // NOLINTNEXTLINE(concurrency-mt-unsafe): no other thread runs; the workers inherit it
    ASSERT_EQ(setenv(kCrashOnInputEnv, "img-1007.", 1), 0);
  }

  void TearDown() override {
    unsetenv(kCrashOnInputEnv);  // NOLINT(concurrency-mt-unsafe)
    DistributedTest::TearDown();
  }

  // Runs the batch on two workers with `max_attempts`, replacing each worker that crashes at
  // once, until the workers left have exited idle, every other input has its row and the poison
  // has reached the dead-letter queue. Returns the crashes.
  int RunUntilDrained(const std::string& batch, int max_attempts) {
    const std::vector<std::string> flags = {"--exit-when-idle", "--max-attempts",
                                            std::to_string(max_attempts)};
    auto queue = OpenQueue();
    if (queue == nullptr) return -1;
    const auto started = SteadyClock::now();
    const auto deadline = started + seconds(120);
    StartWorker(flags);
    StartWorker(flags);
    int crashes = 0;
    while (SteadyClock::now() < deadline) {
      int replacements = 0;
      for (auto it = workers_.begin(); it != workers_.end();) {
        if (!HasExited((*it)->Pid())) {
          ++it;
          continue;
        }
        const ProcessOutcome outcome = (*it)->Wait(seconds(5));
        it = workers_.erase(it);
        if (outcome.exit_code == 128 + SIGABRT) {
          ++crashes;
          ++replacements;
        } else {
          EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
        }
      }
      for (int i = 0; i < replacements; ++i) StartWorker(flags);
      if (workers_.empty()) {
        // All exited idle. Done if the poison is dead and the rest recorded; otherwise (the last
        // one left while a crashed worker's delivery was still being returned) one more.
        auto depth = queue->Depth();
        EXPECT_TRUE(depth.ok()) << depth.status().ToString();
        if (depth.ok() && depth->ready == 0 && depth->delayed == 0 && depth->dead == 1 &&
            FinishedRows(batch) >= kInputs - 1) {
          break;
        }
        StartWorker(flags);
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    EXPECT_LT(SteadyClock::now(), deadline) << "the batch did not drain within 120 s";
    ExpectWorkersExitCleanly(deadline);
    std::cout << "[ info ] --max-attempts " << max_attempts << ": " << crashes
              << " workers crashed on " << poison_ << "; the batch drained in "
              << SecondsSince(started) << " s\n";
    return crashes;
  }

  // The one task in the dead-letter queue, which must be the poison.
  DeadTask OnlyDeadTask() {
    auto queue = OpenQueue();
    if (queue == nullptr) return {};
    auto dead = queue->ListDead();
    EXPECT_TRUE(dead.ok()) << dead.status().ToString();
    if (!dead.ok() || dead->size() != 1) {
      ADD_FAILURE() << "dead-lettered tasks: " << (dead.ok() ? dead->size() : 0);
      return {};
    }
    EXPECT_EQ(dead->front().task.input_key, poison_);
    return dead->front();
  }

  static constexpr int kInputs = 30;
  std::vector<Input> inputs_;
  std::string poison_;
};

TEST_F(PoisonMessageTest, WorkerCrashGuardDeadLettersItWithAFailedRow) {
  // What is right: with the defaults (--max-attempts 5, queue delivery limit 10) the worker's
  // own guard acts first. Deliveries 1-5 crash the worker (the broker counts each one, in
  // x-delivery-count, as the consumer's connection closes); delivery 6 is beyond max_attempts,
  // so the worker fails the task without reading its input: ONE failed row, kInternal, saying
  // why, and the task goes to <queue>.dead with that reason. That row is what makes the batch
  // finish (done 30/30, 1 failed) and puts the input in `status --failures`; the broker's limit
  // is only the backstop (next test), which leaves no row.
  const std::string batch = Submit(inputs_.size());
  ASSERT_FALSE(batch.empty());
  EXPECT_EQ(RunUntilDrained(batch, 5), 5);

  const std::vector<TaskResult> rows =
      ExpectEveryInputDoneOnce(batch, inputs_, {.outputs_per_input = 3, .failed_keys = {poison_}});
  for (const TaskResult& row : rows) {
    if (row.input_key != poison_) continue;
    EXPECT_EQ(row.error_code, StatusCode::kInternal);
    EXPECT_NE(row.error_message.find("delivered 6 times without finishing"), std::string::npos)
        << row.error_message;
    EXPECT_EQ(row.attempts, 6);
  }
  const DeadTask dead = OnlyDeadTask();
  EXPECT_NE(dead.reason.find("delivered 6 times without finishing"), std::string::npos)
      << dead.reason;
  EXPECT_EQ(dead.attempts, 6);
  ExpectStatusAllDone(batch, inputs_.size(), /*failed=*/1, /*dead=*/1);
}

TEST_F(PoisonMessageTest, BrokerDeliveryLimitDeadLettersItWhenTheGuardAllowsMore) {
  // With --max-attempts above the queue's delivery limit (10), the guard never acts and the
  // quorum queue dead-letters the message after its 10th delivery: 10 crashes, the reason
  // names the limit, and no result row (nobody was left to write one).
  const std::string batch = Submit(inputs_.size());
  ASSERT_FALSE(batch.empty());
  EXPECT_EQ(RunUntilDrained(batch, 12), 10);

  std::vector<Input> others;
  for (const Input& input : inputs_) {
    if (input.key != poison_) others.push_back(input);
  }
  ExpectEveryInputDoneOnce(batch, others);
  const DeadTask dead = OnlyDeadTask();
  EXPECT_EQ(dead.reason, DeliveryLimitReason(10, ""));
  EXPECT_EQ(dead.attempts, 10);
}

}  // namespace
}  // namespace pixfleet::e2e
