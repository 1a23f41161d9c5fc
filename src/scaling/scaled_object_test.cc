// ScaledObjectController: the KEDA loop and the HPA loop together, run as timelines in virtual
// time with the pods following every decision at once. Expected values are worked out by hand
// from the reference's rules (KEDA polls at created + k x pollingInterval, the HPA syncs at
// created + k x 15 s for k >= 1, KEDA first when both are due).
#include "scaling/scaled_object.h"

#include <algorithm>
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "scaling/scaling_test_util.h"

namespace pixfleet {
namespace {

using std::chrono::seconds;

RabbitMqTrigger Amqp(double value = 10, double activation = 0) {
  return TestTrigger(value, activation);
}

ScaledObjectSpec ObjectSpecFor(std::vector<RabbitMqTrigger> triggers) {
  ScaledObjectSpec spec;
  spec.name = "workers";
  spec.scale_target_name = "worker";
  spec.triggers = std::move(triggers);
  return spec;
}

ScaledObjectController Controller(const ScaledObjectSpec& spec) {
  return ScaledObjectController(
      spec, std::vector<RabbitMqProtocol>(spec.triggers.size(), RabbitMqProtocol::kAmqp),
      ScaleTime(0));
}

TriggerSample Ready(int64_t messages) { return QueueSample{messages, 0, 0}; }
TriggerSample Down() { return Unavailable("connection refused"); }

struct Change {
  int t;  // seconds
  int replicas;
  std::string loop;
  friend bool operator==(const Change&, const Change&) = default;
};

std::ostream& operator<<(std::ostream& out, const Change& c) {
  return out << "{t=" << c.t << " " << c.replicas << " " << c.loop << "}";
}

// Steps the controller at every due time up to `end_s`; pods (all ready) follow each decision.
struct Timeline {
  std::vector<Change> changes;
  std::vector<ScaleDecision> decisions;
  std::vector<int> times;

  const ScaleDecision& DecisionAt(int t) const {
    const auto it = std::find(times.begin(), times.end(), t);
    return decisions.at(static_cast<size_t>(it - times.begin()));
  }

  int ReplicasAt(int t, int initial) const {
    int replicas = initial;
    for (const Change& c : changes) {
      if (c.t <= t) replicas = c.replicas;
    }
    return replicas;
  }
};

Timeline RunTimeline(ScaledObjectController& controller, int end_s, int replicas,
                     const std::function<std::vector<TriggerSample>(int)>& samples) {
  Timeline timeline;
  for (ScaleTime now = controller.NextDue(); now <= ScaleTime(end_s * 1000);
       now = controller.NextDue()) {
    const int t = static_cast<int>(now.count() / 1000);
    const std::vector<TriggerSample> query = samples(t);
    const ScaleDecision decision = controller.Step(now, query, {replicas, replicas, replicas});
    if (decision.changed) timeline.changes.push_back({t, decision.replicas, decision.loop});
    replicas = decision.replicas;
    timeline.decisions.push_back(decision);
    timeline.times.push_back(t);
  }
  return timeline;
}

TEST(ScaledObjectTest, WorkedTimelineOfTheReference) {
  // §8.1: QueueLength value 10, activation 0, min 0, max 40, polling 30, cooldown 300, no
  // behavior. 100 ready messages until t=120, then none.
  ScaledObjectSpec spec = ObjectSpecFor({Amqp(10, 0)});
  spec.max_replica_count = 40;
  ScaledObjectController controller = Controller(spec);
  const Timeline timeline =
      RunTimeline(controller, 900, 0, [](int t) { return std::vector{Ready(t < 120 ? 100 : 0)}; });
  // t=0 KEDA: 100 > 0 → 1. HPA: ceil(100 / 10) = 10 limited to max(2 x 1, 4) = 4 at t=15,
  // 8 at t=30, 10 at t=45. The queue empties at t=120: the HPA keeps the highest of the last
  // 5 min (10, last recorded at t=105, kept until t=405) and KEDA, last active at its poll of
  // t=90, scales to 0 at the first poll after 90 + 300 = 390 (strictly after): t=420.
  const std::vector<Change> expected = {
      {0, 1, "keda"}, {15, 4, "hpa"}, {30, 8, "hpa"}, {45, 10, "hpa"}, {420, 0, "keda"}};
  EXPECT_EQ(timeline.changes, expected);
  EXPECT_NE(timeline.decisions.front().reason.find("activated"), std::string::npos)
      << timeline.decisions.front().reason;
}

TEST(ScaledObjectTest, ActivationIsStrictlyAboveActivationValue) {
  ScaledObjectController at = Controller(ObjectSpecFor({Amqp(10, 5)}));
  // 5 messages, activationValue 5: never active, stays at 0 for 10 minutes.
  EXPECT_TRUE(RunTimeline(at, 600, 0, [](int) { return std::vector{Ready(5)}; }).changes.empty());
  ScaledObjectController above = Controller(ObjectSpecFor({Amqp(10, 5)}));
  // 6 > 5: activates at the first poll.
  const Timeline timeline = RunTimeline(above, 0, 0, [](int) { return std::vector{Ready(6)}; });
  EXPECT_EQ(timeline.changes, (std::vector<Change>{{0, 1, "keda"}}));
}

TEST(ScaledObjectTest, ActivationGoesToMinWhenMinIsAboveOne) {
  ScaledObjectSpec spec = ObjectSpecFor({Amqp()});
  spec.min_replica_count = 3;
  ScaledObjectController active = Controller(spec);
  // 0 → max(min, 1) = 3 when active.
  EXPECT_EQ(RunTimeline(active, 0, 0, [](int) { return std::vector{Ready(1)}; }).changes,
            (std::vector<Change>{{0, 3, "keda"}}));
  ScaledObjectController idle_queue = Controller(spec);
  // Inactive and below min without idleReplicaCount: KEDA also sets min.
  EXPECT_EQ(RunTimeline(idle_queue, 0, 0, [](int) { return std::vector{Ready(0)}; }).changes,
            (std::vector<Change>{{0, 3, "keda"}}));
}

TEST(ScaledObjectTest, InitialCooldownCountsFromCreationWithoutTheCooldown) {
  ScaledObjectSpec spec = ObjectSpecFor({Amqp()});
  spec.initial_cooldown_period = seconds(120);
  spec.cooldown_period = seconds(300);
  ScaledObjectController controller = Controller(spec);
  // Never active, 2 replicas at creation: 0 + 120 < t first holds at the poll of t=150
  // (not 120 + 300).
  const Timeline timeline =
      RunTimeline(controller, 600, 2, [](int) { return std::vector{Ready(0)}; });
  // The HPA's first sync (t=15) has no earlier recommendation to hold it: 0 desired → its
  // minReplicas max(1, 0) = 1. KEDA then takes it to 0 at t=150.
  EXPECT_EQ(timeline.changes, (std::vector<Change>{{15, 1, "hpa"}, {150, 0, "keda"}}));
  const std::string& reason = timeline.DecisionAt(150).reason;
  EXPECT_NE(reason.find("initialCooldownPeriod 120 s passed"), std::string::npos) << reason;
}

TEST(ScaledObjectTest, LastActiveTimeIsNotRefreshedWhileAnotherTriggerFails) {
  ScaledObjectSpec spec = ObjectSpecFor({Amqp(), Amqp()});
  spec.cooldown_period = seconds(60);
  ScaledObjectController controller = Controller(spec);
  // Trigger 0 has 5 messages until t=120 (active), trigger 1 fails from t=30 to t=90.
  // Last active stays at t=0, so at t=120 (inactive, no error) 0 + 60 < 120: scale to 0.
  // Had the polls of t=30..90 refreshed it, the earliest would be t=180.
  const Timeline timeline = RunTimeline(controller, 130, 0, [](int t) {
    return std::vector{Ready(t < 120 ? 5 : 0), t >= 30 && t <= 90 ? Down() : Ready(0)};
  });
  EXPECT_EQ(timeline.ReplicasAt(90, 0), 1);
  EXPECT_EQ(timeline.changes.back(), (Change{120, 0, "keda"}));
}

TEST(ScaledObjectTest, AnErrorWithoutFallbackNeverScalesToZero) {
  ScaledObjectSpec spec = ObjectSpecFor({Amqp()});
  spec.cooldown_period = seconds(0);
  ScaledObjectController controller = Controller(spec);
  const Timeline timeline =
      RunTimeline(controller, 1200, 3, [](int) { return std::vector{Down()}; });
  EXPECT_TRUE(timeline.changes.empty());  // 3 for 20 minutes: KEDA waits, the HPA cannot read
  EXPECT_TRUE(timeline.decisions.back().error);
  EXPECT_NE(timeline.decisions.front().reason.find("no fallback"), std::string::npos)
      << timeline.decisions.front().reason;
}

TEST(ScaledObjectTest, FallbackCountsTheQueriesOfBothLoops) {
  ScaledObjectSpec spec = ObjectSpecFor({Amqp()});
  spec.fallback = Fallback{3, 6, FallbackBehavior::kStatic};
  ScaledObjectController controller = Controller(spec);
  // Failed queries: KEDA t=0 (1), HPA t=15 (2), KEDA t=30 (3), HPA t=30 (4 > 3): the HPA gets
  // 10 x 6 = 60 → ceil(60 / 10) = 6, limited to max(2 x 2, 4) = 4; at t=45 → 6, then held.
  const Timeline timeline =
      RunTimeline(controller, 600, 2, [](int) { return std::vector{Down()}; });
  EXPECT_EQ(timeline.changes, (std::vector<Change>{{30, 4, "hpa"}, {45, 6, "hpa"}}));
  EXPECT_TRUE(timeline.decisions.back().fallback);
  EXPECT_TRUE(timeline.decisions.back().active);  // a fallback counts as active
  EXPECT_EQ(timeline.decisions.back().metric, 60);
}

TEST(ScaledObjectTest, FallbackBehaviours) {
  struct Row {
    const char* what;
    FallbackBehavior behavior;
    MetricTargetType type;
    int ready;
    std::optional<double> metric;  // nullopt: the fallback cannot be served
  };
  using B = FallbackBehavior;
  using T = MetricTargetType;
  // 5 replicas now, fallback.replicas 3, target 10, threshold 0 (the first failure is > 0).
  const Row rows[] = {
      {"static", B::kStatic, T::kAverageValue, 5, 30},                     // 10 x 3
      {"currentReplicas", B::kCurrentReplicas, T::kAverageValue, 5, 50},   // 10 x 5
      {"ifHigher", B::kCurrentReplicasIfHigher, T::kAverageValue, 5, 50},  // max(5, 3)
      {"ifLower", B::kCurrentReplicasIfLower, T::kAverageValue, 5, 30},    // min(5, 3)
      {"Value over ready pods", B::kStatic, T::kValue, 2, 15},             // 10 x 3 / 2
      {"Value with no ready pod", B::kStatic, T::kValue, 0, std::nullopt},
  };
  for (const Row& row : rows) {
    RabbitMqTrigger trigger = Amqp();
    trigger.metric_type = row.type;
    ScaledObjectSpec spec = ObjectSpecFor({trigger});
    spec.fallback = Fallback{0, 3, row.behavior};
    ScaledObjectController controller = Controller(spec);
    const std::vector samples{Down()};
    const ScaleDecision decision = controller.Step(ScaleTime(0), samples, {5, 5, row.ready});
    EXPECT_EQ(decision.fallback, row.metric.has_value()) << row.what;
    EXPECT_EQ(decision.error, !row.metric.has_value()) << row.what;
    if (row.metric) {
      EXPECT_EQ(decision.metric, *row.metric) << row.what;
    }
  }
}

TEST(ScaledObjectTest, AFallbackOfZeroReplicasDoesNotHoldOffScaleToZero) {
  // While failures are not yet above the threshold the trigger is in error. With
  // fallback.replicas != 0 KEDA waits for the fallback; with 0 it scales to zero as if
  // inactive (RequestScale's branches).
  for (const int fallback_replicas : {0, 5}) {
    ScaledObjectSpec spec = ObjectSpecFor({Amqp()});
    spec.fallback = Fallback{100, fallback_replicas, FallbackBehavior::kStatic};
    spec.cooldown_period = seconds(0);
    ScaledObjectController controller = Controller(spec);
    const Timeline timeline =
        RunTimeline(controller, 60, 2, [](int) { return std::vector{Down()}; });
    if (fallback_replicas == 0) {
      // Never active, initialCooldownPeriod 0: 0 + 0 < 30 at the poll of t=30.
      EXPECT_EQ(timeline.changes, (std::vector<Change>{{30, 0, "keda"}}));
    } else {
      EXPECT_TRUE(timeline.changes.empty());
    }
  }
}

TEST(ScaledObjectTest, AmqpScalesBusyWorkersAwayHttpDoesNot) {
  // 2 workers busy with 5 unacknowledged messages, nothing ready, cooldown 60 s.
  for (const RabbitMqProtocol protocol : {RabbitMqProtocol::kAmqp, RabbitMqProtocol::kHttp}) {
    ScaledObjectSpec spec = ObjectSpecFor({Amqp()});
    spec.cooldown_period = seconds(60);
    ScaledObjectController controller(spec, {protocol}, ScaleTime(0));
    const Timeline timeline = RunTimeline(controller, 300, 2, [](int) {
      return std::vector<TriggerSample>{QueueSample{0, 5, 0}};
    });
    if (protocol == RabbitMqProtocol::kAmqp) {
      // AMQP sees 0 ready: never active; the HPA takes 2 → max(1, 0) = 1 at t=15 (0 desired,
      // no earlier recommendation); never active, so KEDA takes 1 → 0 at the first poll after
      // creation + initialCooldownPeriod 0 (t=30).
      EXPECT_EQ(timeline.changes, (std::vector<Change>{{15, 1, "hpa"}, {30, 0, "keda"}}));
    } else {
      // HTTP counts the 5 unacked: active, ceil(5 / 10) = 1 at t=15 (the HPA's floor), then held.
      EXPECT_EQ(timeline.changes, (std::vector<Change>{{15, 1, "hpa"}}));
    }
  }
}

TEST(ScaledObjectTest, IdleReplicaCount) {
  ScaledObjectSpec spec = ObjectSpecFor({Amqp()});
  spec.min_replica_count = 2;
  spec.idle_replica_count = 0;
  spec.cooldown_period = seconds(60);
  ScaledObjectController controller = Controller(spec);
  // Active at 0 → min 2 (HPA: ceil(15 / 10) = 2, no change). Empty from t=60: last active at
  // t=30, 30 + 60 < t first at the poll of t=120 → idle 0.
  const Timeline timeline =
      RunTimeline(controller, 200, 0, [](int t) { return std::vector{Ready(t < 60 ? 15 : 0)}; });
  EXPECT_EQ(timeline.changes, (std::vector<Change>{{0, 2, "keda"}, {120, 0, "keda"}}));
}

TEST(ScaledObjectTest, TheHpaNeverGoesBelowOne) {
  ScaledObjectSpec spec = ObjectSpecFor({Amqp()});
  spec.cooldown_period = seconds(3600);
  ScaledObjectController controller = Controller(spec);
  // Inactive, cooldown far away: the HPA (minReplicas max(1, 0) = 1) brings 4 down to 1 once the
  // recommendation of 4 at t=15 (within tolerance: ratio 40 / 40) leaves the window at t=330.
  const Timeline timeline =
      RunTimeline(controller, 600, 4, [](int t) { return std::vector{Ready(t < 20 ? 40 : 0)}; });
  EXPECT_EQ(timeline.changes, (std::vector<Change>{{330, 1, "hpa"}}));
}

TEST(ScaledObjectTest, BothLoopsDueAtOneInstantRunKedaFirst) {
  ScaledObjectController controller = Controller(ObjectSpecFor({Amqp()}));
  // Empty until t=20: KEDA at t=0 inactive, HPA at t=15 does nothing at 0. At t=30 KEDA
  // activates to 1 and the HPA, seeing 1, goes to min(ceil(100 / 10), 4) = 4 at once.
  const Timeline timeline =
      RunTimeline(controller, 30, 0, [](int t) { return std::vector{Ready(t < 20 ? 0 : 100)}; });
  EXPECT_EQ(timeline.changes, (std::vector<Change>{{30, 4, "hpa"}}));
  const std::string& reason = timeline.decisions.back().reason;
  EXPECT_NE(reason.find("keda: activated"), std::string::npos) << reason;
  EXPECT_NE(reason.find("hpa: "), std::string::npos) << reason;
  EXPECT_EQ(timeline.decisions.back().hpa_desired, 10);
}

TEST(ScaledObjectTest, SchedulesAndEarlyCalls) {
  ScaledObjectSpec spec = ObjectSpecFor({Amqp()});
  spec.polling_interval = seconds(20);
  ScaledObjectController controller = Controller(spec);
  const std::vector samples{Ready(0)};
  EXPECT_EQ(controller.NextDue(), ScaleTime(0));
  (void)controller.Step(ScaleTime(0), samples, {});
  EXPECT_EQ(controller.NextDue(), ScaleTime(15'000));  // HPA
  const ScaleDecision early = controller.Step(ScaleTime(10'000), samples, {});
  EXPECT_STREQ(early.loop, "");
  EXPECT_FALSE(early.changed);
  (void)controller.Step(ScaleTime(15'000), samples, {});
  EXPECT_EQ(controller.NextDue(), ScaleTime(20'000));  // KEDA
  (void)controller.Step(ScaleTime(20'000), samples, {});
  EXPECT_EQ(controller.NextDue(), ScaleTime(30'000));  // HPA
}

}  // namespace
}  // namespace pixfleet
