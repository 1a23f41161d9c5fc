// The TaskQueue contract, checked against every backend (memory, sqlite) with a FakeClock:
// delivery, leases and their expiry, fencing by token, heartbeats, delayed retries,
// dead-lettering and the delivery limit, idempotent publication, revival, waiting, depth and
// releasing a dead consumer's leases. Then SQLite-only tests: four threads each with their own
// connection draining one file, a worker process killed with SIGKILL, persistence, and a busy
// database surfacing as kUnavailable.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <functional>
#include <latch>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "queue/dead_task.h"
#include "queue/memory/in_memory_task_queue.h"
#include "queue/sqlite/sqlite_task_queue.h"
#include "queue/task_queue.h"
#include "sqlite/sqlite_db.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {

// In the namespace of QueueDepth, where gtest looks for it.
void PrintTo(const QueueDepth& d, std::ostream* os) {
  *os << "{ready " << d.ready << ", delayed " << d.delayed << ", leased " << d.leased << ", dead "
      << d.dead << "}";
}

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kLease{10'000};

struct QueueFactory {
  std::string name;
  std::function<Result<std::unique_ptr<TaskQueue>>(const TempDir&, Clock&, const TaskQueueOptions&)>
      open;
  // ListDead is not on the port; each backend has its own.
  std::function<Result<std::vector<DeadTask>>(TaskQueue&)> list_dead;
};

void PrintTo(const QueueFactory& factory, std::ostream* os) { *os << factory.name; }

std::vector<QueueFactory> Factories() {
  return {
      {"memory",
       [](const TempDir&, Clock& clock,
          const TaskQueueOptions& options) -> Result<std::unique_ptr<TaskQueue>> {
         return std::unique_ptr<TaskQueue>(std::make_unique<InMemoryTaskQueue>(clock, options));
       },
       [](TaskQueue& queue) { return dynamic_cast<InMemoryTaskQueue&>(queue).ListDead(); }},
      {"sqlite",
       [](const TempDir& dir, Clock& clock,
          const TaskQueueOptions& options) -> Result<std::unique_ptr<TaskQueue>> {
         SqliteTaskQueueOptions sqlite_options;
         static_cast<TaskQueueOptions&>(sqlite_options) = options;
         sqlite_options.synchronous_full = false;  // no fsync per commit: tests stay quick
         PIXFLEET_ASSIGN_OR_RETURN(
             std::unique_ptr<SqliteTaskQueue> queue,
             SqliteTaskQueue::Open(dir.Join("queue.db"), sqlite_options, clock));
         return std::unique_ptr<TaskQueue>(std::move(queue));
       },
       [](TaskQueue& queue) { return dynamic_cast<SqliteTaskQueue&>(queue).ListDead(); }},
  };
}

TaskQueueOptions DefaultOptions() {
  TaskQueueOptions options;
  options.lease_duration = kLease;
  options.delivery_limit = 10;
  options.poll_interval = milliseconds(100);
  options.consumer_id = "host/1";
  return options;
}

std::vector<TaskSpec> MakeTasks(int count, const std::string& prefix = "t") {
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

class TaskQueueContractTest : public ::testing::TestWithParam<QueueFactory> {
 protected:
  void SetUp() override { queue_ = Open(DefaultOptions()); }

  std::unique_ptr<TaskQueue> Open(const TaskQueueOptions& options) {
    Result<std::unique_ptr<TaskQueue>> queue = GetParam().open(dir_, clock_, options);
    EXPECT_TRUE(queue.ok()) << queue.status().ToString();
    return queue.ok() ? std::move(queue).value() : nullptr;
  }

  // Leases without waiting; nullopt (and a failure) on error.
  std::optional<Lease> LeaseNow(TaskQueue& queue) {
    Result<std::optional<Lease>> lease = queue.LeaseNext(milliseconds(0));
    EXPECT_TRUE(lease.ok()) << lease.status().ToString();
    return lease.ok() ? *lease : std::nullopt;
  }
  std::optional<Lease> LeaseNow() { return LeaseNow(*queue_); }

  QueueDepth CurrentDepth() {
    Result<QueueDepth> depth = queue_->Depth();
    EXPECT_TRUE(depth.ok()) << depth.status().ToString();
    return depth.ok() ? *depth : QueueDepth{-1, -1, -1, -1};
  }

  std::vector<DeadTask> ListDead() {
    Result<std::vector<DeadTask>> dead = GetParam().list_dead(*queue_);
    EXPECT_TRUE(dead.ok()) << dead.status().ToString();
    return dead.ok() ? *dead : std::vector<DeadTask>{};
  }

  int64_t NowMillis() { return clock_.NowMillis(); }

  FakeClock clock_;
  TempDir dir_;
  std::unique_ptr<TaskQueue> queue_;
};

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

INSTANTIATE_TEST_SUITE_P(Backends, TaskQueueContractTest, ::testing::ValuesIn(Factories()),
                         [](const ::testing::TestParamInfo<QueueFactory>& test_param) {
                           return test_param.param.name;
                         });

// --- SQLite only: several connections, processes, files.

SqliteTaskQueueOptions FastSqliteOptions() {
  SqliteTaskQueueOptions options;
  options.lease_duration = milliseconds(5'000);
  options.poll_interval = milliseconds(5);
  options.synchronous_full = false;
  return options;
}

TEST(SqliteTaskQueueTest, FourConnectionsDrainTwoThousandTasksAckingEachOnce) {
  constexpr int kTasks = 2'000;
  constexpr int kThreads = 4;
  TempDir dir;
  const std::string path = dir.Join("queue.db");
  {
    auto queue = SqliteTaskQueue::Open(path, FastSqliteOptions(), RealClock::Instance());
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    ASSERT_TRUE((*queue)->Publish(MakeTasks(kTasks)).ok());
  }
  std::atomic<int> acked_total{0};
  std::atomic<int> unavailable{0};
  std::atomic<bool> failed{false};
  std::vector<std::vector<std::string>> acked(kThreads);
  const auto give_up = std::chrono::steady_clock::now() + seconds(120);
  std::latch opened(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SqliteTaskQueueOptions options = FastSqliteOptions();
      options.consumer_id = "thread/" + std::to_string(t);
      auto queue = SqliteTaskQueue::Open(path, options, RealClock::Instance());
      if (!queue.ok()) failed = true;
      opened.arrive_and_wait();  // all start together, or the first could drain the queue alone
      if (!queue.ok()) return;
      while (acked_total.load() < kTasks && std::chrono::steady_clock::now() < give_up) {
        Result<std::optional<Lease>> lease = (*queue)->LeaseNext(milliseconds(20));
        if (!lease.ok()) {
          if (lease.error().code() != StatusCode::kUnavailable) failed = true;
          ++unavailable;
          continue;
        }
        if (!lease->has_value()) continue;
        Status ack = (*queue)->Ack(**lease);
        if (ack.ok()) {
          acked[static_cast<size_t>(t)].push_back((*lease)->task.task_id);
          ++acked_total;
        } else if (ack.code() != StatusCode::kAborted && ack.code() != StatusCode::kUnavailable) {
          failed = true;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_FALSE(failed.load());
  std::map<std::string, int> ack_count;
  for (const auto& ids : acked) {
    for (const std::string& id : ids) ++ack_count[id];
  }
  EXPECT_EQ(ack_count.size(), static_cast<size_t>(kTasks));
  for (const auto& [id, count] : ack_count) EXPECT_EQ(count, 1) << id;
  // SQLite's lock is not fair, so one connection may go without; several must have taken part.
  const auto busy_connections =
      std::count_if(acked.begin(), acked.end(), [](const auto& ids) { return !ids.empty(); });
  EXPECT_GE(busy_connections, 2);

  auto queue = SqliteTaskQueue::Open(path, FastSqliteOptions(), RealClock::Instance());
  ASSERT_TRUE(queue.ok());
  Result<QueueDepth> depth = (*queue)->Depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(*depth, Depth(0, 0, 0, 0));
  RecordProperty("unavailable", unavailable.load());
}

// A worker process leases a task and is killed with SIGKILL: no ack, no cleanup. After its
// lease lapses the task is delivered again, to another process.
TEST(SqliteTaskQueueTest, TaskOfAKilledProcessIsDeliveredAgainAfterItsLease) {
  TempDir dir;
  const std::string path = dir.Join("queue.db");
  SqliteTaskQueueOptions options = FastSqliteOptions();
  options.lease_duration = milliseconds(1'500);
  {
    // Closed before the fork: a SQLite connection must not cross one.
    auto queue = SqliteTaskQueue::Open(path, options, RealClock::Instance());
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    ASSERT_TRUE((*queue)->Publish(MakeTasks(1)).ok());
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // The child reports through the pipe and its exit code only: no gtest in here.
    close(fds[0]);
    options.consumer_id = "child";
    auto queue = SqliteTaskQueue::Open(path, options, RealClock::Instance());
    if (!queue.ok()) _exit(2);
    Result<std::optional<Lease>> lease = (*queue)->LeaseNext(seconds(5));
    if (!lease.ok() || !lease->has_value()) _exit(3);
    const int64_t expires_ms = (*lease)->expires_ms;
    if (write(fds[1], &expires_ms, sizeof(expires_ms)) != sizeof(expires_ms)) _exit(4);
    while (true) pause();
  }
  close(fds[1]);
  int64_t child_expires_ms = 0;
  const ssize_t got = read(fds[0], &child_expires_ms, sizeof(child_expires_ms));
  close(fds[0]);
  kill(child, SIGKILL);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_EQ(got, static_cast<ssize_t>(sizeof(child_expires_ms)))
      << "the child did not lease the task (exit status " << wait_status << ")";
  EXPECT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);

  auto queue = SqliteTaskQueue::Open(path, options, RealClock::Instance());
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  if (RealClock::Instance().NowMillis() < child_expires_ms - 500) {
    Result<std::optional<Lease>> early = (*queue)->LeaseNext(milliseconds(0));
    ASSERT_TRUE(early.ok());
    EXPECT_FALSE(early->has_value()) << "delivered again while the dead child's lease held";
  }
  Result<std::optional<Lease>> lease = (*queue)->LeaseNext(seconds(10));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  ASSERT_TRUE(lease->has_value()) << "the killed child's task never came back";
  EXPECT_GE(RealClock::Instance().NowMillis(), child_expires_ms);
  EXPECT_EQ((*lease)->task.task_id, "t0");
  EXPECT_EQ((*lease)->attempt, 2);
  EXPECT_TRUE((*queue)->Ack(**lease).ok());
}

TEST(SqliteTaskQueueTest, StateSurvivesReopening) {
  TempDir dir;
  FakeClock clock;
  const std::string path = dir.Join("queue.db");
  Lease lease;
  {
    auto queue = SqliteTaskQueue::Open(path, FastSqliteOptions(), clock);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    ASSERT_TRUE((*queue)->Publish(MakeTasks(3)).ok());
    auto leased = (*queue)->LeaseNext(milliseconds(0));
    ASSERT_TRUE(leased.ok() && leased->has_value());
    lease = **leased;
  }
  auto queue = SqliteTaskQueue::Open(path, FastSqliteOptions(), clock);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  Result<QueueDepth> depth = (*queue)->Depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(*depth, Depth(2, 0, 1, 0));
  EXPECT_TRUE((*queue)->Ack(lease).ok()) << "a lease outlives the connection that took it";
}

TEST(SqliteTaskQueueTest, LockHeldByAnotherConnectionIsUnavailable) {
  TempDir dir;
  FakeClock clock;
  const std::string path = dir.Join("queue.db");
  SqliteTaskQueueOptions options = FastSqliteOptions();
  options.busy_timeout = milliseconds(50);
  auto queue = SqliteTaskQueue::Open(path, options, clock);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_TRUE((*queue)->Publish(MakeTasks(1)).ok());
  auto leased = (*queue)->LeaseNext(milliseconds(0));
  ASSERT_TRUE(leased.ok() && leased->has_value());

  auto other = sqlite::Database::Open(path, milliseconds(50));
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("BEGIN IMMEDIATE").ok());
  EXPECT_EQ((*queue)->Publish(MakeTasks(1, "x")).code(), StatusCode::kUnavailable);
  EXPECT_EQ((*queue)->Ack(**leased).code(), StatusCode::kUnavailable);
  Result<QueueDepth> depth = (*queue)->Depth();  // WAL: readers are never blocked
  EXPECT_TRUE(depth.ok());
  ASSERT_TRUE((*other)->Exec("ROLLBACK").ok());
  EXPECT_TRUE((*queue)->Ack(**leased).ok());
}

TEST(SqliteTaskQueueTest, RejectsInvalidOptions) {
  TempDir dir;
  SqliteTaskQueueOptions options;
  options.delivery_limit = 0;
  auto queue = SqliteTaskQueue::Open(dir.Join("q.db"), options, RealClock::Instance());
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pixfleet
