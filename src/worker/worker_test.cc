#include "worker/worker.h"

#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "worker/worker_test_fixture.h"

namespace pixfleet {
namespace {

class WorkerTest : public WorkerFixture {
 protected:
  WorkerTest() : WorkerFixture(&RealClock::Instance()) {}
};

TEST_F(WorkerTest, SlotsDrainTheQueueAndExitWhenIdle) {
  std::vector<std::string> ids;
  for (int i = 0; i < 24; ++i)
    ids.push_back(AddImage("img" + std::to_string(i) + ".jpg", static_cast<uint32_t>(i)));
  ids.push_back(AddInput("broken.jpg", ""));
  WorkerOptions options;
  options.concurrency = 3;
  options.exit_when_idle = true;
  options.lease_wait = std::chrono::milliseconds(20);
  Worker worker(queue_, processor_, clock_, options);
  worker.Run();
  for (const std::string& id : ids) ASSERT_TRUE(Row(id).has_value()) << id;
  EXPECT_EQ(processor_.counters().succeeded.load(), 24);
  EXPECT_EQ(processor_.counters().failed.load(), 1);
  auto depth = queue_.Depth();
  EXPECT_EQ(depth->ready + depth->leased + depth->delayed, 0);
  EXPECT_EQ(depth->dead, 1);
}

TEST_F(WorkerTest, StopFinishesTasksInFlightAndLeavesTheRestQueued) {
  for (int i = 0; i < 40; ++i)
    AddImage("img" + std::to_string(i) + ".jpg", static_cast<uint32_t>(i));
  WorkerOptions options;
  options.concurrency = 2;
  options.lease_wait = std::chrono::milliseconds(20);
  Worker worker(queue_, processor_, clock_, options);
  std::thread runner([&] { worker.Run(); });
  while (processor_.counters().succeeded.load() < 3) std::this_thread::yield();
  worker.Stop();
  runner.join();
  auto depth = queue_.Depth();
  EXPECT_EQ(depth->leased, 0);  // nothing abandoned mid-task
  const int64_t done = processor_.counters().succeeded.load();
  EXPECT_GE(done, 3);
  EXPECT_EQ(depth->ready, 40 - done);
}

// Forwards to another queue, except that LeaseNext fails with `lease_error` once set.
class RefusingQueue final : public TaskQueue {
 public:
  explicit RefusingQueue(TaskQueue& inner) : inner_(inner) {}
  void SetLeaseError(Status error) {
    std::lock_guard lock(mutex_);
    lease_error_ = std::move(error);
  }

  Status Publish(std::span<const TaskSpec> tasks) override { return inner_.Publish(tasks); }
  Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds max_wait) override {
    {
      std::lock_guard lock(mutex_);
      if (!lease_error_.ok()) return lease_error_;
    }
    return inner_.LeaseNext(max_wait);
  }
  Status Heartbeat(Lease& lease) override { return inner_.Heartbeat(lease); }
  Status Ack(const Lease& lease) override { return inner_.Ack(lease); }
  Status Retry(const Lease& lease, std::chrono::milliseconds delay,
               std::string_view reason) override {
    return inner_.Retry(lease, delay, reason);
  }
  Status DeadLetter(const Lease& lease, std::string_view reason) override {
    return inner_.DeadLetter(lease, reason);
  }
  Status ReleaseLeases(std::string_view consumer_id) override {
    return inner_.ReleaseLeases(consumer_id);
  }
  Result<QueueDepth> Depth() override { return inner_.Depth(); }

 private:
  TaskQueue& inner_;
  std::mutex mutex_;
  Status lease_error_;  // guarded by mutex_
};

TEST_F(WorkerTest, AQueueThatRefusesTheWorkersConfigurationStopsIt) {
  AddImage("img.jpg", 1);
  RefusingQueue refusing(queue_);
  refusing.SetLeaseError(InvalidArgument("amqps: the broker's TLS certificate was refused"));
  WorkerOptions options;
  options.concurrency = 2;
  options.lease_wait = std::chrono::milliseconds(20);
  Worker worker(refusing, processor_, clock_, options);
  worker.Run();  // returns on its own: no Stop(), no exit_when_idle
  EXPECT_EQ(worker.FatalError().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(processor_.counters().succeeded.load(), 0);
}

TEST_F(WorkerTest, AnUnreachableQueueIsWaitedOutNotFatal) {
  const std::string id = AddImage("img.jpg", 1);
  RefusingQueue refusing(queue_);
  refusing.SetLeaseError(Unavailable("broker restarting"));
  WorkerOptions options;
  options.lease_wait = std::chrono::milliseconds(20);
  options.queue_error_backoff = std::chrono::milliseconds(5);
  options.exit_when_idle = true;
  Worker worker(refusing, processor_, clock_, options);
  std::thread runner([&] { worker.Run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a few failed leases
  EXPECT_FALSE(worker.Stopping());
  refusing.SetLeaseError(Status::Ok());  // the broker is back
  runner.join();
  EXPECT_TRUE(worker.FatalError().ok());
  EXPECT_TRUE(Row(id).has_value());
}

}  // namespace
}  // namespace pixfleet
