// SqliteTaskQueue: the embedded TaskQueue of one-machine mode. One table in a SQLite file in WAL
// mode, shared by every worker process on the machine; every state change is a BEGIN IMMEDIATE
// transaction, so each one takes the single write lock up front and waits up to the busy
// timeout for it (longer waits surface as kUnavailable, which callers retry). Leases are rows
// with a random token and an expiry time read from the Clock: a crashed process's task becomes
// deliverable again when its lease lapses, and its stale token is rejected (kAborted). It has
// every capability: expiring leases, releasing a dead consumer's leases, de-duplicating publish
// (the table is keyed by task id).
//
// Concurrency inside a process: one connection per queue object, guarded by a mutex. SQLite
// admits one writer per file at a time and nearly every call here writes, so a connection per
// thread would only move the queueing from a cheap in-process mutex to SQLite's busy handler,
// which sleeps and polls (in steps of up to 100 ms) and is unfair; one connection also keeps one
// set of prepared statements. Processes each open their own queue object.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "queue/dead_task.h"
#include "queue/deduplicating_publish.h"
#include "queue/expiring_leases.h"
#include "queue/lease_releaser.h"
#include "queue/lease_token.h"
#include "queue/task_queue.h"
#include "queue/task_queue_options.h"
#include "sqlite/sqlite_db.h"

namespace pixfleet {

struct SqliteTaskQueueOptions : TaskQueueOptions {
  // How long a call waits for another process's write lock before failing with kUnavailable.
  std::chrono::milliseconds busy_timeout{5'000};
  // synchronous=FULL: a commit (a publish, an ack) survives power loss, not only a process
  // crash, at the cost of an fsync per commit. NORMAL may lose the last commits on an OS crash;
  // that only redelivers tasks, but may also drop recently published ones.
  bool synchronous_full = true;
};

class SqliteTaskQueue final : public TaskQueue,
                              public ExpiringLeases,
                              public LeaseReleaser,
                              public DeduplicatingPublish {
 public:
  // Opens or creates the queue in the SQLite file at `path`. Several processes may open the
  // same file at once. `clock` must outlive the queue.
  static Result<std::unique_ptr<SqliteTaskQueue>> Open(const std::string& path,
                                                       SqliteTaskQueueOptions options,
                                                       Clock& clock);
  ~SqliteTaskQueue() override;
  SqliteTaskQueue(const SqliteTaskQueue&) = delete;
  SqliteTaskQueue& operator=(const SqliteTaskQueue&) = delete;

  // TaskQueue
  Status Publish(std::span<const TaskSpec> tasks) override;
  Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds max_wait) override;
  Status Heartbeat(Lease& lease) override;
  Status Ack(const Lease& lease) override;
  Status Retry(const Lease& lease, std::chrono::milliseconds delay,
               std::string_view reason) override;
  Status Release(const Lease& lease, std::string_view reason) override;
  Status DeadLetter(const Lease& lease, std::string_view reason) override;
  Result<QueueDepth> Depth() override;

  // ExpiringLeases
  std::chrono::milliseconds LeaseDuration() const override { return options_.lease_duration; }

  // LeaseReleaser
  Status ReleaseLeases(std::string_view consumer_id) override;

  // DeduplicatingPublish (Publish de-duplicates too)
  Status PublishDeduplicated(std::span<const TaskSpec> tasks) override;

  // Dead-lettered tasks in the order they were first published.
  Result<std::vector<DeadTask>> ListDead();

 private:
  struct Statements;

  SqliteTaskQueue(std::unique_ptr<sqlite::Database> db, std::unique_ptr<Statements> statements,
                  SqliteTaskQueueOptions options, Clock& clock);

  Result<std::optional<Lease>> TryLease();
  // Runs `statement` (bound to one leased row and fenced by its token) in a transaction;
  // kAborted when no row matched, i.e. the lease was lost.
  Status SettleLocked(sqlite::Statement& statement, const Lease& lease);

  std::mutex mutex_;  // guards db_, statements_ and tokens_
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<Statements> statements_;  // destroyed before db_
  const SqliteTaskQueueOptions options_;
  Clock& clock_;
  LeaseTokenGenerator tokens_;
};

}  // namespace pixfleet
