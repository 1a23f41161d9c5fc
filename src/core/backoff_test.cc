#include "core/backoff.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, GrowsExponentiallyUpToTheCap) {
  const BackoffPolicy policy{milliseconds(100), milliseconds(1000), 5};
  // With the top of the jitter range (just under 1) the delay is the ceiling itself.
  const double top = 0.999999;
  EXPECT_NEAR(static_cast<double>(BackoffDelay(policy, 1, top).count()), 100, 1);
  EXPECT_NEAR(static_cast<double>(BackoffDelay(policy, 2, top).count()), 200, 1);
  EXPECT_NEAR(static_cast<double>(BackoffDelay(policy, 3, top).count()), 400, 1);
  EXPECT_NEAR(static_cast<double>(BackoffDelay(policy, 4, top).count()), 800, 1);
  EXPECT_NEAR(static_cast<double>(BackoffDelay(policy, 5, top).count()), 1000, 1);
  EXPECT_NEAR(static_cast<double>(BackoffDelay(policy, 60, top).count()), 1000, 1);
}

TEST(BackoffTest, JitterSpreadsOverTheWholeRangeButNeverZero) {
  const BackoffPolicy policy{milliseconds(100), milliseconds(1000), 5};
  EXPECT_EQ(BackoffDelay(policy, 3, 0.0).count(), 1);
  EXPECT_EQ(BackoffDelay(policy, 3, 0.5).count(), 200);
  EXPECT_EQ(BackoffDelay(policy, 0, 0.5).count(), 50);  // nonsense input is clamped
}

}  // namespace
}  // namespace pixfleet
