#include "run/worker_fleet.h"

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "queue/memory/in_memory_task_queue.h"
#include "results/memory/in_memory_result_store.h"
#include "testing/fake_clock.h"
#include "testing/scripted_task_queue.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

using std::chrono::seconds;

// The fleet's loop with "workers" that are shell scripts, in virtual time while no worker runs
// (each such pause of the loop moves the fake clock; while workers run, the loop waits for their
// exits), over a queue holding `tasks` ready tasks.
class WorkerFleetTest : public ::testing::Test {
 protected:
  FleetOutcome RunScript(const std::string& script, int tasks, Status depth_error = {}) {
    InMemoryTaskQueue inner(clock_, TaskQueueOptions{});
    ScriptedQueue queue(inner);
    queue.SetDepthError(std::move(depth_error));
    for (int i = 0; i < tasks; ++i) {
      const TaskSpec task{"t" + std::to_string(i), "b", std::to_string(i) + ".jpg"};
      EXPECT_TRUE(queue.Publish({&task, 1}).ok());
    }
    InMemoryResultStore results(clock_);
    WorkerSupervisor supervisor("/bin/sh", {"-c", script});
    options_.total = tasks;
    options_.progress_interval = std::chrono::hours(24);  // no progress lines in the test's log
    options_.batch_id = "b";
    return RunWorkers(options_, supervisor, queue, inner, results, clock_);
  }

  FakeClock clock_;
  FleetOptions options_;
};

TEST_F(WorkerFleetTest, AWorkerThatExits3StopsTheRunWithItsReason) {
  const FleetOutcome outcome = RunScript(
      "echo 'pixfleet worker: stopped: cannot write /out: No space left on device' >&2; exit 3", 5);
  EXPECT_EQ(outcome.stop_reason, FailedPrecondition("cannot write /out: No space left on device"));
  EXPECT_EQ(outcome.restarts, 0);
  EXPECT_FALSE(outcome.interrupted);
}

TEST_F(WorkerFleetTest, AWorkerThatCannotStartStopsTheRunInsteadOfBeingRestarted) {
  const FleetOutcome outcome =
      RunScript("echo 'pixfleet worker: invalid_argument: bad queue URL' >&2; exit 2", 5);
  EXPECT_EQ(outcome.stop_reason.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(outcome.stop_reason.message().find("a worker could not start: invalid_argument: bad "
                                               "queue URL"),
            std::string::npos)
      << outcome.stop_reason.message();
  EXPECT_EQ(outcome.restarts, 0);
}

TEST_F(WorkerFleetTest, WorkersThatEndWithWorkLeftAreRestartedWithinABudgetTheirLinesShownOnce) {
  options_.workers = 2;
  ::testing::internal::CaptureStderr();
  const FleetOutcome outcome = RunScript("echo 'the same complaint' >&2; exit 0", 5);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(outcome.stop_reason.ok()) << outcome.stop_reason.ToString();
  EXPECT_TRUE(outcome.gave_up);
  EXPECT_EQ(outcome.restarts, 20 + 2 * 2);
  const size_t first = err.find("the same complaint");
  ASSERT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("the same complaint", first + 1), std::string::npos) << err;
}

TEST_F(WorkerFleetTest, TheWorkersASignalEndedAreNamedForTheTidyingAfterThem) {
  // Each worker notes its pid; the first two kill themselves (as a crash or kill -9 would end
  // them), the others exit cleanly: only the first two are the killed ones.
  TempDir dir;
  const std::string pids = dir.Join("pids");
  const FleetOutcome outcome = RunScript(
      "echo $$ >> " + pids + "; [ $(wc -l < " + pids + ") -le 2 ] && kill -9 $$; exit 0", 5);
  std::istringstream lines(ReadFileForTest(dir.path() / "pids"));
  std::vector<pid_t> started;
  for (pid_t pid = 0; lines >> pid;) started.push_back(pid);
  ASSERT_GE(started.size(), 3U);
  EXPECT_EQ(outcome.killed_workers, (std::set<pid_t>{started[0], started[1]}));
}

TEST_F(WorkerFleetTest, AQueueThatCannotBeReadEndsTheRunInsteadOfAnEndlessWait) {
  const auto start = clock_.MonotonicNow();
  options_.state_patience = seconds(30);
  const FleetOutcome outcome = RunScript("exit 0", 5, Unavailable("queue.db: disk I/O error"));
  EXPECT_EQ(outcome.stop_reason.code(), StatusCode::kUnavailable);
  EXPECT_NE(outcome.stop_reason.message().find("disk I/O error"), std::string::npos);
  EXPECT_GE(clock_.MonotonicNow() - start, seconds(30));
}

TEST_F(WorkerFleetTest, AQueueThatRefusesEndsTheRunAtOnce) {
  const auto start = clock_.MonotonicNow();
  const FleetOutcome outcome =
      RunScript("exit 0", 5, FailedPrecondition("queue.db: database or disk is full"));
  EXPECT_EQ(outcome.stop_reason.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(clock_.MonotonicNow(), start);
}

}  // namespace
}  // namespace pixfleet
