// The model against timelines worked out by hand from KEDA's and the HPA's rules
// (docs/autoscaling.md): the KEDA loop polls at t = 0 and every pollingInterval, the HPA syncs at
// 15 s and every 15 s after, and pods start in 0 s unless said otherwise.
#include "simulate/model.h"

#include <gtest/gtest.h>

namespace pixfleet::simulate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RabbitMqTrigger Trigger(double value, RabbitMqProtocol protocol) {
  RabbitMqTrigger trigger;
  trigger.queue_name = "tasks";
  trigger.protocol = protocol;
  trigger.value = value;
  return trigger;
}

Variant Object(double value, int max, RabbitMqProtocol protocol, seconds cooldown) {
  Variant v;
  v.label = "so";
  v.kind = VariantKind::kScaledObject;
  v.scaled_object.polling_interval = seconds(5);
  v.scaled_object.cooldown_period = cooldown;
  v.scaled_object.min_replica_count = 0;
  v.scaled_object.max_replica_count = max;
  v.scaled_object.triggers = {Trigger(value, protocol)};
  v.protocols = {protocol};
  return v;
}

Workload Batch(int64_t tasks, seconds each, seconds grace) {
  Workload w;
  w.arrivals = {BatchArrival{tasks, milliseconds(0)}};
  w.duration = FixedDuration{each};
  w.pod.startup = milliseconds(0);
  w.pod.slots = 1;
  w.pod.grace_period = grace;
  w.horizon = std::chrono::minutes(30);
  return w;
}

// Replicas asked for at time `at` (the last series point at or before it).
int ReplicasAt(const SimResult& r, seconds at) {
  int replicas = 0;
  for (const SeriesPoint& p : r.series) {
    if (p.at <= at) replicas = p.replicas;
  }
  return replicas;
}

// 100 tasks of 10 s, value 10, max 4, amqp, cooldown 30 s:
//   t=0   KEDA: 100 ready > 0 → 1 pod (A), which takes a task at once.
//   t=15  HPA: 98 ready → ceil(98/10) = 10, limited to max(2×1, 4) = 4 and max 4 → B, C, D.
//   From then A starts tasks at 20, 30, ... and B–D at 15, 25, ...: by t=250 A has started 26
//   and B–D 24 each (98); at 255 B and C take the last two, which finish at 265 = drain time.
//   The HPA keeps 4 (the 5-minute stabilisation holds the 10). KEDA last saw a ready message at
//   the 250 poll, so it scales to 0 at the first poll after 250 + 30, at 285: every pod is idle.
//   Paid: A 0→285, B–D 15→285: 285 + 3 × 270 = 1095 s; busy 100 × 10 = 1000 s.
TEST(SimulateModelTest, BatchOfHundredValueTenMaxFour) {
  const Variant v = Object(10, 4, RabbitMqProtocol::kAmqp, seconds(30));
  const Workload w = Batch(100, seconds(10), seconds(25));
  const SimResult r = Simulate(v, MakeTasks(w, 1), w);
  EXPECT_EQ(r.completed, 100);
  ASSERT_TRUE(r.drain_time.has_value());
  EXPECT_EQ(*r.drain_time, seconds(265));
  EXPECT_EQ(ReplicasAt(r, seconds(0)), 1);
  EXPECT_EQ(ReplicasAt(r, seconds(14)), 1);
  EXPECT_EQ(ReplicasAt(r, seconds(15)), 4);
  EXPECT_EQ(ReplicasAt(r, seconds(284)), 4);
  EXPECT_EQ(ReplicasAt(r, seconds(285)), 0);
  EXPECT_EQ(r.end, seconds(285));
  EXPECT_DOUBLE_EQ(r.paid_seconds, 1095);
  EXPECT_DOUBLE_EQ(r.busy_seconds, 1000);
  EXPECT_EQ(r.interrupted, 0);
  EXPECT_EQ(r.peak_pods, 4);
  EXPECT_EQ(r.peak_replicas, 4);
  EXPECT_EQ(r.peak_db_clients, 4);
}

// 8 tasks of 120 s, value 2, max 4, cooldown 10 s, grace 25 s.
//   Both: t=0 one pod; t=15 the HPA sees 7 ready (+1 unacked with http) → 4 pods; tasks run
//   0–120 and 15–135 on A and B–D, then the last four 120–240 and 135–255.
//   http: the 4 unacked keep the trigger active; drain at 255 s, nothing interrupted.
//   amqp: at 135 nothing is ready, so the last active poll is 130 and at 145 (> 130 + 10) KEDA
//   scales 4 → 0 with all four busy: SIGTERM, and at 170 the four tasks are handed back. KEDA
//   sees them ready, scales up again, and the same happens again and again: within the 30-minute
//   horizon it never drains.
TEST(SimulateModelTest, AmqpScalesBusyWorkersToZeroHttpDoesNot) {
  const Workload w = Batch(8, seconds(120), seconds(25));
  const auto tasks = MakeTasks(w, 1);
  const SimResult http = Simulate(Object(2, 4, RabbitMqProtocol::kHttp, seconds(10)), tasks, w);
  ASSERT_TRUE(http.drain_time.has_value());
  EXPECT_EQ(*http.drain_time, seconds(255));
  EXPECT_EQ(http.interrupted, 0);

  const SimResult amqp = Simulate(Object(2, 4, RabbitMqProtocol::kAmqp, seconds(10)), tasks, w);
  EXPECT_FALSE(amqp.drain_time.has_value());
  EXPECT_EQ(ReplicasAt(amqp, seconds(144)), 4);
  EXPECT_EQ(ReplicasAt(amqp, seconds(145)), 0);
  EXPECT_GE(amqp.interrupted, 4);                // the first round's four, at 170 s
  EXPECT_EQ(ReplicasAt(amqp, seconds(170)), 1);  // KEDA sees them ready again
  EXPECT_LT(amqp.completed, 8);
}

// Value 1, max 4, http, and a behavior block whose scale-down has no stabilisation window.
Variant ImmediateScaleDown() {
  Variant v = Object(1, 4, RabbitMqProtocol::kHttp, seconds(300));
  HpaBehavior behavior;
  behavior.scale_down.stabilization_window = seconds(0);
  v.scaled_object.behavior = behavior;
  return v;
}

// The HPA's scale-down picks the newest pod, busy or not. 4 tasks of 100 s, value 1, max 4,
// http, a behavior block whose scale-down has no stabilisation window:
//   t=0 A takes task 0; t=15 → 4 pods, B–D take tasks 1–3 (until 115).
//   t=100 A is idle; at the 105 sync the metric is 3 → 3 replicas. The victim is the most
//   recently ready, newest pod: D, which is busy. Grace 5 s: at 110 its task is handed back and
//   idle A takes it, finishing at 210 (drain 210 s, 1 interrupted). Grace 30 s: D finishes at
//   115 inside its grace period (drain 115 s, none interrupted).
TEST(SimulateModelTest, ScaleDownVictimIsTheNewestPodEvenWhenBusy) {
  const Variant v = ImmediateScaleDown();
  const Workload short_grace = Batch(4, seconds(100), seconds(5));
  const SimResult killed = Simulate(v, MakeTasks(short_grace, 1), short_grace);
  EXPECT_EQ(ReplicasAt(killed, seconds(104)), 4);
  EXPECT_EQ(ReplicasAt(killed, seconds(105)), 3);
  EXPECT_EQ(killed.busy_stopped, 1);
  EXPECT_EQ(killed.interrupted, 1);
  ASSERT_TRUE(killed.drain_time.has_value());
  EXPECT_EQ(*killed.drain_time, seconds(210));

  const Workload long_grace = Batch(4, seconds(100), seconds(30));
  const SimResult spared = Simulate(v, MakeTasks(long_grace, 1), long_grace);
  EXPECT_EQ(spared.busy_stopped, 1);  // stopped busy, but finished within its grace period
  EXPECT_EQ(spared.interrupted, 0);
  ASSERT_TRUE(spared.drain_time.has_value());
  EXPECT_EQ(*spared.drain_time, seconds(115));
}

// The same run (grace 5 s) with the workers writing pod-deletion-cost at a given pace.
//   Every 5 s at most: A is ready at 0 and writes idle; it takes task 0 at once, but may write
//   again only at 5: busy from 5. B–D are ready at 15, write idle, take tasks 1–3, busy from 20.
//   t=100 A finishes and writes idle (its last write was at 5). The 105 sync asks for 3: the
//   lowest cost is A's (idle), so A goes and exits at once. B–D finish at 115: drain 115 s, no
//   busy pod stopped, nothing handed back — against 1, 1 and 210 s without the annotation.
//   Every 100 s at most: a write held back does not protect. A writes idle at 0 and may write
//   next at 100; B–D write idle at 15 and may write busy only at 115. At 100 A finishes (idle,
//   as it last wrote: nothing to write). At the 105 sync all four are marked idle, so the next
//   rules decide, as without the annotation: D is stopped busy, its task handed back at 110.
TEST(SimulateModelTest, WithPodDeletionCostTheIdlePodGoesFirstOnceWritten) {
  const struct {
    seconds pace;
    int64_t busy_stopped;
    int64_t interrupted;
    seconds drain;
  } cases[] = {
      {seconds(5), 0, 0, seconds(115)},
      {seconds(100), 1, 1, seconds(210)},
  };
  const Workload w = Batch(4, seconds(100), seconds(5));
  for (const auto& c : cases) {
    Variant v = ImmediateScaleDown();
    v.deletion_cost = c.pace;
    const SimResult r = Simulate(v, MakeTasks(w, 1), w);
    EXPECT_EQ(ReplicasAt(r, seconds(105)), 3) << c.pace.count();
    EXPECT_EQ(r.busy_stopped, c.busy_stopped) << c.pace.count();
    EXPECT_EQ(r.interrupted, c.interrupted) << c.pace.count();
    EXPECT_EQ(r.drain_time, c.drain) << c.pace.count();
  }
}

// ScaledJob, 3 tasks of 60 s, value 1, start-up 5 s, polling 10 s: the poll at 0 sees 3 and
// creates 3 Jobs; each is ready at 5, takes one task and exits at 65. Later polls see nothing
// ready (amqp), so nothing more starts. Paid 3 × 65 s, busy 3 × 60 s.
TEST(SimulateModelTest, ScaledJobStartsOneJobPerTaskAndEachExits) {
  Variant v;
  v.label = "sj";
  v.kind = VariantKind::kScaledJob;
  v.scaled_job.polling_interval = seconds(10);
  v.scaled_job.max_replica_count = 10;
  v.scaled_job.triggers = {Trigger(1, RabbitMqProtocol::kAmqp)};
  v.protocols = {RabbitMqProtocol::kAmqp};
  Workload w = Batch(3, seconds(60), seconds(25));
  w.pod.startup = seconds(5);
  const SimResult r = Simulate(v, MakeTasks(w, 1), w);
  ASSERT_TRUE(r.drain_time.has_value());
  EXPECT_EQ(*r.drain_time, seconds(65));
  EXPECT_EQ(r.end, seconds(65));
  EXPECT_DOUBLE_EQ(r.paid_seconds, 195);
  EXPECT_DOUBLE_EQ(r.busy_seconds, 180);
  EXPECT_EQ(r.peak_pods, 3);
  EXPECT_EQ(r.interrupted, 0);
}

// Plain HPA: one warm pod from t = 0 (it cannot start from 0), 20 tasks of 10 s, value 5, max 4.
// t=0 sync: 20 ready → ceil(20/5) = 4 → 3 more pods at once. 4 pods × 10 s rounds: 20 tasks end
// at 50 s. It never goes below 1 pod, and the simulation stops once it is back at 1.
TEST(SimulateModelTest, PlainHpaKeepsOnePod) {
  Variant v = Object(5, 4, RabbitMqProtocol::kAmqp, seconds(30));
  v.kind = VariantKind::kPlainHpa;
  const Workload w = Batch(20, seconds(10), seconds(25));
  const SimResult r = Simulate(v, MakeTasks(w, 1), w);
  ASSERT_TRUE(r.drain_time.has_value());
  EXPECT_EQ(*r.drain_time, seconds(50));
  EXPECT_EQ(ReplicasAt(r, seconds(0)), 4);
  EXPECT_EQ(r.series.back().replicas, 1);
  EXPECT_EQ(r.series.back().pods, 1);
}

TEST(SimulateModelTest, SameSeedSameRun) {
  Workload w;
  w.arrivals = {SteadyArrival{3, milliseconds(0), seconds(120)},
                BurstArrival{40, seconds(30), seconds(60), 3}};
  w.duration = LognormalDuration{seconds(2), seconds(9)};
  w.pod.startup = seconds(7);
  w.pod.slots = 2;
  const Variant v = Object(5, 20, RabbitMqProtocol::kHttp, seconds(60));
  const SimResult a = Simulate(v, MakeTasks(w, 11), w);
  const SimResult b = Simulate(v, MakeTasks(w, 11), w);
  ASSERT_EQ(a.series.size(), b.series.size());
  for (size_t i = 0; i < a.series.size(); ++i) {
    EXPECT_EQ(a.series[i].at, b.series[i].at);
    EXPECT_EQ(a.series[i].ready, b.series[i].ready);
    EXPECT_EQ(a.series[i].pods, b.series[i].pods);
  }
  EXPECT_EQ(a.drain_time, b.drain_time);
  EXPECT_DOUBLE_EQ(a.paid_seconds, b.paid_seconds);
  EXPECT_EQ(a.completed, 360 + 120);
}

}  // namespace
}  // namespace pixfleet::simulate
