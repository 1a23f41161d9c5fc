// The ExpiringLeases contract (expiring_leases.h), for the backends that claim the capability:
// lease expiry on the Clock, heartbeats that move it, lapsed leases delivered again (and counted
// as ready and toward the delivery limit), and the token as the fence.
#include <string>
#include <vector>

#include "queue/task_queue_contract.h"

namespace pixfleet::contract {

// Binaries for backends without the capability (RabbitMQ's) link the suite but do not run it.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExpiringLeasesContractTest);

using std::chrono::milliseconds;
using std::chrono::seconds;

void ExpiringLeasesContractTest::SetUp() {
  TaskQueueContractTest::SetUp();
  if (IsSkipped()) return;
  ASSERT_FALSE(GetParam().real_time) << "expiring leases are tested in virtual time";
  ASSERT_TRUE(Open());
  ASSERT_NE(Handle().AsExpiringLeases(), nullptr) << GetParam().name << " lacks ExpiringLeases";
}

TEST_P(ExpiringLeasesContractTest, ALeaseLastsTheLeaseDurationFromItsLastHeartbeat) {
  EXPECT_EQ(Leases().LeaseDuration(), kLease);
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->expires_ms, NowMillis() + kLease.count());
  for (int beat = 0; beat < 5; ++beat) {
    fake_clock_.Advance(kLease * 3 / 4);
    ASSERT_TRUE(Queue().Heartbeat(*lease).ok());
    EXPECT_EQ(lease->expires_ms, NowMillis() + kLease.count());
    ExpectNothingDeliverable("delivered again despite heartbeats");
    EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 0));
  }
  EXPECT_TRUE(Queue().Ack(*lease).ok());
}

TEST_P(ExpiringLeasesContractTest, ALapsedLeaseIsDeliveredAgainAndTheStaleTokenRejected) {
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  std::optional<Lease> first = LeaseReady();
  ASSERT_TRUE(first.has_value());

  fake_clock_.Advance(kLease - milliseconds(1));
  ExpectNothingDeliverable("delivered again before its lease lapsed");
  fake_clock_.Advance(milliseconds(1));
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0)) << "a lapsed lease counts as ready";

  std::optional<Lease> second = LeaseReady();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->task, first->task);
  EXPECT_EQ(second->attempt, 2);
  EXPECT_NE(second->token, first->token);

  Lease stale = *first;
  EXPECT_EQ(Queue().Ack(stale).code(), StatusCode::kAborted);
  EXPECT_EQ(Queue().Heartbeat(stale).code(), StatusCode::kAborted);
  EXPECT_EQ(Queue().Retry(stale, milliseconds(0), "x").code(), StatusCode::kAborted);
  EXPECT_EQ(Queue().Release(stale, "x").code(), StatusCode::kAborted);
  EXPECT_EQ(Queue().DeadLetter(stale, "x").code(), StatusCode::kAborted);
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 0));
  EXPECT_TRUE(Queue().Ack(*second).ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 0));
}

TEST_P(ExpiringLeasesContractTest, ALapsedLeaseNobodyRetookIsStillHonoured) {
  ASSERT_TRUE(Queue().Publish(MakeTasks(2)).ok());
  std::optional<Lease> acked = LeaseReady();
  std::optional<Lease> released = LeaseReady();
  ASSERT_TRUE(acked && released);
  fake_clock_.Advance(kLease * 2);
  // The token is the fence: nobody else can be running the tasks, so the slow worker's calls
  // stand.
  EXPECT_TRUE(Queue().Ack(*acked).ok());
  EXPECT_TRUE(Queue().Release(*released, "shutting down").ok());
  std::optional<Lease> again = LeaseReady();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->task, released->task);
  EXPECT_EQ(again->attempt, 1);
  ExpectNothingDeliverable("the acked task is gone");
}

// Every delivery counts toward the limit here, lapsed and retried alike (released ones do not:
// the port's contract checks that).
TEST_P(ExpiringLeasesContractTest, DeliveryLimitCountsLapsedAndRetriedDeliveries) {
  TaskQueueOptions options = DefaultOptions();
  options.delivery_limit = 3;
  ASSERT_TRUE(Open(options));
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  for (int attempt = 1; attempt <= 3; ++attempt) {
    std::optional<Lease> lease = LeaseReady();
    ASSERT_TRUE(lease.has_value()) << "attempt " << attempt;
    EXPECT_EQ(lease->attempt, attempt);
    if (attempt == 2) {
      ASSERT_TRUE(Queue().Retry(*lease, milliseconds(0), "decoder crashed").ok());
    } else {
      fake_clock_.Advance(kLease);  // the worker died holding it
    }
  }
  ExpectNothingDeliverable("the delivery limit of 3 was reached");
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 1));
  const std::vector<DeadTask> dead = ListDead();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts, 3);
  EXPECT_EQ(dead[0].reason,
            "delivery limit of 3 exceeded (the task keeps crashing or timing out its workers); "
            "last error: decoder crashed");
}

TEST_P(ExpiringLeasesContractTest, ALapsedTaskAtItsLimitIsDeadLetteredByTheCallThatLeasesTheNext) {
  TaskQueueOptions options = DefaultOptions();
  options.delivery_limit = 1;
  ASSERT_TRUE(Open(options));
  ASSERT_TRUE(Queue().Publish(MakeTasks(1, "poison")).ok());
  ASSERT_TRUE(LeaseReady().has_value());
  fake_clock_.Advance(kLease);
  ASSERT_TRUE(Queue().Publish(MakeTasks(1, "fine")).ok());
  // The lapsed poison task comes first, is dead-lettered, and the same call delivers the next.
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->task.task_id, "fine0");
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 1));
}

TEST_P(ExpiringLeasesContractTest, DepthCountsALapsedLeaseAsReady) {
  ASSERT_TRUE(Queue().Publish(MakeTasks(3)).ok());
  std::optional<Lease> kept = LeaseReady();
  std::optional<Lease> lapsing = LeaseReady();
  ASSERT_TRUE(kept && lapsing);
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 2, 0));
  fake_clock_.Advance(kLease / 2);
  ASSERT_TRUE(Queue().Heartbeat(*kept).ok());
  fake_clock_.Advance(kLease / 2);
  EXPECT_EQ(CurrentDepth(), Depth(2, 0, 1, 0));
}

}  // namespace pixfleet::contract
