#include "status/human_duration.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(HumanDurationTest, TwoLargestUnits) {
  EXPECT_EQ(HumanDuration(milliseconds(0)), "0s");
  EXPECT_EQ(HumanDuration(milliseconds(400)), "0.4s");
  EXPECT_EQ(HumanDuration(seconds(12)), "12s");
  EXPECT_EQ(HumanDuration(seconds(187)), "3m07s");
  EXPECT_EQ(HumanDuration(seconds(3720)), "1h02m");
  EXPECT_EQ(HumanDuration(milliseconds(-1)), "--");
}

}  // namespace
}  // namespace pixfleet
