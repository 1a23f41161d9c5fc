#include "worker/worker.h"

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

}  // namespace
}  // namespace pixfleet
