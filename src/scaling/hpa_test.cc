// The HPA as KEDA drives it: per-metric formulas with the 0.1 tolerance, several and failed
// metrics, the legacy path (5-minute stabilisation, max(2 x current, 4)) and the behavior path
// (windows, Pods/Percent policies over their periods, Max/Min/Disabled). Expected values are
// worked out by hand beside each row.
#include "scaling/hpa.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

using std::chrono::seconds;

ExternalMetricSample Avg(double usage, double target = 10) {
  return {MetricTargetType::kAverageValue, target, usage};
}
ExternalMetricSample Val(double usage, double target = 10) {
  return {MetricTargetType::kValue, target, usage};
}
ExternalMetricSample Failed() { return {MetricTargetType::kAverageValue, 10, std::nullopt}; }

HpaSpec HpaSpecFor(int min = 1, int max = 100) {
  HpaSpec spec;
  spec.min_replicas = min;
  spec.max_replicas = max;
  return spec;
}

struct PodsAndMetrics {
  const char* what;
  int current;
  int status;
  int ready;
  std::vector<ExternalMetricSample> metrics;
  int expected_desired;   // metric_desired, -1 when none
  int expected_replicas;  // after the limits
  bool expected_active;
};

TEST(HpaTest, OneReconcileOfAFreshHpa) {
  const PodsAndMetrics rows[] = {
      // KEDA owns 0 <-> 1: the HPA does nothing at 0 replicas.
      {"zero replicas", 0, 0, 0, {Avg(100)}, -1, 0, false},
      // 100 / 10 = 10 desired; from 1 the legacy limit is max(2 x 1, 4) = 4.
      {"avg scale-up limited", 1, 1, 1, {Avg(100)}, 10, 4, true},
      // ratio 105 / (10 x 10) = 1.05, within 0.1: keep 10.
      {"avg within tolerance", 10, 10, 10, {Avg(105)}, 10, 10, true},
      // ratio 1.1 exactly is still within.
      {"avg at upper tolerance", 10, 10, 10, {Avg(110)}, 10, 10, true},
      // ratio 1.11: ceil(111 / 10) = 12; limit 20.
      {"avg above tolerance", 10, 10, 10, {Avg(111)}, 12, 12, true},
      // ratio 0.9: within.
      {"avg at lower tolerance", 10, 10, 10, {Avg(90)}, 10, 10, true},
      // ratio 0.89: ceil(8.9) = 9, nothing older to hold it.
      {"avg below tolerance", 10, 10, 10, {Avg(89)}, 9, 9, true},
      // Only the tolerance looks at the pods: 40 / (10 x 2 pods) = 2 → ceil(40 / 10) = 4.
      {"avg status lags spec", 4, 2, 0, {Avg(40)}, 4, 4, true},
      // 21 / (10 x 2) = 1.05 within: desired is status_replicas (2), not current (4).
      {"avg within keeps status", 4, 2, 0, {Avg(21)}, 2, 2, true},
      // Value: ratio 30 / 10 = 3, x 2 ready pods = 6; limit max(10, 4).
      {"value uses ready pods", 5, 5, 2, {Val(30)}, 6, 6, true},
      // Value ratio 10.5 / 10 = 1.05 within: keep current 5.
      {"value within tolerance", 5, 5, 2, {Val(10.5)}, 5, 5, true},
      // Value with no ready pod: ceil(3 x 0) = 0, clamped to min 1.
      {"value no ready pod", 5, 5, 0, {Val(30)}, 0, 1, true},
      // The max over metrics: ceil(30 / 10) = 3 and ceil(80 / 10) = 8 → 8.
      {"max over metrics", 4, 4, 4, {Avg(30), Avg(80)}, 8, 8, true},
      // A failed metric does not stop a scale-up on the others.
      {"failed + up", 4, 4, 4, {Failed(), Avg(80)}, 8, 8, true},
      // ...but blocks a scale-down: 10 / 10 = 1 < 4 → no change.
      {"failed + down", 4, 4, 4, {Failed(), Avg(10)}, -1, 4, false},
      {"all failed", 4, 4, 4, {Failed()}, -1, 4, false},
      {"no metric", 4, 4, 4, {}, -1, 4, false},
  };
  for (const PodsAndMetrics& row : rows) {
    Hpa hpa(HpaSpecFor());
    const HpaDecision decision =
        hpa.Reconcile(ScaleTime(0), row.current, row.status, row.ready, row.metrics);
    EXPECT_EQ(decision.metric_desired, row.expected_desired) << row.what;
    EXPECT_EQ(decision.replicas, row.expected_replicas) << row.what;
    EXPECT_EQ(decision.scaling_active, row.expected_active) << row.what;
    EXPECT_FALSE(decision.reason.empty()) << row.what;
  }
}

TEST(HpaTest, ClampsToMinAndMaxWithoutReadingMetrics) {
  Hpa above(HpaSpecFor(1, 5));
  // current 7 > max 5 → 5, whatever the metric says.
  EXPECT_EQ(above.Reconcile(ScaleTime(0), 7, 7, 7, std::vector{Avg(1000)}).replicas, 5);
  Hpa below(HpaSpecFor(3, 10));
  // current 1 < min 3 → 3 (the idleReplicaCount flapping of KEDA issue #2314).
  EXPECT_EQ(below.Reconcile(ScaleTime(0), 1, 1, 1, std::vector{Avg(0)}).replicas, 3);
  // From 2 the scale-up limit max(2 x 2, 4) = 4 is below max 6, so the limit applies.
  Hpa small(HpaSpecFor(1, 6));
  EXPECT_EQ(small.Reconcile(ScaleTime(0), 2, 2, 2, std::vector{Avg(1000)}).replicas, 4);
  // From 4 the limit is 8, above max 6: max applies.
  EXPECT_EQ(small.Reconcile(ScaleTime(15'000), 4, 4, 4, std::vector{Avg(1000)}).replicas, 6);
}

// Runs reconciles every 15 s, pods following each decision, usage(t) of an AverageValue 10.
template <typename Usage>
std::vector<int> Sync(Hpa& hpa, int current, int syncs, Usage usage) {
  std::vector<int> out;
  for (int i = 0; i < syncs; ++i) {
    const int t = i * 15;
    current =
        hpa.Reconcile(ScaleTime(t * 1000), current, current, current, std::vector{Avg(usage(t))})
            .replicas;
    out.push_back(current);
  }
  return out;
}

TEST(HpaTest, LegacyScaleUpDoublesPerSync) {
  Hpa hpa(HpaSpecFor());
  // desired 1000 / 10 = 100: 1 → max(2,4)=4 → 8 → 16 → 32 → 64 → min(128, max 100).
  EXPECT_EQ(Sync(hpa, 1, 7, [](int) { return 1000.0; }),
            (std::vector<int>{4, 8, 16, 32, 64, 100, 100}));
}

TEST(HpaTest, LegacyScaleDownTakesTheHighestOfTheLastFiveMinutes) {
  Hpa hpa(HpaSpecFor());
  // t=0 desires 10; from t=15 desires 20 / 10 = 2. The sample of t=0 is kept while
  // t - 300 <= 0, i.e. up to and including t=300; at t=315 the highest left is 2.
  const std::vector<int> replicas = Sync(hpa, 10, 23, [](int t) { return t == 0 ? 100.0 : 20.0; });
  for (size_t i = 0; i <= 20; ++i) EXPECT_EQ(replicas[i], 10) << "t=" << i * 15;
  EXPECT_EQ(replicas[21], 2);  // t=315
  EXPECT_EQ(replicas[22], 2);
}

HpaSpec WithBehavior(HpaBehavior behavior) {
  HpaSpec spec = HpaSpecFor();
  spec.behavior = std::move(behavior);
  return spec;
}

TEST(HpaTest, DefaultBehaviorScaleUpIsFourPodsOrDoublePer15s) {
  Hpa hpa(WithBehavior({}));
  // start 1: max(1 + 4, ceil(1 x 2)) = 5; start 5: max(9, 10) = 10; start 10: max(14, 20) = 20.
  EXPECT_EQ(Sync(hpa, 1, 4, [](int) { return 1000.0; }), (std::vector<int>{5, 10, 20, 40}));
}

TEST(HpaTest, BehaviorPoliciesCountFromTheStartOfTheirPeriod) {
  Hpa hpa(WithBehavior({}));
  const std::vector metrics{Avg(1000)};
  EXPECT_EQ(hpa.Reconcile(ScaleTime(0), 1, 1, 1, metrics).replicas, 5);
  // 5 s later the +4 of t=0 is within the 15 s period: start = 5 - 4 = 1 → limit 5 again.
  EXPECT_EQ(hpa.Reconcile(ScaleTime(5'000), 5, 5, 5, metrics).replicas, 5);
  // At t=15 the event of t=0 is exactly one period old and no longer counts: start 5 → 10.
  EXPECT_EQ(hpa.Reconcile(ScaleTime(15'000), 5, 5, 5, metrics).replicas, 10);
}

TEST(HpaTest, DefaultBehaviorScaleDownWindowIsStrict) {
  Hpa hpa(WithBehavior({}));
  // Desires 10 at t=0, then 2. The scale-down window keeps samples strictly newer than
  // t - 300, so at t=300 the sample of t=0 is out: 10 → 2 (Percent 100 allows any drop).
  const std::vector<int> replicas = Sync(hpa, 10, 22, [](int t) { return t == 0 ? 100.0 : 20.0; });
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(replicas[i], 10) << "t=" << i * 15;
  EXPECT_EQ(replicas[20], 2);  // t=300
}

HpaScalingRules Rules(std::optional<int> window_s, std::vector<HpaPolicy> policies,
                      SelectPolicy select = SelectPolicy::kMax) {
  HpaScalingRules rules;
  if (window_s) rules.stabilization_window = seconds(*window_s);
  rules.policies = std::move(policies);
  rules.select_policy = select;
  return rules;
}

TEST(HpaTest, ScaleDownPodsPolicyPerPeriod) {
  HpaBehavior behavior;
  behavior.scale_down = Rules(0, {{HpaPolicy::Type::kPods, 1, seconds(60)}});
  Hpa hpa(WithBehavior(behavior));
  // Desired 1 throughout. t=0: 5 - 1 = 4. t=15..45: 1 removed in the last 60 s, start 5 → 4.
  // t=60: the event of t=0 is out → start 4 → 3.
  EXPECT_EQ(Sync(hpa, 5, 6, [](int) { return 10.0; }), (std::vector<int>{4, 4, 4, 4, 3, 3}));
}

TEST(HpaTest, SelectPolicyAndPercentRounding) {
  struct Row {
    const char* what;
    HpaBehavior behavior;
    int current;
    double usage;
    int expected;
  };
  HpaBehavior up_min;
  // Min: min(1 + 4, ceil(1 x 2)) = 2.
  up_min.scale_up = Rules(std::nullopt, {}, SelectPolicy::kMin);
  HpaBehavior up_disabled;
  up_disabled.scale_up = Rules(std::nullopt, {}, SelectPolicy::kDisabled);
  HpaBehavior up_percent;
  // 10 %: ceil(3 x 1.1) = ceil(3.3) = 4 (rounded up so that it moves at all).
  up_percent.scale_up = Rules(0, {{HpaPolicy::Type::kPercent, 10, seconds(60)}});
  HpaBehavior down_half;
  // 50 %: trunc(5 x 0.5) = trunc(2.5) = 2.
  down_half.scale_down = Rules(0, {{HpaPolicy::Type::kPercent, 50, seconds(15)}});
  HpaBehavior down_min;
  // Min for scale-down = the smallest change: max(trunc(2.5), 5 - 1) = 4.
  down_min.scale_down = Rules(
      0, {{HpaPolicy::Type::kPercent, 50, seconds(15)}, {HpaPolicy::Type::kPods, 1, seconds(15)}},
      SelectPolicy::kMin);
  HpaBehavior down_max;
  // Max = the largest change: min(2, 4) = 2.
  down_max.scale_down = Rules(
      0, {{HpaPolicy::Type::kPercent, 50, seconds(15)}, {HpaPolicy::Type::kPods, 1, seconds(15)}});
  HpaBehavior down_disabled;
  down_disabled.scale_down = Rules(0, {}, SelectPolicy::kDisabled);
  const Row rows[] = {
      {"up Min", up_min, 1, 1000, 2},
      {"up Disabled", up_disabled, 1, 1000, 1},
      {"up Percent 10", up_percent, 3, 1000, 4},
      {"down Percent 50", down_half, 5, 10, 2},
      {"down Min", down_min, 5, 10, 4},
      {"down Max", down_max, 5, 10, 2},
      {"down Disabled", down_disabled, 5, 10, 5},
  };
  for (const Row& row : rows) {
    Hpa hpa(WithBehavior(row.behavior));
    EXPECT_EQ(hpa.Reconcile(ScaleTime(0), row.current, row.current, row.current,
                            std::vector{Avg(row.usage)})
                  .replicas,
              row.expected)
        << row.what;
  }
}

TEST(HpaTest, ScaleUpWindowTakesTheLowestRecentRecommendation) {
  HpaBehavior behavior;
  behavior.scale_up = Rules(30, {});
  Hpa hpa(WithBehavior(behavior));
  // t=0 desires 2. t=15 desires 10, but the lowest of the last 30 s is 2: hold 2.
  // t=30: the sample of t=0 is out (strictly newer only); 10 → limit max(2 + 4, 2 x 2) = 6.
  EXPECT_EQ(Sync(hpa, 2, 3, [](int t) { return t == 0 ? 20.0 : 100.0; }),
            (std::vector<int>{2, 2, 6}));
}

TEST(HpaTest, PlainFormulaNeverLeavesZero) {
  struct Row {
    int current;
    double metric;
    double target;
    int expected;
  };
  const Row rows[] = {
      {0, 100, 10, 0},           // 0 x anything = 0
      {1, 100, 10, 10},          // ceil(1 x 100 / 10)
      {3, 25, 10, 8},            // ceil(7.5)
      {4, 10, 10, 4},            // ceil(4)
      {2, 0, 10, 0},             // ceil(0)
      {2, std::nan(""), 10, 0},  // NaN reads as 0
      {2, 5, 0, 2},              // no usable target: unchanged
  };
  for (const Row& row : rows) {
    EXPECT_EQ(PlainHpaDesired(row.current, row.metric, row.target), row.expected)
        << row.current << " x " << row.metric << " / " << row.target;
  }
}

}  // namespace
}  // namespace pixfleet
