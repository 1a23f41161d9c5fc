// DeletionCostKeeper against the fake annotator, in virtual time (the clock blocks its sleepers
// until the test advances it). The timelines are worked out from the contract: 5 s between two
// PATCHes, failed or not; after the n-th failure in a row min(60 s, 5 s × 2^(n−1)).
#include "kube/deletion_cost_keeper.h"

#include <gtest/gtest.h>

#include "kube/fake_pod_annotator.h"
#include "testing/fake_clock.h"

namespace pixfleet::kube {
namespace {

using std::chrono::seconds;
using Strings = std::vector<std::string>;

struct KeeperTest : ::testing::Test {
  FakePodAnnotator api;
  FakeClock clock{FakeClock::Mode::kBlockUntilAdvanced};

  // t=0: idle is written at once; then busy, which is held until t=5 (returns once the keeper
  // is parked on the clock).
  void IdleWrittenThenBusyHeld(DeletionCostKeeper& keeper) {
    keeper.Report(PodActivity::kIdle);
    ASSERT_TRUE(api.WaitForCalls(1));
    keeper.Report(PodActivity::kBusy);
    ASSERT_TRUE(clock.WaitForSleepers(1));
  }
};

TEST_F(KeeperTest, FirstStateGoesOutAtOnceAsTheIdleCost) {
  DeletionCostKeeper keeper(api, clock);
  keeper.Report(PodActivity::kIdle);
  ASSERT_TRUE(api.WaitForCalls(1));
  ASSERT_EQ(api.Calls().size(), 1U);
  EXPECT_EQ(api.Calls()[0].key, "controller.kubernetes.io/pod-deletion-cost");
  EXPECT_EQ(api.Calls()[0].value, "-1000");
}

TEST_F(KeeperTest, BusyFirstIsTheBusyCost) {
  DeletionCostKeeper keeper(api, clock);
  keeper.Report(PodActivity::kBusy);
  ASSERT_TRUE(api.WaitForCalls(1));
  EXPECT_EQ(api.Values(), Strings({"1000"}));
}

// t=0 idle: PATCH -1000. Busy at once: held until t=5; meanwhile idle, busy: at t=5 one PATCH
// 1000 (the latest), not one per change. t=5 idle: held until t=10; meanwhile busy, the value
// already written: at t=10 nothing is sent. The next change (idle, at t=10) goes out at once.
TEST_F(KeeperTest, OnePatchPerIntervalAndTheLatestStateWins) {
  DeletionCostKeeper keeper(api, clock);
  IdleWrittenThenBusyHeld(keeper);
  keeper.Report(PodActivity::kIdle);
  keeper.Report(PodActivity::kBusy);
  ASSERT_TRUE(clock.AdvanceAndWaitForSleepers(seconds(5), 0));
  ASSERT_TRUE(api.WaitForCalls(2));
  EXPECT_EQ(api.Values(), Strings({"-1000", "1000"}));

  // t=5: idle then busy again before t=10. The keeper wakes on idle and is held until t=10
  // (or sees busy first and waits for a change): either way, busy is what was written.
  keeper.Report(PodActivity::kIdle);
  ASSERT_TRUE(clock.WaitForSleepers(1));  // held until t=10
  keeper.Report(PodActivity::kBusy);
  ASSERT_TRUE(clock.AdvanceAndWaitForSleepers(seconds(5), 0));
  // t=10: the interval is over, so the next change goes out at once, and it is the third call:
  // the flap sent nothing.
  keeper.Report(PodActivity::kIdle);
  ASSERT_TRUE(api.WaitForCalls(3));
  EXPECT_EQ(api.Values(), Strings({"-1000", "1000", "-1000"}));
  EXPECT_EQ(clock.MonotonicNow().time_since_epoch(), seconds(10));
}

// t=0 fails (unavailable): retry at 5. t=5 fails (403): retry at 5 + 10 = 15. Still waiting at
// t=14; t=15 succeeds and the annotation holds the idle cost.
TEST_F(KeeperTest, FailuresAreRetriedWithBackoffAndNeverGiveUp) {
  api.Script({Unavailable("API server down"), FailedPrecondition("HTTP 403 (forbidden)")});
  DeletionCostKeeper keeper(api, clock);
  keeper.Report(PodActivity::kIdle);
  ASSERT_TRUE(api.WaitForCalls(1));
  ASSERT_TRUE(clock.WaitForSleepers(1));  // until t=5
  ASSERT_TRUE(clock.AdvanceAndWaitForSleepers(seconds(5), 1));
  ASSERT_TRUE(api.WaitForCalls(2));
  ASSERT_TRUE(clock.AdvanceAndWaitForSleepers(seconds(9), 1));  // t=14: still held until t=15
  EXPECT_EQ(api.Calls().size(), 2U);
  EXPECT_EQ(api.Annotation(std::string(kPodDeletionCost)), "");
  clock.Advance(seconds(1));
  ASSERT_TRUE(api.WaitForCalls(3));
  EXPECT_EQ(api.Values(), Strings({"-1000", "-1000", "-1000"}));
  EXPECT_EQ(api.Annotation(std::string(kPodDeletionCost)), "-1000");
}

// A failed write may have been applied all the same, so the value after it is always written:
// t=0 idle written; busy held until t=5, where it fails; idle reported while the retry is held
// (until t=10): at t=10 idle is written again, although idle was the last value confirmed.
TEST_F(KeeperTest, AfterAFailedWriteTheNextStateIsWrittenWhateverItIs) {
  api.Script({Status::Ok(), Unavailable("timed out")});
  DeletionCostKeeper keeper(api, clock);
  IdleWrittenThenBusyHeld(keeper);
  ASSERT_TRUE(clock.AdvanceAndWaitForSleepers(seconds(5), 1));  // t=5: fails; held until t=10
  ASSERT_TRUE(api.WaitForCalls(2));
  keeper.Report(PodActivity::kIdle);
  clock.Advance(seconds(5));
  ASSERT_TRUE(api.WaitForCalls(3));
  EXPECT_EQ(api.Values(), Strings({"-1000", "1000", "-1000"}));
}

// Busy is held until t=5; the worker starts stopping meanwhile: the pod is on its way out, and
// nothing more is sent.
TEST_F(KeeperTest, NothingIsSentOnceStopping) {
  {
    DeletionCostKeeper keeper(api, clock);
    IdleWrittenThenBusyHeld(keeper);
    keeper.Report(PodActivity::kStopping);
    ASSERT_TRUE(clock.AdvanceAndWaitForSleepers(seconds(5), 0));
  }
  EXPECT_EQ(api.Values(), Strings({"-1000"}));
}

// The destructor does not wait for a held PATCH's interval to pass (nor for the clock at all).
TEST_F(KeeperTest, DestroyedWhileHeldEndsAtOnce) {
  {
    DeletionCostKeeper keeper(api, clock);
    IdleWrittenThenBusyHeld(keeper);
  }
  EXPECT_EQ(api.Values(), Strings({"-1000"}));
  EXPECT_EQ(clock.Sleepers(), 0);
}

TEST_F(KeeperTest, OtherValuesAndIntervalFromTheOptions) {
  DeletionCostOptions options;
  options.idle_cost = -7;
  options.busy_cost = 7;
  options.min_interval = seconds(30);
  DeletionCostKeeper keeper(api, clock, options);
  keeper.Report(PodActivity::kBusy);
  ASSERT_TRUE(api.WaitForCalls(1));
  keeper.Report(PodActivity::kIdle);
  ASSERT_TRUE(clock.WaitForSleepers(1));
  ASSERT_TRUE(clock.AdvanceAndWaitForSleepers(seconds(29), 1));  // held until t=30
  EXPECT_EQ(api.Calls().size(), 1U);
  clock.Advance(seconds(1));
  ASSERT_TRUE(api.WaitForCalls(2));
  EXPECT_EQ(api.Values(), Strings({"7", "-7"}));
}

}  // namespace
}  // namespace pixfleet::kube
