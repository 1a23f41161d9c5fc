// The TaskQueue contract cases (see task_queue_contract.h): delivery, leases and their expiry,
// fencing by token, heartbeats, delayed retries, dead-lettering and the delivery limit,
// idempotent publication, revival, waiting, depth and releasing a dead consumer's leases.
// Cases that need a capability a backend lacks are skipped with the reason.
#include "queue/task_queue_contract.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace pixfleet {

void PrintTo(const QueueDepth& d, std::ostream* os) {
  *os << "{ready " << d.ready << ", delayed " << d.delayed << ", leased " << d.leased << ", dead "
      << d.dead << "}";
}

namespace contract {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Skips the current case unless the backend has `capability`.
#define PIXFLEET_REQUIRE_CAPABILITY(capability, why)                        \
  if (!GetParam().capabilities.capability) {                                \
    GTEST_SKIP() << GetParam().name << " lacks " #capability ": " << (why); \
  }

TaskQueueOptions DefaultOptions() {
  TaskQueueOptions options;
  options.lease_duration = kLease;
  options.delivery_limit = 10;
  options.poll_interval = milliseconds(100);
  options.consumer_id = "host/1";
  return options;
}

std::vector<TaskSpec> MakeTasks(int count, const std::string& prefix) {
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < count; ++i) {
    tasks.push_back(TaskSpec{prefix + std::to_string(i), "batch1",
                             "in/" + prefix + std::to_string(i) + ".jpg"});
  }
  return tasks;
}

QueueDepth Depth(int64_t ready, int64_t delayed, int64_t leased, int64_t dead) {
  return QueueDepth{ready, delayed, leased, dead};
}

void TaskQueueContractTest::SetUp() {
  if (GetParam().skip_reason) {
    const std::string reason = GetParam().skip_reason();
    if (!reason.empty()) GTEST_SKIP() << reason;
  }
  queue_ = Open(DefaultOptions());
}

void TaskQueueContractTest::TearDown() {
  if (queue_ != nullptr && GetParam().tear_down) GetParam().tear_down(*queue_);
}

std::unique_ptr<TaskQueue> TaskQueueContractTest::Open(const TaskQueueOptions& options) {
  Result<std::unique_ptr<TaskQueue>> queue = GetParam().open(dir_, clock_, options);
  EXPECT_TRUE(queue.ok()) << queue.status().ToString();
  return queue.ok() ? std::move(queue).value() : nullptr;
}

std::optional<Lease> TaskQueueContractTest::LeaseNow(TaskQueue& queue) {
  Result<std::optional<Lease>> lease = queue.LeaseNext(GetParam().lease_now_wait);
  EXPECT_TRUE(lease.ok()) << lease.status().ToString();
  return lease.ok() ? *lease : std::nullopt;
}

QueueDepth TaskQueueContractTest::CurrentDepth() {
  Result<QueueDepth> depth = queue_->Depth();
  EXPECT_TRUE(depth.ok()) << depth.status().ToString();
  return depth.ok() ? *depth : QueueDepth{-1, -1, -1, -1};
}

std::vector<DeadTask> TaskQueueContractTest::ListDead() {
  Result<std::vector<DeadTask>> dead = GetParam().list_dead(*queue_);
  EXPECT_TRUE(dead.ok()) << dead.status().ToString();
  return dead.ok() ? *dead : std::vector<DeadTask>{};
}

TEST_P(TaskQueueContractTest, PublishLeaseAck) {
  const std::vector<TaskSpec> tasks = MakeTasks(1);
  ASSERT_TRUE(queue_->Publish(tasks).ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0));

  std::optional<Lease> lease = LeaseNow();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->task, tasks[0]);
  EXPECT_EQ(lease->attempt, 1);
  EXPECT_FALSE(lease->token.empty());
  EXPECT_EQ(lease->expires_ms, NowMillis() + kLease.count());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 0));

  EXPECT_TRUE(queue_->Ack(*lease).ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 0));
  EXPECT_FALSE(LeaseNow().has_value());
  // Acked is gone: a second Ack has nothing to settle.
  EXPECT_EQ(queue_->Ack(*lease).code(), StatusCode::kAborted);
}

TEST_P(TaskQueueContractTest, EveryTaskFieldTravelsUnchanged) {
  const TaskSpec task{"t-fields", "batch-7", "Ferien/Strand \xc3\xa4 1.HEIC",
                      /*keep_extension=*/true};
  ASSERT_TRUE(queue_->Publish({&task, 1}).ok());
  std::optional<Lease> lease = LeaseNow();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->task, task);
}

TEST_P(TaskQueueContractTest, DeliversInPublicationOrder) {
  ASSERT_TRUE(queue_->Publish(MakeTasks(3, "a")).ok());
  ASSERT_TRUE(queue_->Publish(MakeTasks(2, "b")).ok());
  std::vector<std::string> order;
  while (std::optional<Lease> lease = LeaseNow()) order.push_back(lease->task.task_id);
  EXPECT_EQ(order, (std::vector<std::string>{"a0", "a1", "a2", "b0", "b1"}));
}

TEST_P(TaskQueueContractTest, NothingIsLeasedTwiceConcurrently) {
  PIXFLEET_REQUIRE_CAPABILITY(instant_delivery,
                              "LeaseNext(0) may return before pushed deliveries arrive, and "
                              "prefetch bounds the leases one consumer holds");
  constexpr int kTasks = 200;
  constexpr int kThreads = 4;
  ASSERT_TRUE(queue_->Publish(MakeTasks(kTasks)).ok());
  std::vector<std::vector<std::string>> leased(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, &leased, t] {
      while (true) {
        Result<std::optional<Lease>> lease = queue_->LeaseNext(milliseconds(0));
        if (!lease.ok() || !lease->has_value()) return;
        leased[static_cast<size_t>(t)].push_back((*lease)->task.task_id);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> distinct;
  size_t total = 0;
  for (const auto& ids : leased) {
    total += ids.size();
    distinct.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, static_cast<size_t>(kTasks));
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kTasks));
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, kTasks, 0));
}

TEST_P(TaskQueueContractTest, LapsedLeaseIsDeliveredAgainAndTheStaleTokenRejected) {
  PIXFLEET_REQUIRE_CAPABILITY(
      lease_expiry,
      "leases do not lapse on the Clock; see the connection-loss test of the backend");
  ASSERT_TRUE(queue_->Publish(MakeTasks(1)).ok());
  std::optional<Lease> first = LeaseNow();
  ASSERT_TRUE(first.has_value());

  clock_.Advance(kLease - milliseconds(1));
  EXPECT_FALSE(LeaseNow().has_value()) << "delivered again before its lease lapsed";
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0)) << "a lapsed lease counts as ready";

  std::optional<Lease> second = LeaseNow();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->task, first->task);
  EXPECT_EQ(second->attempt, 2);
  EXPECT_NE(second->token, first->token);

  Lease stale = *first;
  EXPECT_EQ(queue_->Ack(stale).code(), StatusCode::kAborted);
  EXPECT_EQ(queue_->Heartbeat(stale).code(), StatusCode::kAborted);
  EXPECT_EQ(queue_->Retry(stale, milliseconds(0), "x").code(), StatusCode::kAborted);
  EXPECT_EQ(queue_->DeadLetter(stale, "x").code(), StatusCode::kAborted);
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 0));
  EXPECT_TRUE(queue_->Ack(*second).ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 0));
}

TEST_P(TaskQueueContractTest, LapsedLeaseNobodyRetookIsStillHonoured) {
  ASSERT_TRUE(queue_->Publish(MakeTasks(1)).ok());
  std::optional<Lease> lease = LeaseNow();
  ASSERT_TRUE(lease.has_value());
  clock_.Advance(kLease * 2);
  // The token is the fence: nobody else can be running the task, so the slow worker's result
  // stands.
  EXPECT_TRUE(queue_->Ack(*lease).ok());
  EXPECT_FALSE(LeaseNow().has_value());
}

TEST_P(TaskQueueContractTest, HeartbeatKeepsTheLease) {
  ASSERT_TRUE(queue_->Publish(MakeTasks(1)).ok());
  std::optional<Lease> lease = LeaseNow();
  ASSERT_TRUE(lease.has_value());
  for (int beat = 0; beat < 5; ++beat) {
    clock_.Advance(kLease * 3 / 4);
    ASSERT_TRUE(queue_->Heartbeat(*lease).ok());
    EXPECT_EQ(lease->expires_ms, NowMillis() + kLease.count());
    EXPECT_FALSE(LeaseNow().has_value()) << "delivered again despite heartbeats";
    EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 0));
  }
  EXPECT_TRUE(queue_->Ack(*lease).ok());
}

TEST_P(TaskQueueContractTest, RetryIsInvisibleUntilItsNotBeforeTime) {
  PIXFLEET_REQUIRE_CAPABILITY(
      delays_follow_clock,
      "retry delays run on the broker clock; see the delayed-retry test of the backend");
  ASSERT_TRUE(queue_->Publish(MakeTasks(1)).ok());
  std::optional<Lease> first = LeaseNow();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(queue_->Retry(*first, seconds(30), "storage unavailable").ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 1, 0, 0));
  EXPECT_EQ(queue_->Ack(*first).code(), StatusCode::kAborted) << "settled leases are gone";

  clock_.Advance(seconds(30) - milliseconds(1));
  EXPECT_FALSE(LeaseNow().has_value());
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0));
  std::optional<Lease> second = LeaseNow();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->attempt, 2);
  EXPECT_TRUE(queue_->Ack(*second).ok());
}

TEST_P(TaskQueueContractTest, RetryWithoutDelayIsDeliverableAtOnce) {
  ASSERT_TRUE(queue_->Publish(MakeTasks(1)).ok());
  std::optional<Lease> first = LeaseNow();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(queue_->Retry(*first, milliseconds(0), "shutting down").ok());
  std::optional<Lease> second = LeaseNow();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->attempt, 2);
}

TEST_P(TaskQueueContractTest, DeadLetterLeavesTheReadyCounts) {
  PIXFLEET_REQUIRE_CAPABILITY(instant_delivery,
                              "prefetched deliveries leave the ready count before they are leased");
  ASSERT_TRUE(queue_->Publish(MakeTasks(2)).ok());
  std::optional<Lease> lease = LeaseNow();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(queue_->DeadLetter(*lease, "corrupt JPEG").ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 1));
  EXPECT_EQ(queue_->Ack(*lease).code(), StatusCode::kAborted);

  std::optional<Lease> other = LeaseNow();
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(other->task.task_id, lease->task.task_id);
  ASSERT_TRUE(queue_->Ack(*other).ok());
  EXPECT_FALSE(LeaseNow().has_value()) << "a dead task is never delivered";
  EXPECT_EQ(ListDead(), (std::vector<DeadTask>{{lease->task, 1, "corrupt JPEG"}}));
}

TEST_P(TaskQueueContractTest, DeliveryLimitDeadLettersATaskThatKeepsLapsing) {
  PIXFLEET_REQUIRE_CAPABILITY(lease_expiry,
                              "only lost connections count toward the delivery limit; see the "
                              "delivery-limit test of the backend");
  TaskQueueOptions options = DefaultOptions();
  options.delivery_limit = 3;
  queue_ = Open(options);
  ASSERT_TRUE(queue_->Publish(MakeTasks(1)).ok());
  for (int attempt = 1; attempt <= 3; ++attempt) {
    std::optional<Lease> lease = LeaseNow();
    ASSERT_TRUE(lease.has_value()) << "attempt " << attempt;
    EXPECT_EQ(lease->attempt, attempt);
    if (attempt == 2) {
      ASSERT_TRUE(queue_->Retry(*lease, milliseconds(0), "decoder crashed").ok());
    } else {
      clock_.Advance(kLease);  // the worker died holding it
    }
  }
  EXPECT_FALSE(LeaseNow().has_value());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 1));
  const std::vector<DeadTask> dead = ListDead();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].task.task_id, "t0");
  EXPECT_EQ(dead[0].attempts, 3);
  EXPECT_EQ(dead[0].reason,
            "delivery limit of 3 exceeded (the task keeps crashing or timing out its workers); "
            "last error: decoder crashed");
}

TEST_P(TaskQueueContractTest, DeliveryLimitSkipsToTheNextTask) {
  PIXFLEET_REQUIRE_CAPABILITY(lease_expiry,
                              "only lost connections count toward the delivery limit");
  TaskQueueOptions options = DefaultOptions();
  options.delivery_limit = 1;
  queue_ = Open(options);
  ASSERT_TRUE(queue_->Publish(MakeTasks(1, "poison")).ok());
  ASSERT_TRUE(LeaseNow().has_value());
  clock_.Advance(kLease);
  ASSERT_TRUE(queue_->Publish(MakeTasks(1, "fine")).ok());
  // The lapsed poison task comes first, is dead-lettered, and the same call delivers the next.
  std::optional<Lease> lease = LeaseNow();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->task.task_id, "fine0");
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 1));
}

TEST_P(TaskQueueContractTest, PublishIsIdempotent) {
  PIXFLEET_REQUIRE_CAPABILITY(
      deduplicates_publish, "de-duplication happens at the effect (result row upsert by task id)");
  const std::vector<TaskSpec> tasks = MakeTasks(3);
  ASSERT_TRUE(queue_->Publish(tasks).ok());
  ASSERT_TRUE(queue_->Publish(tasks).ok());
  EXPECT_EQ(CurrentDepth(), Depth(3, 0, 0, 0));

  // Publishing again leaves leased and delayed tasks as they are.
  std::optional<Lease> leased = LeaseNow();
  ASSERT_TRUE(leased.has_value());
  std::optional<Lease> delayed = LeaseNow();
  ASSERT_TRUE(delayed.has_value());
  ASSERT_TRUE(queue_->Retry(*delayed, seconds(60), "later").ok());
  ASSERT_TRUE(queue_->Publish(tasks).ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 1, 1, 0));
  EXPECT_TRUE(queue_->Ack(*leased).ok()) << "re-publishing must not break a lease";

  // Duplicates inside one call are one task too.
  const std::vector<TaskSpec> twice = {MakeTasks(1, "d")[0], MakeTasks(1, "d")[0]};
  ASSERT_TRUE(queue_->Publish(twice).ok());
  EXPECT_EQ(CurrentDepth(), Depth(2, 1, 0, 0));
}

TEST_P(TaskQueueContractTest, RepublishRevivesADeadTask) {
  PIXFLEET_REQUIRE_CAPABILITY(deduplicates_publish,
                              "a republished dead task is a new message; the dead copy stays");
  const std::vector<TaskSpec> tasks = MakeTasks(1);
  ASSERT_TRUE(queue_->Publish(tasks).ok());
  std::optional<Lease> lease = LeaseNow();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(queue_->DeadLetter(*lease, "unsupported format").ok());
  ASSERT_TRUE(queue_->Publish(tasks).ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0));
  EXPECT_TRUE(ListDead().empty());
  std::optional<Lease> revived = LeaseNow();
  ASSERT_TRUE(revived.has_value());
  EXPECT_EQ(revived->task, tasks[0]);
  EXPECT_EQ(revived->attempt, 1) << "a revived task starts a fresh attempt count";
}

TEST_P(TaskQueueContractTest, LeaseNextWaitsUpToMaxWait) {
  PIXFLEET_REQUIRE_CAPABILITY(delays_follow_clock, "waits are network waits on the steady clock");
  const auto start = clock_.MonotonicNow();
  Result<std::optional<Lease>> none = queue_->LeaseNext(seconds(5));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  EXPECT_GE(clock_.MonotonicNow() - start, seconds(5));
  EXPECT_LT(clock_.MonotonicNow() - start, seconds(5) + milliseconds(200));

  // A task that becomes deliverable during the wait is returned.
  ASSERT_TRUE(queue_->Publish(MakeTasks(1)).ok());
  std::optional<Lease> lease = LeaseNow();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(queue_->Retry(*lease, seconds(2), "later").ok());
  const auto wait_start = clock_.MonotonicNow();
  Result<std::optional<Lease>> later = queue_->LeaseNext(seconds(5));
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  ASSERT_TRUE(later->has_value());
  EXPECT_GE(clock_.MonotonicNow() - wait_start, seconds(2));
  EXPECT_LT(clock_.MonotonicNow() - wait_start, seconds(3));
}

TEST_P(TaskQueueContractTest, DepthCountsEveryState) {
  PIXFLEET_REQUIRE_CAPABILITY(lease_expiry, "no lease lapses, so none counts as ready again");
  ASSERT_TRUE(queue_->Publish(MakeTasks(6)).ok());
  std::optional<Lease> a = LeaseNow();  // stays leased, heartbeated
  std::optional<Lease> b = LeaseNow();  // lapses: counts as ready
  std::optional<Lease> c = LeaseNow();  // retried with a delay
  std::optional<Lease> d = LeaseNow();  // dead-lettered
  std::optional<Lease> e = LeaseNow();  // acked: not counted
  ASSERT_TRUE(a && b && c && d && e);
  ASSERT_TRUE(queue_->Retry(*c, seconds(600), "later").ok());
  ASSERT_TRUE(queue_->DeadLetter(*d, "bad").ok());
  ASSERT_TRUE(queue_->Ack(*e).ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 1, 2, 1));
  clock_.Advance(kLease / 2);
  ASSERT_TRUE(queue_->Heartbeat(*a).ok());
  clock_.Advance(kLease / 2);
  EXPECT_EQ(CurrentDepth(), Depth(2, 1, 1, 1));
}

TEST_P(TaskQueueContractTest, ReleaseLeasesOfAConsumer) {
  PIXFLEET_REQUIRE_CAPABILITY(releases_leases,
                              "closing the consumer connection is what releases its deliveries");
  ASSERT_TRUE(queue_->Publish(MakeTasks(2)).ok());
  std::optional<Lease> a = LeaseNow();
  std::optional<Lease> b = LeaseNow();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(queue_->ReleaseLeases("host/2").ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 2, 0)) << "another consumer's leases are not touched";

  ASSERT_TRUE(queue_->ReleaseLeases(DefaultOptions().consumer_id).ok());
  EXPECT_EQ(CurrentDepth(), Depth(2, 0, 0, 0));
  EXPECT_EQ(queue_->Ack(*a).code(), StatusCode::kAborted);
  std::optional<Lease> again = LeaseNow();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->task, a->task) << "a released task keeps its place in the order";
  EXPECT_EQ(again->attempt, 2) << "the lost delivery still counts";

  ASSERT_TRUE(queue_->ReleaseLeases("").ok());  // every consumer's
  EXPECT_EQ(CurrentDepth(), Depth(2, 0, 0, 0));
}

TEST_P(TaskQueueContractTest, RejectsATaskWithoutAnId) {
  const std::vector<TaskSpec> tasks = {TaskSpec{"", "b", "x.jpg"}};
  EXPECT_EQ(queue_->Publish(tasks).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 0));
}

}  // namespace contract
}  // namespace pixfleet
