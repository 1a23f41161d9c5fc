// The TaskQueue contracts (task_queue_contract.h) instantiated for the memory and SQLite backends
// with a FakeClock: the port's and those of the three capabilities both backends have. Then
// SQLite-only tests: four threads each with their own connection draining
// one file, a worker process killed with SIGKILL, persistence, the state counts of a file made
// before they existed, and a busy database surfacing as kUnavailable.
#include "queue/task_queue_contract.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <functional>
#include <latch>
#include <map>
#include <memory>
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
#include "queue/task_queue_handle.h"
#include "sqlite/sqlite_db.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

using contract::DeduplicatingPublishContractTest;
using contract::Depth;
using contract::ExpiringLeasesContractTest;
using contract::LeaseReleaserContractTest;
using contract::MakeTasks;
using contract::QueueFactory;
using contract::TaskQueueContractTest;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<QueueFactory> Factories() {
  QueueFactory memory;
  memory.name = "memory";
  memory.open = [](const TempDir&, Clock& clock,
                   const TaskQueueOptions& options) -> Result<TaskQueueHandle> {
    return TaskQueueHandle::Of(std::make_unique<InMemoryTaskQueue>(clock, options));
  };
  memory.list_dead = [](TaskQueue& queue) {
    return dynamic_cast<InMemoryTaskQueue&>(queue).ListDead();
  };
  memory.lose_leases = contract::LapseLeases;
  QueueFactory sqlite;
  sqlite.name = "sqlite";
  sqlite.open = [](const TempDir& dir, Clock& clock,
                   const TaskQueueOptions& options) -> Result<TaskQueueHandle> {
    SqliteTaskQueueOptions sqlite_options;
    static_cast<TaskQueueOptions&>(sqlite_options) = options;
    sqlite_options.synchronous_full = false;  // no fsync per commit: tests stay quick
    PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<SqliteTaskQueue> queue,
                              SqliteTaskQueue::Open(dir.Join("queue.db"), sqlite_options, clock));
    return TaskQueueHandle::Of(std::move(queue));
  };
  sqlite.list_dead = [](TaskQueue& queue) {
    return dynamic_cast<SqliteTaskQueue&>(queue).ListDead();
  };
  sqlite.lose_leases = contract::LapseLeases;
  return {memory, sqlite};
}

INSTANTIATE_TEST_SUITE_P(Backends, TaskQueueContractTest, ::testing::ValuesIn(Factories()),
                         contract::FactoryName);
INSTANTIATE_TEST_SUITE_P(Backends, ExpiringLeasesContractTest, ::testing::ValuesIn(Factories()),
                         contract::FactoryName);
INSTANTIATE_TEST_SUITE_P(Backends, LeaseReleaserContractTest, ::testing::ValuesIn(Factories()),
                         contract::FactoryName);
INSTANTIATE_TEST_SUITE_P(Backends, DeduplicatingPublishContractTest,
                         ::testing::ValuesIn(Factories()), contract::FactoryName);

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
  threads.reserve(kThreads);
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

// A queue file from a version that counted rows for Depth: its counts are taken from the rows at
// the first open, then kept as tasks move (ready -> leased -> gone, dead -> ready again).
TEST(SqliteTaskQueueTest, AQueueFileWithoutStateCountsIsCountedAtItsFirstOpen) {
  TempDir dir;
  FakeClock clock;
  const std::string path = dir.Join("queue.db");
  {
    auto db = sqlite::Database::Open(path, milliseconds(100));
    ASSERT_TRUE(db.ok());
    const int64_t now = clock.NowMillis();
    const std::string later = std::to_string(now + 60'000);
    const std::string earlier = std::to_string(now - 1);
    ASSERT_TRUE((*db)
                    ->Exec(R"sql(
CREATE TABLE queue_tasks (
  task_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL, input_key TEXT NOT NULL,
  keep_extension INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0, not_before_ms INTEGER NOT NULL, lease_token TEXT,
  lease_owner TEXT, lease_expires_ms INTEGER, last_error TEXT, created_ms INTEGER NOT NULL);
CREATE INDEX queue_tasks_by_state ON queue_tasks (state, not_before_ms);
)sql")
                    .ok());
    const std::string rows =
        "INSERT INTO queue_tasks (task_id, batch_id, input_key, state, not_before_ms, "
        "lease_token, lease_expires_ms, created_ms) VALUES "
        "('due1', 'b', 'k1', 'ready', " +
        earlier +
        ", NULL, NULL, 0), "
        "('due2', 'b', 'k2', 'ready', " +
        earlier +
        ", NULL, NULL, 0), "
        "('later', 'b', 'k3', 'ready', " +
        later +
        ", NULL, NULL, 0), "
        "('held', 'b', 'k4', 'leased', " +
        earlier + ", 't1', " + later +
        ", 0), "
        "('lapsed', 'b', 'k5', 'leased', " +
        earlier + ", 't2', " + earlier +
        ", 0), "
        "('dead', 'b', 'k6', 'dead', " +
        earlier + ", NULL, NULL, 0)";
    ASSERT_TRUE((*db)->Exec(rows).ok());
  }
  auto queue = SqliteTaskQueue::Open(path, FastSqliteOptions(), clock);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  EXPECT_EQ(*(*queue)->Depth(), Depth(3, 1, 1, 1)) << "the lapsed lease counts as ready";

  auto leased = (*queue)->LeaseNext(milliseconds(0));
  ASSERT_TRUE(leased.ok() && leased->has_value());
  EXPECT_EQ(*(*queue)->Depth(), Depth(2, 1, 2, 1));
  ASSERT_TRUE((*queue)->Ack(**leased).ok());
  EXPECT_EQ(*(*queue)->Depth(), Depth(2, 1, 1, 1));
  const std::vector<TaskSpec> revived = {TaskSpec{"dead", "b", "k6", false}};
  ASSERT_TRUE((*queue)->Publish(revived).ok());  // revives the dead row
  EXPECT_EQ(*(*queue)->Depth(), Depth(3, 1, 1, 0));

  // Reopened, the counts are kept, not taken again.
  queue = SqliteTaskQueue::Open(path, FastSqliteOptions(), clock);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  EXPECT_EQ(*(*queue)->Depth(), Depth(3, 1, 1, 0));
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
