// The TaskQueue port's contract (see task_queue_contract.h): what every backend keeps, RabbitMQ
// included — delivery and acks, publication order, concurrent consumers, lost leases and their
// fencing, heartbeats, delayed retries, releasing without counting, dead letters and the
// delivery limit, waiting, depth, stopping to receive and to lease. No case depends on a
// capability, and none is skipped for one.
#include "queue/task_queue_contract.h"

#include <atomic>
#include <map>
#include <mutex>
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

// Bounds that only turn a hang into a failure.
constexpr milliseconds kGenerousWait{60'000};
constexpr auto kDepthSettles = seconds(60);

void LapseLeases(TaskQueue& /*queue*/, FakeClock& clock) { clock.Advance(kLease); }

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
  tasks.reserve(static_cast<size_t>(count));
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
}

void TaskQueueContractTest::TearDown() {
  if (handle_ && GetParam().tear_down) GetParam().tear_down(*handle_);
}

Clock& TaskQueueContractTest::BackendClock() {
  if (GetParam().real_time) return RealClock::Instance();
  return fake_clock_;
}

bool TaskQueueContractTest::Open(const TaskQueueOptions& options) {
  handle_ = TaskQueueHandle();  // the old object goes first: one open queue per case
  Result<TaskQueueHandle> opened = GetParam().open(dir_, BackendClock(), options);
  EXPECT_TRUE(opened.ok()) << "opening the queue: " << opened.status().ToString();
  if (!opened.ok()) return false;
  handle_ = std::move(opened).value();
  return true;
}

std::optional<Lease> TaskQueueContractTest::LeaseReady() {
  Result<std::optional<Lease>> lease = Queue().LeaseNext(GetParam().ready_wait);
  EXPECT_TRUE(lease.ok()) << lease.status().ToString();
  if (!lease.ok()) return std::nullopt;
  EXPECT_TRUE(lease->has_value()) << "no task delivered within " << GetParam().ready_wait.count()
                                  << " ms";
  return *lease;
}

void TaskQueueContractTest::ExpectNothingDeliverable(const std::string& why) {
  Result<std::optional<Lease>> lease = Queue().LeaseNext(GetParam().quiet_wait);
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_FALSE(lease->has_value()) << why << ": delivered " << (*lease)->task.task_id;
}

QueueDepth TaskQueueContractTest::CurrentDepth() {
  Result<QueueDepth> depth = Queue().Depth();
  EXPECT_TRUE(depth.ok()) << depth.status().ToString();
  return depth.ok() ? *depth : QueueDepth{-1, -1, -1, -1};
}

QueueDepth TaskQueueContractTest::DepthBecomes(const QueueDepth& expected) {
  const auto give_up = std::chrono::steady_clock::now() + kDepthSettles;
  QueueDepth depth = CurrentDepth();
  while (!(depth == expected) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(20));
    depth = CurrentDepth();
  }
  return depth;
}

std::vector<DeadTask> TaskQueueContractTest::ListDead() {
  Result<std::vector<DeadTask>> dead = GetParam().list_dead(Queue());
  EXPECT_TRUE(dead.ok()) << dead.status().ToString();
  return dead.ok() ? *dead : std::vector<DeadTask>{};
}

namespace {

// Every settling call with `lease` is kAborted: it was lost or settled.
void ExpectEveryCallAborted(TaskQueue& queue, Lease lease) {
  EXPECT_EQ(queue.Ack(lease).code(), StatusCode::kAborted);
  EXPECT_EQ(queue.Heartbeat(lease).code(), StatusCode::kAborted);
  EXPECT_EQ(queue.Retry(lease, milliseconds(0), "x").code(), StatusCode::kAborted);
  EXPECT_EQ(queue.Release(lease, "x").code(), StatusCode::kAborted);
  EXPECT_EQ(queue.DeadLetter(lease, "x").code(), StatusCode::kAborted);
}

}  // namespace

TEST_P(TaskQueueContractTest, PublishLeaseAck) {
  ASSERT_TRUE(Open());
  const std::vector<TaskSpec> tasks = MakeTasks(1);
  ASSERT_TRUE(Queue().Publish(tasks).ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0));

  const int64_t leased_at_ms = NowMillis();
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->task, tasks[0]);
  EXPECT_EQ(lease->attempt, 1);
  EXPECT_FALSE(lease->token.empty());
  EXPECT_GE(lease->expires_ms, leased_at_ms + kLease.count());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 0));

  EXPECT_TRUE(Queue().Ack(*lease).ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 0));
  ExpectNothingDeliverable("an acked task is gone");
  // Acked is gone: nothing is left to settle.
  ExpectEveryCallAborted(Queue(), *lease);
}

TEST_P(TaskQueueContractTest, EveryTaskFieldTravelsUnchanged) {
  ASSERT_TRUE(Open());
  const TaskSpec task{"t-fields", "batch-7", "Ferien/Strand \xc3\xa4 1.HEIC",
                      /*keep_extension=*/true};
  ASSERT_TRUE(Queue().Publish({&task, 1}).ok());
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->task, task);
}

TEST_P(TaskQueueContractTest, DeliversInPublicationOrder) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(3, "a")).ok());
  ASSERT_TRUE(Queue().Publish(MakeTasks(2, "b")).ok());
  std::vector<std::string> order;
  while (order.size() < 5) {
    std::optional<Lease> lease = LeaseReady();
    if (!lease.has_value()) break;
    order.push_back(lease->task.task_id);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a0", "a1", "a2", "b0", "b1"}));
  ExpectNothingDeliverable("five tasks were published");
}

// Four threads share one queue object, each leasing and acking as fast as it can: every task
// reaches exactly one of them once.
TEST_P(TaskQueueContractTest, ConcurrentConsumersReceiveEachTaskOnce) {
  ASSERT_TRUE(Open());
  constexpr int kTasks = 200;
  constexpr int kThreads = 4;
  ASSERT_TRUE(Queue().Publish(MakeTasks(kTasks)).ok());
  std::mutex mutex;
  std::map<std::string, int> deliveries;
  std::atomic<int> acked{0};
  std::atomic<bool> failed{false};
  const auto give_up = std::chrono::steady_clock::now() + kGenerousWait;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (acked.load() < kTasks && std::chrono::steady_clock::now() < give_up) {
        Result<std::optional<Lease>> lease = Queue().LeaseNext(GetParam().quiet_wait);
        if (!lease.ok()) {
          failed = true;
          return;
        }
        if (!lease->has_value()) continue;
        {
          std::lock_guard lock(mutex);
          ++deliveries[(*lease)->task.task_id];
        }
        if (!Queue().Ack(**lease).ok()) failed = true;
        ++acked;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_FALSE(failed.load());
  EXPECT_EQ(deliveries.size(), static_cast<size_t>(kTasks));
  for (const auto& [id, count] : deliveries) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(DepthBecomes(Depth(0, 0, 0, 0)), Depth(0, 0, 0, 0));
}

TEST_P(TaskQueueContractTest, ALostLeaseIsDeliveredAgainAndItsCallsAreAborted) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  std::optional<Lease> first = LeaseReady();
  ASSERT_TRUE(first.has_value());
  LoseLeases();  // its consumer died

  std::optional<Lease> second = LeaseReady();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->task, first->task);
  EXPECT_EQ(second->attempt, 2) << "the lost delivery counts";
  EXPECT_NE(second->token, first->token);
  ExpectEveryCallAborted(Queue(), *first);
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 0));
  EXPECT_TRUE(Queue().Ack(*second).ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 0));
}

TEST_P(TaskQueueContractTest, HeartbeatKeepsALiveLease) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  for (int beat = 0; beat < 3; ++beat) {
    const int64_t before_ms = NowMillis();
    ASSERT_TRUE(Queue().Heartbeat(*lease).ok());
    EXPECT_GE(lease->expires_ms, before_ms + kLease.count());
  }
  ExpectNothingDeliverable("a heartbeated lease is nobody else's");
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 0));
  EXPECT_TRUE(Queue().Ack(*lease).ok());
}

TEST_P(TaskQueueContractTest, RetryComesBackAfterItsDelay) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  std::optional<Lease> first = LeaseReady();
  ASSERT_TRUE(first.has_value());
  const auto retried_at = BackendClock().MonotonicNow();
  ASSERT_TRUE(Queue().Retry(*first, seconds(1), "storage unavailable").ok());
  EXPECT_EQ(Queue().Ack(*first).code(), StatusCode::kAborted) << "settled leases are gone";

  Result<std::optional<Lease>> second = Queue().LeaseNext(kGenerousWait);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE(second->has_value()) << "the retried task never came back";
  EXPECT_GE(BackendClock().MonotonicNow() - retried_at, seconds(1)) << "came back before its delay";
  EXPECT_EQ((*second)->task, first->task);
  EXPECT_EQ((*second)->attempt, 2);
  EXPECT_TRUE(Queue().Ack(**second).ok());
}

TEST_P(TaskQueueContractTest, RetryWithoutDelayIsDeliverableAtOnce) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  std::optional<Lease> first = LeaseReady();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(Queue().Retry(*first, milliseconds(0), "database busy").ok());
  std::optional<Lease> second = LeaseReady();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->attempt, 2);
  EXPECT_TRUE(Queue().Ack(*second).ok());
}

TEST_P(TaskQueueContractTest, ReleaseHandsTheTaskBackWithoutCountingTheDelivery) {
  ASSERT_TRUE(Open());
  const std::vector<TaskSpec> tasks = MakeTasks(1);
  ASSERT_TRUE(Queue().Publish(tasks).ok());
  std::optional<Lease> first = LeaseReady();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(Queue().Release(*first, "shutting down").ok());
  ExpectEveryCallAborted(Queue(), *first);

  std::optional<Lease> again = LeaseReady();
  ASSERT_TRUE(again.has_value()) << "a released task is deliverable at once";
  EXPECT_EQ(again->task, tasks[0]);
  EXPECT_EQ(again->attempt, 1) << "the released delivery must not count";
  EXPECT_NE(again->token, first->token);
  EXPECT_TRUE(Queue().Ack(*again).ok());
  EXPECT_EQ(DepthBecomes(Depth(0, 0, 0, 0)), Depth(0, 0, 0, 0));
}

TEST_P(TaskQueueContractTest, ReleaseKeepsTheAttemptNumberOfARetriedTask) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(Queue().Retry(*lease, milliseconds(0), "database busy").ok());
  lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  ASSERT_EQ(lease->attempt, 2);
  for (int release = 0; release < 3; ++release) {
    ASSERT_TRUE(Queue().Release(*lease, "environment refuses writes").ok());
    lease = LeaseReady();
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(lease->attempt, 2) << "after release " << release;
  }
  EXPECT_TRUE(Queue().Ack(*lease).ok());
}

// A worker that keeps handing a task back (its disk is full) must not get it dead-lettered for
// the delivery limit: only deliveries whose holder was lost count.
TEST_P(TaskQueueContractTest, ReleasedDeliveriesDoNotCountTowardTheDeliveryLimit) {
  TaskQueueOptions options = DefaultOptions();
  options.delivery_limit = 1;
  ASSERT_TRUE(Open(options));
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  for (int release = 0; release < 3; ++release) {
    std::optional<Lease> lease = LeaseReady();
    ASSERT_TRUE(lease.has_value()) << "dead-lettered after " << release << " releases";
    EXPECT_EQ(lease->attempt, 1);
    ASSERT_TRUE(Queue().Release(*lease, "disk full").ok());
  }
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  LoseLeases();  // the one delivery the limit allows, lost: now it is dead
  ExpectNothingDeliverable("the delivery limit of 1 was reached");
  EXPECT_EQ(DepthBecomes(Depth(0, 0, 0, 1)), Depth(0, 0, 0, 1));
}

TEST_P(TaskQueueContractTest, ADeadLetteredTaskIsNotDeliveredAndIsListed) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(Queue().DeadLetter(*lease, "corrupt JPEG").ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 1));
  ExpectEveryCallAborted(Queue(), *lease);

  ASSERT_TRUE(Queue().Publish(MakeTasks(1, "u")).ok());
  std::optional<Lease> other = LeaseReady();
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->task.task_id, "u0");
  ASSERT_TRUE(Queue().Ack(*other).ok());
  ExpectNothingDeliverable("a dead task is never delivered");
  EXPECT_EQ(ListDead(), (std::vector<DeadTask>{{lease->task, 1, "corrupt JPEG"}}));
}

TEST_P(TaskQueueContractTest, DeliveryLimitDeadLettersATaskWhoseLeasesKeepGettingLost) {
  TaskQueueOptions options = DefaultOptions();
  options.delivery_limit = 3;
  ASSERT_TRUE(Open(options));
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  for (int attempt = 1; attempt <= 3; ++attempt) {
    std::optional<Lease> lease = LeaseReady();
    ASSERT_TRUE(lease.has_value()) << "attempt " << attempt;
    EXPECT_EQ(lease->attempt, attempt);
    LoseLeases();  // the worker died holding it
  }
  ExpectNothingDeliverable("the delivery limit of 3 was reached");
  EXPECT_EQ(DepthBecomes(Depth(0, 0, 0, 1)), Depth(0, 0, 0, 1));
  const std::vector<DeadTask> dead = ListDead();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].task.task_id, "t0");
  EXPECT_EQ(dead[0].attempts, 3);
  EXPECT_EQ(dead[0].reason,
            "delivery limit of 3 exceeded (the task keeps crashing or timing out its workers)");
}

TEST_P(TaskQueueContractTest, ATaskAtItsDeliveryLimitDoesNotHoldUpTheOthers) {
  TaskQueueOptions options = DefaultOptions();
  options.delivery_limit = 1;
  ASSERT_TRUE(Open(options));
  ASSERT_TRUE(Queue().Publish(MakeTasks(1, "poison")).ok());
  ASSERT_TRUE(LeaseReady().has_value());
  LoseLeases();
  // Published only once the poison is dead: a broker would count a delivery it pushed ahead to
  // the dying consumer as lost too.
  ExpectNothingDeliverable("the delivery limit of 1 was reached");
  ASSERT_EQ(DepthBecomes(Depth(0, 0, 0, 1)), Depth(0, 0, 0, 1));
  ASSERT_TRUE(Queue().Publish(MakeTasks(1, "fine")).ok());
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->task.task_id, "fine0");
  EXPECT_EQ(lease->attempt, 1);
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 1, 1));
}

TEST_P(TaskQueueContractTest, PublishingADeadTaskAgainDeliversItAfresh) {
  ASSERT_TRUE(Open());
  const std::vector<TaskSpec> tasks = MakeTasks(1);
  ASSERT_TRUE(Queue().Publish(tasks).ok());
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(Queue().Retry(*lease, milliseconds(0), "database busy").ok());
  lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(Queue().DeadLetter(*lease, "unsupported format").ok());
  ASSERT_TRUE(Queue().Publish(tasks).ok());
  std::optional<Lease> revived = LeaseReady();
  ASSERT_TRUE(revived.has_value());
  EXPECT_EQ(revived->task, tasks[0]);
  EXPECT_EQ(revived->attempt, 1) << "a task published again starts over";
  EXPECT_TRUE(Queue().Ack(*revived).ok());
}

// A consumer that stops leasing keeps no task from the others: every task it did not lease,
// published before or after, is deliverable elsewhere (a broker had pushed some of them ahead
// into its prefetch), and the lease it holds stays its own to heartbeat and settle.
TEST_P(TaskQueueContractTest, AfterStopLeasingNoTaskWaitsOnThisConsumer) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(3, "before")).ok());
  std::optional<Lease> held = LeaseReady();
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->task.task_id, "before0");
  ASSERT_TRUE(Queue().StopLeasing().ok());
  EXPECT_TRUE(Queue().StopLeasing().ok()) << "a second call changes nothing";
  ASSERT_TRUE(Queue().Publish(MakeTasks(1, "after")).ok());
  // Ready counts what any consumer can take now: before1, before2 and after0.
  EXPECT_EQ(DepthBecomes(Depth(3, 0, 1, 0)), Depth(3, 0, 1, 0));
  EXPECT_TRUE(Queue().Heartbeat(*held).ok());
  EXPECT_TRUE(Queue().Ack(*held).ok());
  EXPECT_EQ(DepthBecomes(Depth(3, 0, 0, 0)), Depth(3, 0, 0, 0));
}

// A consumer told to receive nothing more still returns what it holds, and loses nothing: a
// broker's consumer the tasks pushed to it ahead (then nullopt), an embedded queue whatever is
// ready. StopLeasing afterwards hands back the rest.
TEST_P(TaskQueueContractTest, AfterStopReceivingWhatWasReceivedIsLeasedAndNothingIsLost) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(3, "before")).ok());
  std::optional<Lease> held = LeaseReady();
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->task.task_id, "before0");
  ASSERT_TRUE(Queue().StopReceiving().ok());
  EXPECT_TRUE(Queue().StopReceiving().ok()) << "a second call changes nothing";
  std::vector<Lease> kept;
  std::set<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    Result<std::optional<Lease>> next = Queue().LeaseNext(milliseconds(0));
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (!next->has_value()) break;
    EXPECT_TRUE(ids.insert((*next)->task.task_id).second) << "twice: " << (*next)->task.task_id;
    EXPECT_NE((*next)->task.task_id, "before0");
    kept.push_back(std::move(**next));
  }
  ASSERT_LE(kept.size(), 2U);
  const auto n = static_cast<int64_t>(kept.size());
  ASSERT_TRUE(Queue().StopLeasing().ok());
  EXPECT_EQ(DepthBecomes(Depth(2 - n, 0, 1 + n, 0)), Depth(2 - n, 0, 1 + n, 0));
  EXPECT_TRUE(Queue().Ack(*held).ok());
  for (const Lease& lease : kept) EXPECT_TRUE(Queue().Ack(lease).ok()) << lease.task.task_id;
  EXPECT_EQ(DepthBecomes(Depth(2 - n, 0, 0, 0)), Depth(2 - n, 0, 0, 0));
}

TEST_P(TaskQueueContractTest, LeaseNextWaitsUpToMaxWait) {
  ASSERT_TRUE(Open());
  const auto start = BackendClock().MonotonicNow();
  Result<std::optional<Lease>> none = Queue().LeaseNext(seconds(1));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  EXPECT_GE(BackendClock().MonotonicNow() - start, seconds(1));
  if (!GetParam().real_time) {
    // Virtual time is exact: the wait ends within one poll interval of max_wait.
    EXPECT_LE(BackendClock().MonotonicNow() - start, seconds(1) + DefaultOptions().poll_interval);
  }
}

TEST_P(TaskQueueContractTest, DepthCountsEveryState) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(Queue().Publish(MakeTasks(4)).ok());
  EXPECT_EQ(CurrentDepth(), Depth(4, 0, 0, 0));
  std::optional<Lease> kept = LeaseReady();
  std::optional<Lease> delayed = LeaseReady();
  std::optional<Lease> dead = LeaseReady();
  std::optional<Lease> acked = LeaseReady();
  ASSERT_TRUE(kept && delayed && dead && acked);
  ASSERT_TRUE(Queue().Retry(*delayed, seconds(600), "later").ok());
  ASSERT_TRUE(Queue().DeadLetter(*dead, "bad").ok());
  ASSERT_TRUE(Queue().Ack(*acked).ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 1, 1, 1));
}

TEST_P(TaskQueueContractTest, RejectsATaskWithoutAnId) {
  ASSERT_TRUE(Open());
  const std::vector<TaskSpec> tasks = {MakeTasks(1)[0], TaskSpec{"", "b", "x.jpg"}};
  EXPECT_EQ(Queue().Publish(tasks).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 0, 0)) << "nothing of a refused call is published";
}

}  // namespace contract
}  // namespace pixfleet
