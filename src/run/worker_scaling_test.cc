// The rule `pixfleet run` sizes its workers by: N deliverable tasks ask for min(N, --workers)
// workers, all at the run's start, and none once nothing is deliverable.
#include "run/worker_scaling.h"

#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

// The replicas decided at the run's start (time 0, from nothing running) for `deliverable`
// tasks, of which `leased` are with workers.
int AtStart(int max_workers, int64_t deliverable, int64_t leased = 0) {
  ScaledObjectController scaling = RunWorkerScaling(max_workers);
  const TriggerSample sample = QueueSample{.ready = deliverable - leased, .unacknowledged = leased};
  return scaling.Step(ScaleTime(0), {&sample, 1}, PodCounts{}).replicas;
}

TEST(RunWorkerScalingTest, AsManyWorkersAsTasksUpToTheMaximumAtOnce) {
  struct Case {
    int max_workers;
    int64_t deliverable;
    int expected;
  };
  const std::vector<Case> cases = {
      {4, 0, 0}, {4, 1, 1}, {4, 3, 3}, {4, 4, 4}, {4, 1000, 4}, {16, 9, 9}, {1, 50, 1},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(AtStart(c.max_workers, c.deliverable), c.expected)
        << c.deliverable << " tasks, at most " << c.max_workers;
  }
}

TEST(RunWorkerScalingTest, LeasedTasksCountAsReadyOnes) {
  EXPECT_EQ(AtStart(8, 5, /*leased=*/5), 5);
}

TEST(RunWorkerScalingTest, NothingDeliverableMeansNoWorkersWithoutACooldown) {
  ScaledObjectController scaling = RunWorkerScaling(4);
  TriggerSample sample = QueueSample{.ready = 10};
  ASSERT_EQ(scaling.Step(ScaleTime(0), {&sample, 1}, PodCounts{}).replicas, 4);
  sample = QueueSample{};
  // The next poll, one second later: cooldownPeriod 0, straight to 0.
  const ScaleDecision decision =
      scaling.Step(std::chrono::seconds(1), {&sample, 1}, PodCounts{4, 4, 4});
  EXPECT_EQ(decision.replicas, 0);
}

}  // namespace
}  // namespace pixfleet
