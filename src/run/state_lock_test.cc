#include "run/state_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

using std::chrono::seconds;

TEST(StateLockTest, OnlyOneHolderAtATime) {
  TempDir dir;
  auto first = StateLock::Acquire(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = StateLock::Acquire(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), StatusCode::kAborted);
  EXPECT_NE(second.error().message().find("another pixfleet run"), std::string::npos);
  { StateLock released = std::move(*first); }
  EXPECT_TRUE(StateLock::Acquire(dir.path()).ok());
}

TEST(StateLockTest, AWorkerStartsOnlyWhileItsRunHoldsTheLock) {
  TempDir dir;
  auto orphan = WorkerLock::Acquire(dir.path(), getpid());
  ASSERT_FALSE(orphan.ok());  // no run at all
  EXPECT_EQ(orphan.error().code(), StatusCode::kAborted);
  EXPECT_NE(orphan.error().message().find("no longer holds"), std::string::npos);

  auto run = StateLock::Acquire(dir.path());  // this process plays the run
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(WorkerLock::Acquire(dir.path(), getpid()).ok());
  // A worker whose parent is another process: its run died and this is a newer run.
  EXPECT_FALSE(WorkerLock::Acquire(dir.path(), getpid() + 1).ok());
}

TEST(StateLockTest, NoWorkerStartsWhileARunPreparesTheFolder) {
  TempDir dir;
  FakeClock clock;
  auto run = StateLock::Acquire(dir.path());
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run->WaitForEarlierWorkers(clock, seconds(1)).ok());
  auto early = WorkerLock::Acquire(dir.path(), getpid());
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.error().message().find("preparing"), std::string::npos);
  run->AllowWorkers();
  auto first = WorkerLock::Acquire(dir.path(), getpid());
  auto second = WorkerLock::Acquire(dir.path(), getpid());
  EXPECT_TRUE(first.ok());
  EXPECT_TRUE(second.ok());  // shared among the run's workers
}

TEST(StateLockTest, ANewRunWaitsForTheWorkersOfAnEarlierOneThenGivesUp) {
  TempDir dir;
  FakeClock clock;  // sleeps move time
  std::optional<WorkerLock> survivor;
  {
    auto earlier = StateLock::Acquire(dir.path());
    ASSERT_TRUE(earlier.ok());
    earlier->AllowWorkers();
    auto worker = WorkerLock::Acquire(dir.path(), getpid());
    ASSERT_TRUE(worker.ok());
    survivor.emplace(std::move(*worker));
  }  // the earlier run is gone; its worker is not
  auto newer = StateLock::Acquire(dir.path());
  ASSERT_TRUE(newer.ok());
  const auto start = clock.MonotonicNow();
  const Status waited = newer->WaitForEarlierWorkers(clock, seconds(10));
  EXPECT_EQ(waited.code(), StatusCode::kAborted);
  EXPECT_NE(waited.message().find("workers of an earlier pixfleet run"), std::string::npos);
  EXPECT_GE(clock.MonotonicNow() - start, seconds(10));
  survivor.reset();  // the worker exits
  EXPECT_TRUE(newer->WaitForEarlierWorkers(clock, seconds(10)).ok());
}

}  // namespace
}  // namespace pixfleet
