#include "worker/worker.h"

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "testing/receiving_ahead_queue.h"
#include "worker/worker_test_fixture.h"

namespace pixfleet {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// In virtual time: the clock moves only when a test advances it. Slots poll with lease_wait 0,
// so an idle slot never waits on the clock; the heartbeat thread always does.
class WorkerTest : public WorkerFixture {
 protected:
  WorkerTest() : WorkerFixture(FakeClock::Mode::kBlockUntilAdvanced) {}

  static WorkerOptions Options(int concurrency) {
    WorkerOptions options;
    options.concurrency = concurrency;
    options.lease_wait = milliseconds(0);
    return options;
  }
};

TEST_F(WorkerTest, SlotsDrainTheQueueAndExitWhenIdle) {
  std::vector<std::string> ids;
  ids.reserve(25);
  for (int i = 0; i < 24; ++i) {
    ids.push_back(AddImage("img" + std::to_string(i) + ".jpg", static_cast<uint32_t>(i)));
  }
  ids.push_back(AddInput("broken.jpg", ""));
  WorkerOptions options = Options(3);
  options.exit_when_idle = true;
  Worker worker(queue_, processor_, clock_, options);
  EXPECT_TRUE(worker.Run().ok());
  for (const std::string& id : ids) ASSERT_TRUE(Row(id).has_value()) << id;
  EXPECT_EQ(processor_.counters().succeeded.load(), 24);
  EXPECT_EQ(processor_.counters().failed.load(), 1);
  auto depth = queue_.Depth();
  EXPECT_EQ(depth->ready + depth->leased + depth->delayed, 0);
  EXPECT_EQ(depth->dead, 1);
}

// Options of a worker that exits when idle, with a lease wait far longer than its idle check.
WorkerOptions ExitWhenIdleOptions() {
  WorkerOptions options;
  options.lease_wait = seconds(5);
  options.exit_when_idle = true;
  options.idle_check_interval = milliseconds(100);
  return options;
}

// Runs a worker on its own thread. ReturnsWithoutMoreVirtualTime(): whether Run() returned (OK)
// with the clock left where it is; real time only bounds a hang, after which the worker is
// stopped and the clock moved past any wait.
class WorkerThread {
 public:
  WorkerThread(Worker& worker, FakeClock& clock)
      : worker_(worker),
        clock_(clock),
        returned_(result_.get_future()),
        runner_([this] { result_.set_value(worker_.Run()); }) {}
  // A test that ended early (a failed ASSERT) must not leave the join waiting on the worker.
  ~WorkerThread() {
    if (returned_.valid() && returned_.wait_for(seconds(0)) != std::future_status::ready) {
      worker_.Stop();
      clock_.Advance(seconds(10));
    }
  }
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  bool ReturnsWithoutMoreVirtualTime() {
    const bool exited = returned_.wait_for(seconds(30)) == std::future_status::ready;
    if (!exited) {
      worker_.Stop();
      clock_.Advance(seconds(10));
    }
    EXPECT_TRUE(returned_.get().ok());
    return exited;
  }

 private:
  Worker& worker_;
  FakeClock& clock_;
  std::promise<Status> result_;
  std::future<Status> returned_;
  std::jthread runner_;
};

TEST_F(WorkerTest, TheWorkerThatSettlesTheLastTaskExitsAtOnce) {
  // `pixfleet run` waits for its workers to exit: a slot that blocked a lease wait (or even an
  // idle check) before asking whether the queue is drained added that much to every batch.
  AddImage("only.jpg");
  Worker worker(queue_, processor_, clock_, ExitWhenIdleOptions());
  WorkerThread running(worker, clock_);
  EXPECT_TRUE(running.ReturnsWithoutMoreVirtualTime())
      << "waited before asking whether the queue is drained";
  EXPECT_EQ(processor_.counters().succeeded.load(), 1);
}

TEST_F(WorkerTest, AnIdleWorkerExitsOneIdleCheckAfterAnotherSettlesTheLastTaskNotALeaseWait) {
  // Another worker (this test) holds the only task: the worker finds nothing, sees the queue
  // not drained, and waits for a task one idle check at a time.
  AddImage("only.jpg");
  Result<std::optional<Lease>> held = queue_.LeaseNext(milliseconds(0));
  ASSERT_TRUE(held.ok() && held->has_value());
  Worker worker(queue_, processor_, clock_, ExitWhenIdleOptions());
  WorkerThread running(worker, clock_);
  // The slot parked in LeaseNext beside the heartbeat thread; then the other worker settles.
  ASSERT_TRUE(clock_.WaitForSleepers(2));
  ASSERT_TRUE(queue_.Ack(**held).ok());
  clock_.Advance(milliseconds(100));
  EXPECT_TRUE(running.ReturnsWithoutMoreVirtualTime()) << "still waiting after one idle check";
  EXPECT_EQ(processor_.counters().succeeded.load(), 0);
}

// A broker may push a task to a worker while the worker reads the depth to see whether the queue
// is drained: the task is then neither ready nor leased. The worker works it before it exits, not
// hands it back to a queue that no worker may be consuming any more.
TEST_F(WorkerTest, AWorkerExitingWhenIdleWorksATaskPushedToItWhileItReadTheDepth) {
  const std::string id = AddImage("pushed.jpg");
  ReceivingAheadQueue queue(queue_);
  ASSERT_TRUE(queue.PushDuringNextDepth(1));
  Worker worker(queue, processor_, clock_, ExitWhenIdleOptions());
  WorkerThread running(worker, clock_);
  EXPECT_TRUE(running.ReturnsWithoutMoreVirtualTime());
  ASSERT_TRUE(Row(id).has_value()) << "exited without working the task";
  EXPECT_EQ(Row(id)->outcome, TaskOutcome::kSucceeded);
  const Result<QueueDepth> depth = queue_.Depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(*depth, QueueDepth{}) << "ready " << depth->ready << ", leased " << depth->leased;
}

TEST_F(WorkerTest, OnIdleIsToldOnceWhenABatchIsDoneAfterItsLastRow) {
  const std::vector<std::string> ids = {AddImage("a.jpg", 1), AddImage("b.jpg", 2),
                                        AddImage("c.jpg", 3)};
  WorkerOptions options = Options(1);
  options.exit_when_idle = true;
  std::vector<int> rows_at_call;
  options.on_idle = [&] {
    int rows = 0;
    for (const std::string& id : ids) rows += Row(id).has_value() ? 1 : 0;
    rows_at_call.push_back(rows);
  };
  Worker worker(queue_, processor_, clock_, options);
  EXPECT_TRUE(worker.Run().ok());
  // Not between tasks, not again as the worker leaves: once, with every row written.
  EXPECT_EQ(rows_at_call, std::vector<int>{3});
}

TEST_F(WorkerTest, OnIdleIsToldOncePerIdleSpell) {
  std::atomic<int> calls{0};
  WorkerOptions options = Options(1);
  options.on_idle = [&] { ++calls; };
  Worker worker(queue_, processor_, clock_, options);
  std::thread runner([&] { EXPECT_TRUE(worker.Run().ok()); });
  while (calls.load() < 1) std::this_thread::yield();  // nothing to do from the start
  const std::string id = AddImage("late.jpg", 1);
  while (calls.load() < 2) std::this_thread::yield();  // the task done, idle again
  EXPECT_TRUE(Row(id).has_value());
  // The slot keeps finding nothing (lease_wait 0: it polls without pause); no more calls.
  for (int i = 0; i < 1000; ++i) std::this_thread::yield();
  worker.Stop();
  runner.join();
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(WorkerTest, StopFinishesTasksInFlightAndLeavesTheRestQueued) {
  for (int i = 0; i < 40; ++i) {
    AddImage("img" + std::to_string(i) + ".jpg", static_cast<uint32_t>(i));
  }
  Worker worker(queue_, processor_, clock_, Options(2));
  std::thread runner([&] { EXPECT_TRUE(worker.Run().ok()); });
  while (processor_.counters().succeeded.load() < 3) std::this_thread::yield();
  worker.Stop();
  runner.join();
  auto depth = queue_.Depth();
  EXPECT_EQ(depth->leased, 0);  // nothing abandoned mid-task
  const int64_t done = processor_.counters().succeeded.load();
  EXPECT_GE(done, 3);
  EXPECT_EQ(depth->ready, 40 - done);
}

TEST_F(WorkerTest, HeartbeatsHoldTheLeaseOfASlowTaskUntilItEndsDuringADrain) {
  // Lease 30 s (QueueOptions), heartbeat every 10 s, and a fetch that takes 45 s.
  const std::string id = AddImage("slow.jpg", 1);
  before_input_get_ = [this](std::string_view) { clock_.SleepFor(seconds(45)); };
  WorkerOptions options = Options(1);
  options.heartbeat_interval = seconds(10);
  Worker worker(queue_, processor_, clock_, options);
  std::thread runner([&] { EXPECT_TRUE(worker.Run().ok()); });
  ASSERT_TRUE(clock_.WaitForSleepers(2));  // the heartbeat, and the slot inside the fetch
  worker.Stop();                           // a drain begins with the task in flight
  auto elapsed = seconds(0);
  while (elapsed < seconds(40)) {  // past the lease, short of the fetch's end
    elapsed += seconds(10);
    if (!clock_.AdvanceAndWaitForSleepers(seconds(10), 2)) {
      ADD_FAILURE() << "the heartbeats stopped at " << elapsed.count() << " s, mid-task";
      break;
    }
    const QueueDepth depth = *queue_.Depth();
    EXPECT_EQ(depth.leased, 1) << "the lease lapsed by " << elapsed.count() << " s";
    EXPECT_EQ(depth.ready, 0) << "the task could run again at " << elapsed.count() << " s";
  }
  clock_.Advance(seconds(50) - elapsed);  // the fetch ends; the task finishes; Run() returns
  runner.join();
  EXPECT_EQ(processor_.counters().succeeded.load(), 1);
  EXPECT_EQ(processor_.counters().lease_lost.load(), 0);
  EXPECT_TRUE(Row(id).has_value());
  EXPECT_EQ(queue_.Depth()->leased + queue_.Depth()->ready, 0);
}

TEST_F(WorkerTest, AQueueThatRefusesTheWorkersConfigurationStopsIt) {
  AddImage("img.jpg", 1);
  ScriptedQueue refusing(queue_);
  refusing.SetLeaseError(InvalidArgument("amqps: the broker's TLS certificate was refused"));
  Worker worker(refusing, processor_, clock_, Options(2));
  // Returns on its own: no Stop(), no exit_when_idle.
  EXPECT_EQ(worker.Run().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(processor_.counters().succeeded.load(), 0);
}

TEST_F(WorkerTest, AnUnreachableQueueIsWaitedOutNotFatal) {
  const std::string id = AddImage("img.jpg", 1);
  ScriptedQueue refusing(queue_);
  refusing.SetLeaseError(Unavailable("broker restarting"));
  WorkerOptions options = Options(1);
  options.queue_error_backoff = seconds(1);
  options.exit_when_idle = true;
  Worker worker(refusing, processor_, clock_, options);
  Status ran = Internal("did not return");
  std::thread runner([&] { ran = worker.Run(); });
  ASSERT_TRUE(clock_.WaitForSleepers(2));  // the heartbeat, and the slot backing off
  ASSERT_TRUE(clock_.AdvanceAndWaitForSleepers(seconds(1), 2));  // a second failed lease
  EXPECT_FALSE(worker.Stopping());
  refusing.SetLeaseError(Status::Ok());  // the broker is back
  clock_.Advance(seconds(1));
  runner.join();
  EXPECT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_TRUE(Row(id).has_value());
}

TEST_F(WorkerTest, AStopRequestEndsTheBackoffAfterAQueueErrorAtOnce) {
  AddImage("img.jpg", 1);
  ScriptedQueue refusing(queue_);
  refusing.SetLeaseError(Unavailable("broker restarting"));
  WorkerOptions options = Options(1);
  options.queue_error_backoff = hours(1);
  Worker worker(refusing, processor_, clock_, options);
  std::stop_source stop;
  std::thread runner([&] { EXPECT_TRUE(worker.Run(stop.get_token()).ok()); });
  ASSERT_TRUE(clock_.WaitForSleepers(2));  // the heartbeat, and the slot backing off
  const auto before = clock_.MonotonicNow();
  stop.request_stop();  // as SIGTERM does through the CLI
  runner.join();        // without any time passing
  EXPECT_EQ(clock_.MonotonicNow(), before);
  EXPECT_TRUE(worker.Stopping());
}

TEST_F(WorkerTest, AQueueThatRefusesToWriteStopsIt) {
  AddImage("img.jpg", 1);
  ScriptedQueue refusing(queue_);
  refusing.SetLeaseError(FailedPrecondition("queue.db: database or disk is full"));
  Worker worker(refusing, processor_, clock_, Options(1));
  const Status ran = worker.Run();
  EXPECT_EQ(ran.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(ran.message().find("disk is full"), std::string::npos) << ran.message();
  EXPECT_EQ(queue_.Depth()->ready, 1);
}

TEST_F(WorkerTest, ARefusalStopsTheWorkerWhileTheOtherSlotsTaskFinishes) {
  const std::string slow = AddImage("slow.jpg", 1);
  const std::string refused = AddImage("refused.jpg", 2);
  AddImage("never-leased.jpg", 3);
  // The slot with slow.jpg waits 10 s in its fetch, so the other slot's task meets the refusal.
  before_input_get_ = [this](std::string_view key) {
    if (key == "slow.jpg") clock_.SleepFor(seconds(10));
  };
  const Status disk_full =
      FailedPrecondition("cannot write outputs to /photos/out: No space left on device");
  outputs_.FailNext(ObjectOperation::kPut, 1, disk_full);
  Worker worker(queue_, processor_, clock_, Options(2));
  Status ran;
  std::thread runner([&] { ran = worker.Run(); });
  ASSERT_TRUE(clock_.WaitForSleepers(2));  // the heartbeat, and the slow fetch
  // The refused task went back at once and the worker stopped leasing: the slot that met the
  // refusal took no further task, while the slow task is still in flight.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!worker.Stopping() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_TRUE(worker.Stopping());
  EXPECT_EQ(worker.InFlight(), 1);
  clock_.Advance(seconds(10));  // the slow fetch ends; that task finishes normally
  runner.join();
  EXPECT_EQ(ran, disk_full.WithContext("writing output refused/large.jpg"));
  EXPECT_EQ(Row(slow)->outcome, TaskOutcome::kSucceeded);
  EXPECT_FALSE(Row(refused).has_value());
  const QueueDepth depth = *queue_.Depth();
  EXPECT_EQ(depth.ready, 2);  // refused.jpg, handed back, and never-leased.jpg
  EXPECT_EQ(depth.leased + depth.delayed + depth.dead, 0);
  EXPECT_EQ(processor_.counters().failed.load(), 0);
}

TEST_F(WorkerTest, AHeartbeatRefusedByTheQueueStopsTheWorker) {
  AddImage("slow.jpg", 1);
  before_input_get_ = [this](std::string_view) { clock_.SleepFor(seconds(15)); };
  ScriptedQueue queue(queue_);
  queue.SetHeartbeatError(FailedPrecondition("queue.db: database or disk is full"));
  WorkerOptions options = Options(1);
  options.heartbeat_interval = seconds(10);
  Worker worker(queue, processor_, clock_, options);
  Status ran;
  std::thread runner([&] { ran = worker.Run(); });
  ASSERT_TRUE(clock_.WaitForSleepers(2));  // the heartbeat, and the slow fetch
  ASSERT_TRUE(clock_.AdvanceAndWaitForSleepers(seconds(10), 2));  // a refused heartbeat
  EXPECT_TRUE(worker.Stopping());
  clock_.Advance(seconds(5));  // the task in flight ends
  runner.join();
  EXPECT_EQ(ran.code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace pixfleet
