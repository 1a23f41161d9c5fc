// ScaledJob: MaxRC/MinRC, the four strategies with running and pending Jobs, the combination of
// several triggers, and the Value target that asks for nothing. Expected values are worked out
// by hand beside each row.
#include "scaling/scaled_job.h"

#include <vector>

#include <gtest/gtest.h>

#include "scaling/scaling_test_util.h"

namespace pixfleet {
namespace {

RabbitMqTrigger Trigger(double value, MetricTargetType type = MetricTargetType::kAverageValue) {
  RabbitMqTrigger trigger = TestTrigger(value);
  trigger.metric_type = type;
  return trigger;
}

std::optional<TriggerReading> Reading(double metric, bool active = true) {
  return TriggerReading{metric, active};
}

struct JobRow {
  const char* what;
  ScaledJobSpec spec;
  std::vector<std::optional<TriggerReading>> readings;
  JobCounts jobs;
  int create;
};

ScaledJobSpec JobSpecFor(ScaledJobStrategy strategy = ScaledJobStrategy::kDefault, int min = 0,
                         int max = 100, std::vector<RabbitMqTrigger> triggers = {Trigger(1)}) {
  ScaledJobSpec spec;
  spec.name = "jobs";
  spec.strategy = strategy;
  spec.min_replica_count = min;
  spec.max_replica_count = max;
  spec.triggers = std::move(triggers);
  return spec;
}

ScaledJobSpec Custom(std::optional<double> percentage) {
  ScaledJobSpec spec = JobSpecFor(ScaledJobStrategy::kCustom);
  spec.custom_queue_length_deduction = 1;
  spec.custom_running_job_percentage = percentage;
  return spec;
}

ScaledJobSpec Defaulted(int min) {
  ScaledJobSpec spec = JobSpecFor(ScaledJobStrategy::kDefault, min);
  spec.max_replica_count_defaulted = true;
  return spec;
}

TEST(ScaledJobTest, StrategiesAndLimits) {
  using S = ScaledJobStrategy;
  const JobRow rows[] = {
      // maxScale = ceil(min(10 / 1, 100)) = 10, nothing running: 10.
      {"default empty", JobSpecFor(), {Reading(10)}, {0, 0}, 10},
      // KEDA's docs: 3 running + 3 new messages, default: 3 - 3 = 0.
      {"default running", JobSpecFor(), {Reading(3)}, {3, 0}, 0},
      // ...eager: min(100 - 3 - 0, 3) = 3, scaleTo = MaxRC = 100: 3.
      {"eager running", JobSpecFor(S::kEager), {Reading(3)}, {3, 0}, 3},
      // eager subtracts pending although running includes it, max 6: min(6 - 3 - 2, 3) = 1.
      {"eager pending", JobSpecFor(S::kEager, 0, 6), {Reading(3)}, {3, 2}, 1},
      // accurate, max 10: 5 + 4 - 1 = 8 <= 10 → 5 - 1 = 4.
      {"accurate", JobSpecFor(S::kAccurate, 0, 10), {Reading(5)}, {4, 1}, 4},
      // accurate over MaxRC: 9 + 4 - 0 = 13 > 10 → 10 - 4 = 6.
      {"accurate full", JobSpecFor(S::kAccurate, 0, 10), {Reading(9)}, {4, 0}, 6},
      // custom: min(10 - 1 - int(5 x 0.5) = 7, 100) = 7.
      {"custom", Custom(0.5), {Reading(10)}, {5, 0}, 7},
      // custom without a usable percentage is `default`: 10 - 5 = 5.
      {"custom unusable", Custom(std::nullopt), {Reading(10)}, {5, 0}, 5},
      // value 5: maxScale = ceil(12 / 5) = 3, scaleTo = 12: min(12, 3) = 3.
      {"value 5", JobSpecFor(S::kDefault, 0, 100, {Trigger(5)}), {Reading(12)}, {0, 0}, 3},
      // min 2, max 10: MaxRC 8, MinRC 2; 1 running < 2: create 2 - 1 = 1.
      {"below MinRC", JobSpecFor(S::kDefault, 2, 10), {Reading(20)}, {1, 0}, 1},
      // 5 running, r = 5 - 2 = 3: maxScale min(20, 8) = 8 → 8 - 3 = 5.
      {"MaxRC is max - min", JobSpecFor(S::kDefault, 2, 10), {Reading(20)}, {5, 0}, 5},
      // min 5 > max 3: MaxRC = 3, MinRC = min(5, 3) = 3; nothing running: 3.
      {"min above max", JobSpecFor(S::kDefault, 5, 3), {Reading(10)}, {0, 0}, 3},
      // maxReplicaCount left out: MaxRC is KEDA's 100, not 100 - min 2 = 98, so with 2 running
      // (r = 0) and 99 messages: min(99, 99) - 0 = 99.
      {"max not given", Defaulted(2), {Reading(99)}, {2, 0}, 99},
      // Inactive and MinRC 0: nothing.
      {"inactive", JobSpecFor(), {Reading(0, false)}, {0, 0}, 0},
      // MinRC > 0 keeps it active even with an empty queue: 1 - 0 = 1.
      {"MinRC keeps active", JobSpecFor(S::kDefault, 1, 10), {Reading(0, false)}, {0, 0}, 1},
      // A Value target counts as 0: maxScale 0, no Jobs.
      {"Value target",
       JobSpecFor(S::kDefault, 0, 100, {Trigger(1, MetricTargetType::kValue)}),
       {Reading(10)},
       {0, 0},
       0},
      // A failed trigger is skipped: nothing active, nothing created.
      {"failed", JobSpecFor(), {std::nullopt}, {0, 0}, 0},
  };
  for (const JobRow& row : rows) {
    const JobDecision decision = DecideJobs(row.spec, row.readings, row.jobs);
    EXPECT_EQ(decision.create, row.create) << row.what << ": " << decision.reason;
    EXPECT_FALSE(decision.reason.empty()) << row.what;
  }
}

TEST(ScaledJobTest, DecisionFields) {
  // value 5, queue 12, 1 running, default: maxScale ceil(2.4) = 3, effMax 3 - 1 = 2.
  const JobDecision decision =
      DecideJobs(JobSpecFor(ScaledJobStrategy::kDefault, 0, 100, {Trigger(5)}),
                 std::vector{Reading(12)}, {1, 0});
  EXPECT_EQ(decision.queue_length, 12);
  EXPECT_EQ(decision.max_scale, 3);
  EXPECT_EQ(decision.effective_max, 2);
  EXPECT_EQ(decision.create, 2);
  EXPECT_TRUE(decision.active);
  EXPECT_FALSE(decision.error);
  // An effective maximum below zero reads as 0: 3 - 5 running.
  EXPECT_EQ(DecideJobs(JobSpecFor(), std::vector{Reading(3)}, {5, 0}).effective_max, 0);
  EXPECT_TRUE(DecideJobs(JobSpecFor(), std::vector{std::optional<TriggerReading>()}, {}).error);
}

TEST(ScaledJobTest, MultipleScalersCalculation) {
  using C = MultipleScalersCalculation;
  struct Case {
    C how;
    std::vector<std::optional<TriggerReading>> readings;
    int create;
  };
  // Two triggers of value 1; nothing running, so create = the combined queue length.
  const Case cases[] = {
      {C::kMax, {Reading(4), Reading(10)}, 10},
      {C::kMin, {Reading(4), Reading(10)}, 4},
      {C::kAvg, {Reading(4), Reading(10)}, 7},   // (4 + 10) / 2
      {C::kSum, {Reading(4), Reading(10)}, 14},  // 4 + 10
      // Only active triggers count: B (10) inactive → 4.
      {C::kMax, {Reading(4), Reading(10, false)}, 4},
      {C::kAvg, {Reading(4), Reading(10, false)}, 4},
      // A failed trigger is skipped, the other still counts.
      {C::kSum, {std::nullopt, Reading(10)}, 10},
      // KEDA's `max` only takes a length above the best so far: an active trigger with length 0
      // leaves the job inactive.
      {C::kMax, {Reading(0), Reading(0, false)}, 0},
  };
  for (const Case& c : cases) {
    ScaledJobSpec spec = JobSpecFor(ScaledJobStrategy::kDefault, 0, 100, {Trigger(1), Trigger(1)});
    spec.multiple_scalers_calculation = c.how;
    const JobDecision decision = DecideJobs(spec, c.readings, {0, 0});
    EXPECT_EQ(decision.create, c.create) << static_cast<int>(c.how) << ": " << decision.reason;
  }
}

// As KEDA spells them in scalingStrategy.strategy (what `pixfleet scale --check` prints).
TEST(ScaledJobTest, StrategyNames) {
  EXPECT_STREQ(ScaledJobStrategyName(ScaledJobStrategy::kDefault), "default");
  EXPECT_STREQ(ScaledJobStrategyName(ScaledJobStrategy::kCustom), "custom");
  EXPECT_STREQ(ScaledJobStrategyName(ScaledJobStrategy::kAccurate), "accurate");
  EXPECT_STREQ(ScaledJobStrategyName(ScaledJobStrategy::kEager), "eager");
}

}  // namespace
}  // namespace pixfleet
