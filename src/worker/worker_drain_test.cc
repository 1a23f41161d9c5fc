// The worker under a scaler, in virtual time with the in-memory queue: the grace period after a
// stop (tasks that finish within it are acked; those still running at its end are interrupted and
// handed back at once, without a row and without using an attempt), a second request that cuts
// it short, --max-tasks with two slots, the status lines a supervisor reads, and the queue told
// once when leasing stops, for each reason.
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "worker/status_pipe.h"
#include "worker/task_interruption.h"
#include "worker/worker.h"
#include "worker/worker_test_fixture.h"

namespace pixfleet {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TaskInterruptionTest, TheFirstClaimWins) {
  TaskInterruption settled_first;
  EXPECT_TRUE(settled_first.ClaimForSettling());
  EXPECT_TRUE(settled_first.ClaimForSettling());  // the processor may claim again (a retry)
  EXPECT_FALSE(settled_first.Interrupt());        // the worker leaves it to finish
  EXPECT_FALSE(settled_first.Token().stop_requested());

  TaskInterruption interrupted_first;
  EXPECT_TRUE(interrupted_first.Interrupt());
  EXPECT_TRUE(interrupted_first.Token().stop_requested());  // the work under way stops
  EXPECT_TRUE(interrupted_first.Interrupted());
  EXPECT_FALSE(interrupted_first.ClaimForSettling());  // and must not touch the task
}

class WorkerDrainTest : public WorkerFixture {
 protected:
  WorkerDrainTest() : WorkerFixture(FakeClock::Mode::kBlockUntilAdvanced) {}

  WorkerOptions Options(int concurrency) {
    WorkerOptions options;
    options.concurrency = concurrency;
    options.lease_wait = milliseconds(0);
    options.heartbeat_interval = seconds(4);
    options.on_state = [this](const WorkerState& state) {
      std::lock_guard lock(lines_mutex_);
      lines_.push_back(StatusLine(state));
    };
    return options;
  }

  std::vector<std::string> Lines() {
    std::lock_guard lock(lines_mutex_);
    return lines_;
  }

  milliseconds Elapsed() {
    return std::chrono::duration_cast<milliseconds>(clock_.MonotonicNow() - start_);
  }

  const std::chrono::steady_clock::time_point start_ = clock_.MonotonicNow();
  std::mutex lines_mutex_;
  std::vector<std::string> lines_;  // guarded by lines_mutex_
};

TEST_F(WorkerDrainTest, AtTheGraceDeadlineATaskStillRunningIsHandedBackAtOnce) {
  const std::string id = AddImage("slow.jpg", 1);
  WorkerOptions options = Options(1);
  options.grace_period = seconds(10);
  Worker worker(queue_, processor_, clock_, options);
  // A fetch that would take a minute, waiting as the stores wait: ended by the grace deadline.
  bool fetch_cut_short = false;
  before_input_get_ = [&](std::string_view) {
    fetch_cut_short = !clock_.WaitFor(seconds(60), worker.GraceOver());
  };
  Status ran = Internal("did not return");
  std::thread runner([&] { ran = worker.Run(); });
  ASSERT_TRUE(clock_.WaitForSleepers(2));  // the heartbeat, and the slot inside the fetch
  worker.Stop();
  EXPECT_TRUE(worker.Stopping());          // not ready, at once
  ASSERT_TRUE(clock_.WaitForSleepers(3));  // + the grace period
  ASSERT_TRUE(clock_.AdvanceAndWaitForSleepers(seconds(9), 3));
  EXPECT_EQ(queue_.Depth()->leased, 1) << "handed back before the grace period ended";

  clock_.Advance(seconds(1));  // the deadline
  runner.join();
  EXPECT_TRUE(ran.ok()) << ran.ToString();  // a drained stop is a clean stop
  EXPECT_EQ(Elapsed(), seconds(10));        // no further wait: not for the fetch, not for a lease
  EXPECT_TRUE(fetch_cut_short);
  const QueueDepth depth = *queue_.Depth();
  EXPECT_EQ(depth, (QueueDepth{.ready = 1, .delayed = 0, .leased = 0, .dead = 0}));
  EXPECT_FALSE(Row(id).has_value());
  EXPECT_EQ(processor_.counters().interrupted.load(), 1);
  EXPECT_EQ(processor_.counters().failed.load() + processor_.counters().retried.load() +
                processor_.counters().succeeded.load(),
            0);
  EXPECT_EQ(Lines(), (std::vector<std::string>{"idle", "busy 1", "stopping 1", "stopping 0"}));
  // Deliverable now, and the interrupted delivery did not count as an attempt.
  const Lease again = LeaseOne();
  EXPECT_EQ(again.task.task_id, id);
  EXPECT_EQ(again.attempt, 1);
}

TEST_F(WorkerDrainTest, TasksThatFinishWithinTheGracePeriodAreAckedNormally) {
  const std::string slow = AddImage("slow.jpg", 1);
  const std::string queued = AddImage("queued.jpg", 2);
  before_input_get_ = [this](std::string_view key) {
    if (key == "slow.jpg") clock_.SleepFor(seconds(5));
  };
  WorkerOptions options = Options(1);
  options.grace_period = seconds(10);
  Worker worker(queue_, processor_, clock_, options);
  std::stop_source stop;
  Status ran = Internal("did not return");
  std::thread runner([&] { ran = worker.Run(stop.get_token()); });
  ASSERT_TRUE(clock_.WaitForSleepers(2));  // the heartbeat, and the slow fetch
  stop.request_stop();                     // as SIGTERM does through the CLI
  ASSERT_TRUE(clock_.WaitForSleepers(3));  // + the grace period
  clock_.Advance(seconds(5));              // the fetch ends; the task finishes
  runner.join();
  EXPECT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_EQ(Elapsed(), seconds(5));  // Run() returned with its last task, not at the deadline
  EXPECT_EQ(Row(slow)->outcome, TaskOutcome::kSucceeded);
  EXPECT_FALSE(Row(queued).has_value());  // never leased after the stop
  EXPECT_EQ(*queue_.Depth(), (QueueDepth{.ready = 1, .delayed = 0, .leased = 0, .dead = 0}));
  EXPECT_EQ(processor_.counters().interrupted.load(), 0);
  EXPECT_EQ(Lines(), (std::vector<std::string>{"idle", "busy 1", "stopping 1", "stopping 0"}));
}

TEST_F(WorkerDrainTest, ASecondRequestHandsBackAtOnce) {
  const std::string id = AddImage("slow.jpg", 1);
  WorkerOptions options = Options(1);
  options.grace_period = hours(1);
  Worker worker(queue_, processor_, clock_, options);
  before_input_get_ = [&](std::string_view) { (void)clock_.WaitFor(hours(2), worker.GraceOver()); };
  std::stop_source stop;
  std::stop_source now;
  std::thread runner([&] { EXPECT_TRUE(worker.Run(stop.get_token(), now.get_token()).ok()); });
  ASSERT_TRUE(clock_.WaitForSleepers(2));
  stop.request_stop();
  ASSERT_TRUE(clock_.WaitForSleepers(3));  // serving the grace period
  now.request_stop();                      // the second SIGTERM
  runner.join();
  EXPECT_EQ(Elapsed(), milliseconds(0));
  EXPECT_EQ(queue_.Depth()->ready, 1);
  EXPECT_FALSE(Row(id).has_value());
  EXPECT_EQ(processor_.counters().interrupted.load(), 1);
}

TEST_F(WorkerDrainTest, MaxTasksWithTwoSlotsLeasesNoMoreThanTheRemainder) {
  // Leased in publication order; the second fails (an empty file), which counts as done too.
  const std::vector<std::string> ids = {
      AddImage("img0.jpg", 0), AddInput("broken.jpg", ""), AddImage("img2.jpg", 2),
      AddImage("img3.jpg", 3), AddImage("img4.jpg", 4),    AddImage("img5.jpg", 5),
  };
  WorkerOptions options = Options(2);
  options.max_tasks = 3;
  Worker worker(queue_, processor_, clock_, options);
  EXPECT_TRUE(worker.Run().ok());  // returns by itself: no stop, no exit_when_idle
  EXPECT_EQ(processor_.counters().succeeded.load(), 2);
  EXPECT_EQ(processor_.counters().failed.load(), 1);
  EXPECT_EQ(*queue_.Depth(), (QueueDepth{.ready = 3, .delayed = 0, .leased = 0, .dead = 1}));
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(Row(ids[i]).has_value(), i < 3) << ids[i];
}

TEST_F(WorkerDrainTest, StatusLinesFollowTheWorkInOrder) {
  AddImage("img0.jpg", 0);
  AddImage("img1.jpg", 1);
  AddImage("img2.jpg", 2);
  WorkerOptions options = Options(1);
  options.max_tasks = 2;
  Worker worker(queue_, processor_, clock_, options);
  EXPECT_TRUE(worker.Run().ok());
  // Ready and idle at start; one task; idle between; the last task leased stops leasing.
  EXPECT_EQ(Lines(),
            (std::vector<std::string>{"idle", "busy 1", "idle", "stopping 1", "stopping 0"}));
}

TEST_F(WorkerDrainTest, ExitingWhenIdleSaysStopping) {
  WorkerOptions options = Options(2);
  options.exit_when_idle = true;
  Worker worker(queue_, processor_, clock_, options);
  EXPECT_TRUE(worker.Run().ok());
  EXPECT_EQ(Lines(), (std::vector<std::string>{"idle", "stopping 0"}));
}

TEST_F(WorkerDrainTest, MaxTasksAndExitWhenIdleWhicheverComesFirst) {
  AddImage("img0.jpg", 0);
  WorkerOptions options = Options(1);
  options.max_tasks = 5;
  options.exit_when_idle = true;
  Worker worker(queue_, processor_, clock_, options);
  EXPECT_TRUE(worker.Run().ok());  // the queue ran dry after one task
  EXPECT_EQ(processor_.counters().succeeded.load(), 1);
}

// Each way of ceasing to lease tells the queue once (TaskQueue::StopLeasing: a broker's
// prefetched deliveries go back to the other workers at once), and no lease is asked for after.
TEST_F(WorkerDrainTest, AStopRequestTellsTheQueueToStopLeasing) {
  const std::string id = AddImage("img0.jpg", 0);
  AddImage("img1.jpg", 1);
  ScriptedQueue queue(queue_);
  Worker worker(queue, processor_, clock_, Options(1));
  before_input_get_ = [&](std::string_view) { worker.Stop(); };  // while the task is in flight
  EXPECT_TRUE(worker.Run().ok());
  EXPECT_EQ(queue.StopLeasingCalls(), 1);
  EXPECT_EQ(queue.LeasesAfterStop(), 0);
  EXPECT_TRUE(Row(id).has_value());  // no grace deadline: the task in flight finished
  EXPECT_EQ(queue_.Depth()->ready, 1);
}

// The broker's reply may be slow or never come: the thread asking for the stop (the CLI's signal
// thread, which must stay free for a second signal) is never the one that waits for it.
TEST_F(WorkerDrainTest, TheQueueIsToldFromRunsThreadNotFromTheStoppingOne) {
  AddImage("img0.jpg", 0);
  ScriptedQueue queue(queue_);
  Worker worker(queue, processor_, clock_, Options(1));
  std::thread::id stopping_thread;
  std::thread stopper;
  before_input_get_ = [&](std::string_view) {
    stopper = std::thread([&] {
      stopping_thread = std::this_thread::get_id();
      worker.Stop();
    });
    stopper.join();
  };
  EXPECT_TRUE(worker.Run().ok());
  EXPECT_EQ(queue.StopLeasingCalls(), 1);
  EXPECT_NE(queue.StopLeasingThread(), stopping_thread);
  EXPECT_EQ(queue.StopLeasingThread(), std::this_thread::get_id());  // Run()'s
}

TEST_F(WorkerDrainTest, ReachingMaxTasksTellsTheQueueToStopLeasing) {
  AddImage("img0.jpg", 0);
  AddImage("img1.jpg", 1);
  ScriptedQueue queue(queue_);
  WorkerOptions options = Options(1);
  options.max_tasks = 1;
  Worker worker(queue, processor_, clock_, options);
  EXPECT_TRUE(worker.Run().ok());
  EXPECT_EQ(queue.StopLeasingCalls(), 1);
  EXPECT_EQ(queue.LeasesAfterStop(), 0);
  EXPECT_EQ(queue_.Depth()->ready, 1);
}

TEST_F(WorkerDrainTest, ExitingWhenIdleTellsTheQueueToStopLeasing) {
  ScriptedQueue queue(queue_);
  WorkerOptions options = Options(1);
  options.exit_when_idle = true;
  Worker worker(queue, processor_, clock_, options);
  EXPECT_TRUE(worker.Run().ok());
  EXPECT_EQ(queue.StopLeasingCalls(), 1);
  EXPECT_EQ(queue.LeasesAfterStop(), 0);
}

}  // namespace
}  // namespace pixfleet
