// ScaledObjectLoop with a fake pool and a fake queue, in virtual time (ScaleTime handed in):
// KEDA's end-to-end settings for its RabbitMQ scaler (polling 5 s, cooldown 10 s, min 0, max 4,
// QueueLength, value 10, activationValue 5), scale-down order, crash replacement.
#include "autoscale/scaled_object_loop.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include <gtest/gtest.h>

#include "autoscale/fake_replica_pool.h"

namespace pixfleet {
namespace {

using std::chrono::seconds;

ScaledObjectSpec KedaE2eSpec() {
  ScaledObjectSpec spec;
  spec.name = "worker";
  spec.polling_interval = seconds(5);
  spec.cooldown_period = seconds(10);
  spec.min_replica_count = 0;
  spec.max_replica_count = 4;
  RabbitMqTrigger trigger;
  trigger.host = "amqp://guest:guest@localhost:5672/";
  trigger.queue_name = "tasks";
  trigger.protocol = RabbitMqProtocol::kAmqp;
  trigger.value = 10;
  trigger.activation_value = 5;
  spec.triggers.push_back(trigger);
  return spec;
}

class ScaledObjectLoopTest : public ::testing::Test {
 protected:
  // `hpa` lets a test drop the HPA's 5-minute downscale stabilisation to see scale-down order.
  explicit ScaledObjectLoopTest(HpaSpec hpa = {}, CrashBackoff backoff = {})
      : loop_(ScaledObjectController(KedaE2eSpec(), {RabbitMqProtocol::kAmqp}, ScaleTime(0), hpa),
              {&queue_}, pool_, backoff) {}

  void SetReady(int64_t ready) { queue_.next = QueueSample{.ready = ready}; }

  // Ticks once a second from now_ up to `until`.
  void RunUntil(ScaleTime until) {
    for (; now_ <= until; now_ += seconds(1)) loop_.Tick(now_);
  }

  FakeMetricSource queue_;
  FakeReplicaPool pool_;
  ScaledObjectLoop loop_;
  ScaleTime now_{0};
};

TEST_F(ScaledObjectLoopTest, ThreeTasksStayBelowActivationForAMinute) {
  SetReady(3);  // 3 <= activationValue 5: not active
  RunUntil(seconds(60));
  EXPECT_EQ(pool_.starts, 0);
  EXPECT_EQ(loop_.target(), 0);
  // Polled every 5 s: at 0, 5, ..., 60 (and the HPA never runs at 0 replicas).
  EXPECT_GE(queue_.samples, 13);
}

TEST_F(ScaledObjectLoopTest, ActivatesToOneThenTheHpaGoesToTheMaximum) {
  SetReady(103);
  loop_.Tick(now_);
  // KEDA activates 0 -> max(min, 1) = 1 at its first poll.
  EXPECT_EQ(pool_.Live(), 1);
  RunUntil(seconds(30));
  // The HPA: ceil(103 / 10) = 11, limited by max(2 x 1, 4) = 4 and maxReplicaCount 4.
  EXPECT_EQ(pool_.Live(), 4);
  EXPECT_EQ(pool_.starts, 4);
  EXPECT_TRUE(pool_.stopped.empty());
}

TEST_F(ScaledObjectLoopTest, ReturnsToZeroAfterTheCooldownOnceTheQueueIsEmpty) {
  SetReady(103);
  RunUntil(seconds(30));
  ASSERT_EQ(pool_.Live(), 4);
  SetReady(0);
  const ScaleTime emptied = now_;
  RunUntil(seconds(30 + 9));
  // Inactive, but the cooldown (10 s since it was last active) has not passed.
  EXPECT_EQ(pool_.Live(), 4);
  RunUntil(seconds(30 + 30));
  EXPECT_EQ(pool_.Live(), 0);
  EXPECT_EQ(pool_.stopped.size(), 4u);
  // Straight from 4 to 0 (KEDA skips the HPA), within a poll after the cooldown.
  EXPECT_LE(now_ - emptied, seconds(30));
}

TEST_F(ScaledObjectLoopTest, ACrashedReplicaIsReplacedThenBacksOff) {
  SetReady(103);
  RunUntil(seconds(30));
  ASSERT_EQ(pool_.Live(), 4);
  pool_.Exit(2, 1);  // first crash: replaced at once
  loop_.Tick(now_);
  EXPECT_EQ(pool_.Live(), 4);
  EXPECT_EQ(pool_.starts, 5);
  pool_.Exit(3, 1);  // second in a row: 10 s of backoff
  loop_.Tick(now_);
  EXPECT_EQ(pool_.Live(), 3);
  loop_.Tick(now_ + seconds(9));
  EXPECT_EQ(pool_.Live(), 3);
  loop_.Tick(now_ + seconds(10));
  EXPECT_EQ(pool_.Live(), 4);
  EXPECT_TRUE(pool_.stopped.empty());
}

// A backoff longer than the cooldown, so that a scale-down comes while a restart waits.
class LongBackoffTest : public ScaledObjectLoopTest {
 protected:
  static CrashBackoff Minutes() {
    CrashBackoff backoff;
    backoff.base = std::chrono::minutes(2);
    return backoff;
  }
  LongBackoffTest() : ScaledObjectLoopTest({}, Minutes()) {}
};

TEST_F(LongBackoffTest, AReplicaWaitingForItsRestartIsDroppedFirstOnScaleDown) {
  SetReady(103);
  RunUntil(seconds(30));
  ASSERT_EQ(pool_.Live(), 4);
  pool_.Exit(1, 1);
  loop_.Tick(now_);
  pool_.Exit(2, 1);  // the second in a row waits 10 s
  loop_.Tick(now_);
  ASSERT_EQ(pool_.Live(), 3);
  const int starts = pool_.starts;
  // The queue drains: back to 0 after the cooldown (within 30 s), before the restart is due
  // (2 min), which is then never made.
  SetReady(0);
  RunUntil(now_ + seconds(30));
  EXPECT_EQ(pool_.Live(), 0);
  RunUntil(now_ + seconds(300));
  EXPECT_EQ(pool_.Live(), 0);
  EXPECT_EQ(pool_.stopped.size(), 3u);
  EXPECT_EQ(pool_.starts, starts);
}

TEST(CrashBackoffTest, DoublesFromTheBaseUpToTheCap) {
  const CrashBackoff backoff;  // 10 s, 5 min
  const std::vector<std::pair<int, int64_t>> cases = {
      {1, 0}, {2, 10'000}, {3, 20'000}, {4, 40'000}, {6, 160'000}, {7, 300'000}, {20, 300'000}};
  for (const auto& [crashes, millis] : cases) {
    EXPECT_EQ(backoff.DelayAfter(crashes).count(), millis) << crashes << " crashes";
  }
}

// Without the HPA's downscale stabilisation, so that 4 -> 2 happens as soon as the metric says.
class ScaleDownOrderTest : public ScaledObjectLoopTest {
 protected:
  static HpaSpec NoStabilisation() {
    HpaSpec hpa;
    hpa.downscale_stabilization = seconds(0);
    return hpa;
  }
  ScaleDownOrderTest() : ScaledObjectLoopTest(NoStabilisation()) {}

  // Four replicas running, reporting `states` (replica i + 1 gets states[i]).
  void StartFour(const std::vector<ReplicaStatus>& states) {
    SetReady(103);
    RunUntil(seconds(30));
    ASSERT_EQ(pool_.Live(), 4);
    for (size_t i = 0; i < states.size(); ++i) pool_.Report(static_cast<int>(i) + 1, states[i]);
  }

  // 15 ready: the HPA wants ceil(15 / 10) = 2 (15 / (10 x 4) = 0.375, outside the tolerance).
  std::vector<int> ScaleToTwo() {
    SetReady(15);
    RunUntil(now_ + seconds(30));
    EXPECT_EQ(pool_.Live(), 2);
    return pool_.stopped;
  }
};

const ReplicaStatus kIdle{ReplicaState::kIdle, 0};
const ReplicaStatus kBusy{ReplicaState::kBusy, 1};
const ReplicaStatus kUnknown{};

TEST_F(ScaleDownOrderTest, IdleFirstThenUnknownNeverBusy) {
  StartFour({kBusy, kIdle, kBusy, kUnknown});
  EXPECT_EQ(ScaleToTwo(), (std::vector<int>{2, 4}));
}

TEST_F(ScaleDownOrderTest, NewestFirstAmongIdleOnes) {
  StartFour({kIdle, kIdle, kIdle, kBusy});
  EXPECT_EQ(ScaleToTwo(), (std::vector<int>{3, 2}));
}

TEST_F(ScaleDownOrderTest, ABusyOneOnlyWhenNoIdleOneIsLeft) {
  StartFour({kBusy, kBusy, kIdle, kBusy});
  // The idle one, then the newest busy one.
  EXPECT_EQ(ScaleToTwo(), (std::vector<int>{3, 4}));
}

TEST_F(ScaleDownOrderTest, TerminatingReplicasAreNotCountedNorReplaced) {
  StartFour({kIdle, kIdle, kBusy, kBusy});
  ScaleToTwo();
  // The two stopped ones are still alive (draining) for a while: no replacement, no more stops.
  RunUntil(now_ + seconds(20));
  EXPECT_EQ(pool_.Replicas().size(), 4u);
  EXPECT_EQ(pool_.starts, 4);
  EXPECT_EQ(pool_.stopped.size(), 2u);
  pool_.FinishStops();
  RunUntil(now_ + seconds(5));
  EXPECT_EQ(pool_.Live(), 2);
  EXPECT_EQ(pool_.starts, 4);  // a requested exit is not a crash
}

}  // namespace
}  // namespace pixfleet
