// RealClock::WaitFor ends early on a stop request; FakeClock's two modes move time as documented.
#include "core/clock.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RealClockTest, WaitForReturnsTrueWhenTheDurationPasses) {
  RealClock& clock = RealClock::Instance();
  const auto start = clock.MonotonicNow();
  EXPECT_TRUE(clock.WaitFor(milliseconds(20), std::stop_token()));
  EXPECT_GE(clock.MonotonicNow() - start, milliseconds(20));
}

TEST(RealClockTest, AStopRequestEndsTheWaitEarly) {
  std::stop_source stop;
  std::atomic<bool> returned_true{true};
  std::thread waiter(
      [&] { returned_true = RealClock::Instance().WaitFor(hours(1), stop.get_token()); });
  stop.request_stop();
  waiter.join();  // would take an hour if the stop were missed
  EXPECT_FALSE(returned_true);
}

TEST(RealClockTest, AnAlreadyRequestedStopReturnsAtOnce) {
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(RealClock::Instance().WaitFor(hours(1), stop.get_token()));
}

TEST(FakeClockTest, SleepingAdvancesTimeByDefault) {
  FakeClock clock;
  const auto wall = clock.Now();
  const auto steady = clock.MonotonicNow();
  clock.SleepFor(seconds(5));
  EXPECT_TRUE(clock.WaitFor(seconds(2), std::stop_token()));
  EXPECT_EQ(clock.Now() - wall, seconds(7));
  EXPECT_EQ(clock.MonotonicNow() - steady, seconds(7));
}

TEST(FakeClockTest, BlockingModeWaitsForAdvance) {
  FakeClock clock(FakeClock::Mode::kBlockUntilAdvanced);
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepFor(seconds(10));
    woke = true;
  });
  ASSERT_TRUE(clock.WaitForSleepers(1));
  clock.Advance(seconds(9));
  // Still short of the deadline: the sleeper must park again, not return.
  ASSERT_TRUE(clock.WaitForSleepers(1));
  EXPECT_FALSE(woke);
  clock.Advance(seconds(1));
  sleeper.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(clock.Sleepers(), 0);
}

TEST(FakeClockTest, AdvanceAndWaitForSleepersReturnsOnceTheWokenThreadsParkAgain) {
  FakeClock clock(FakeClock::Mode::kBlockUntilAdvanced);
  std::stop_source stop;
  std::atomic<int> rounds{0};
  std::thread ticker([&] {
    while (clock.WaitFor(seconds(10), stop.get_token())) ++rounds;
  });
  ASSERT_TRUE(clock.WaitForSleepers(1));
  for (int round = 1; round <= 5; ++round) {
    ASSERT_TRUE(clock.AdvanceAndWaitForSleepers(seconds(10), 1));
    EXPECT_EQ(rounds, round);  // exactly one round per step: it woke, counted, parked again
  }
  ASSERT_TRUE(clock.AdvanceAndWaitForSleepers(seconds(5), 1));
  EXPECT_EQ(rounds, 5);  // not due yet
  stop.request_stop();
  ticker.join();
}

TEST(FakeClockTest, BlockingModeWaitEndsOnStopWithoutMovingTime) {
  FakeClock clock(FakeClock::Mode::kBlockUntilAdvanced);
  const auto start = clock.MonotonicNow();
  std::stop_source stop;
  std::atomic<bool> returned_true{true};
  std::thread waiter([&] { returned_true = clock.WaitFor(hours(1), stop.get_token()); });
  ASSERT_TRUE(clock.WaitForSleepers(1));
  stop.request_stop();
  waiter.join();
  EXPECT_FALSE(returned_true);
  EXPECT_EQ(clock.MonotonicNow(), start);
}

}  // namespace
}  // namespace pixfleet
