// Time in the RabbitMQ backend without a broker: a SocketDeadline follows the Clock, yet ends on
// a FakeClock that never moves; the reconnect backoff runs on the Clock.
#include "queue/rabbitmq/socket_deadline.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace pixfleet::amqp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(SocketDeadlineTest, OnAFrozenClockEndsOnceItsWaitsAddUpToTheBudget) {
  FakeClock frozen;
  SocketDeadline deadline(frozen, milliseconds(120));
  int waits = 0;
  while (!deadline.Passed() && waits < 1000) {
    const microseconds wait = deadline.BeginWait(milliseconds(50));
    EXPECT_GT(wait, microseconds(0));
    deadline.WaitedOut();  // the socket wait timed out; the FakeClock showed none of it
    ++waits;
  }
  EXPECT_EQ(waits, 3) << "50 + 50 + 20 ms of waiting";
  EXPECT_EQ(deadline.BeginWait(milliseconds(50)), microseconds(0));
}

TEST(SocketDeadlineTest, FollowsTheClockWhenItMoves) {
  FakeClock clock;
  SocketDeadline deadline(clock, seconds(600));
  EXPECT_EQ(deadline.BeginWait(milliseconds(50)), milliseconds(50));
  clock.Advance(milliseconds(50));  // the wait's length, as a real clock would show it
  deadline.WaitedOut();
  EXPECT_FALSE(deadline.Passed());
  clock.Advance(seconds(600));  // a test moves time past the deadline: the call ends now
  EXPECT_TRUE(deadline.Passed());
  EXPECT_EQ(deadline.BeginWait(milliseconds(50)), microseconds(0));
}

TEST(SocketDeadlineTest, AZeroBudgetOnlyPolls) {
  FakeClock clock;
  SocketDeadline deadline(clock, microseconds(0));
  EXPECT_EQ(deadline.BeginWait(milliseconds(50)), microseconds(0));
  EXPECT_TRUE(deadline.Passed());
}

TEST(SocketDeadlineTest, AWaitCutShortByAFrameCountsNothing) {
  FakeClock frozen;
  SocketDeadline deadline(frozen, milliseconds(100));
  for (int frame = 0; frame < 10; ++frame) {
    EXPECT_EQ(deadline.BeginWait(milliseconds(50)), milliseconds(50));  // no WaitedOut: a frame
  }
  EXPECT_FALSE(deadline.Passed());
}

TEST(ReconnectBackoffTest, DoublesOnTheClockUpToItsCap) {
  FakeClock clock;
  ReconnectBackoff backoff(clock, milliseconds(200), milliseconds(1'000));
  EXPECT_TRUE(backoff.Ready());
  const milliseconds expected[] = {milliseconds(200), milliseconds(400), milliseconds(800),
                                   milliseconds(1'000), milliseconds(1'000)};
  for (const milliseconds pause : expected) {
    backoff.Failed();
    clock.Advance(pause - milliseconds(1));
    EXPECT_FALSE(backoff.Ready()) << "ready before " << pause.count() << " ms";
    clock.Advance(milliseconds(1));
    EXPECT_TRUE(backoff.Ready()) << "not ready after " << pause.count() << " ms";
  }
  EXPECT_EQ(backoff.Failures(), 5);
  backoff.Succeeded();
  backoff.Failed();
  clock.Advance(milliseconds(200));
  EXPECT_TRUE(backoff.Ready()) << "a success starts the doubling over";
}

}  // namespace
}  // namespace pixfleet::amqp
