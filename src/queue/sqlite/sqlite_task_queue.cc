#include "queue/sqlite/sqlite_task_queue.h"

#include <algorithm>
#include <utility>

#include "queue/lease_polling.h"

namespace pixfleet {
namespace {

using sqlite::Statement;
using sqlite::Transaction;

// lease_owner is the consumer id of the lease holder, for ReleaseLeases. The index serves the
// ready scan (state = 'ready' ordered by not_before_ms, rowid), the depth counts, and the
// lapsed-lease scan, which reads only the 'leased' rows: as many as there are workers.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS queue_tasks (
  task_id          TEXT PRIMARY KEY,
  batch_id         TEXT NOT NULL,
  input_key        TEXT NOT NULL,
  keep_extension   INTEGER NOT NULL DEFAULT 0,
  state            TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'dead')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  not_before_ms    INTEGER NOT NULL,
  lease_token      TEXT,
  lease_owner      TEXT,
  lease_expires_ms INTEGER,
  last_error       TEXT,
  created_ms       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_tasks_by_state ON queue_tasks (state, not_before_ms);
)sql";

// The tasks in each state, kept by triggers as rows change, so that Depth reads three numbers
// instead of counting rows: COUNT walks the index, ~90 ms for a million ready tasks here, and
// `pixfleet run` asks five times a second. Delayed tasks and lapsed leases are still counted
// (they depend on the time), but they are few: retries waiting out their backoff, leases of
// workers that died. Made once per database, in the schema's transaction; the counts start from
// the rows already there (a queue file from a version without them).
constexpr const char* kCountedTrigger = "queue_tasks_counted_insert";
constexpr const char* kStateCounts = R"sql(
CREATE TABLE IF NOT EXISTS queue_state_counts (
  state TEXT PRIMARY KEY,
  tasks INTEGER NOT NULL
) WITHOUT ROWID;
DELETE FROM queue_state_counts;
INSERT INTO queue_state_counts (state, tasks)
  SELECT 'ready', COUNT(*) FROM queue_tasks WHERE state = 'ready'
  UNION ALL SELECT 'leased', COUNT(*) FROM queue_tasks WHERE state = 'leased'
  UNION ALL SELECT 'dead', COUNT(*) FROM queue_tasks WHERE state = 'dead';
CREATE TRIGGER queue_tasks_counted_insert AFTER INSERT ON queue_tasks BEGIN
  UPDATE queue_state_counts SET tasks = tasks + 1 WHERE state = NEW.state;
END;
CREATE TRIGGER queue_tasks_counted_delete AFTER DELETE ON queue_tasks BEGIN
  UPDATE queue_state_counts SET tasks = tasks - 1 WHERE state = OLD.state;
END;
CREATE TRIGGER queue_tasks_counted_update AFTER UPDATE OF state ON queue_tasks
WHEN OLD.state <> NEW.state BEGIN
  UPDATE queue_state_counts SET tasks = tasks - 1 WHERE state = OLD.state;
  UPDATE queue_state_counts SET tasks = tasks + 1 WHERE state = NEW.state;
END;
)sql";
constexpr const char* kFindCountedTrigger =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1";

// Both candidate queries return: rowid, task_id, batch_id, input_key, attempts, last_error,
// keep_extension.
constexpr const char* kFindLapsed =
    "SELECT rowid, task_id, batch_id, input_key, attempts, COALESCE(last_error, ''), "
    "keep_extension "
    "FROM queue_tasks WHERE state = 'leased' AND lease_expires_ms <= ?1 "
    "ORDER BY lease_expires_ms, rowid LIMIT 1";
constexpr const char* kFindReady =
    "SELECT rowid, task_id, batch_id, input_key, attempts, COALESCE(last_error, ''), "
    "keep_extension "
    "FROM queue_tasks WHERE state = 'ready' AND not_before_ms <= ?1 "
    "ORDER BY not_before_ms, rowid LIMIT 1";
constexpr const char* kTake =
    "UPDATE queue_tasks SET state = 'leased', attempts = attempts + 1, lease_token = ?2, "
    "lease_owner = ?3, lease_expires_ms = ?4 WHERE rowid = ?1";
constexpr const char* kKill =
    "UPDATE queue_tasks SET state = 'dead', last_error = ?2, lease_token = NULL, "
    "lease_owner = NULL, lease_expires_ms = NULL WHERE rowid = ?1";
// Revives only dead rows: a ready, delayed or leased task is left exactly as it is.
constexpr const char* kPublish =
    "INSERT INTO queue_tasks (task_id, batch_id, input_key, keep_extension, state, attempts, "
    "not_before_ms, created_ms) VALUES (?1, ?2, ?3, ?5, 'ready', 0, ?4, ?4) "
    "ON CONFLICT (task_id) DO UPDATE SET batch_id = excluded.batch_id, "
    "input_key = excluded.input_key, keep_extension = excluded.keep_extension, "
    "state = 'ready', attempts = 0, "
    "not_before_ms = excluded.not_before_ms, lease_token = NULL, lease_owner = NULL, "
    "lease_expires_ms = NULL, last_error = NULL WHERE queue_tasks.state = 'dead'";
// The settling statements bind ?1 task_id and ?2 lease_token first: the token is the fence.
constexpr const char* kHeartbeat =
    "UPDATE queue_tasks SET lease_expires_ms = ?3 "
    "WHERE task_id = ?1 AND state = 'leased' AND lease_token = ?2";
constexpr const char* kAck =
    "DELETE FROM queue_tasks WHERE task_id = ?1 AND state = 'leased' AND lease_token = ?2";
constexpr const char* kRetry =
    "UPDATE queue_tasks SET state = 'ready', not_before_ms = ?3, last_error = ?4, "
    "lease_token = NULL, lease_owner = NULL, lease_expires_ms = NULL "
    "WHERE task_id = ?1 AND state = 'leased' AND lease_token = ?2";
// The delivery being handed back does not count: attempts goes back down by one. The task keeps
// its place in the order (its not-before time was when it became ready).
constexpr const char* kRelease =
    "UPDATE queue_tasks SET state = 'ready', attempts = attempts - 1, "
    "not_before_ms = MIN(not_before_ms, ?3), "
    "lease_token = NULL, lease_owner = NULL, lease_expires_ms = NULL "
    "WHERE task_id = ?1 AND state = 'leased' AND lease_token = ?2";
constexpr const char* kDeadLetter =
    "UPDATE queue_tasks SET state = 'dead', last_error = ?3, lease_token = NULL, "
    "lease_owner = NULL, lease_expires_ms = NULL "
    "WHERE task_id = ?1 AND state = 'leased' AND lease_token = ?2";
constexpr const char* kReleaseConsumer =
    "UPDATE queue_tasks SET state = 'ready', not_before_ms = MIN(not_before_ms, ?1), "
    "lease_token = NULL, lease_owner = NULL, lease_expires_ms = NULL "
    "WHERE state = 'leased' AND (?2 = '' OR lease_owner = ?2)";
// All ready, the delayed among them, all leased, the lapsed among them, dead: one statement,
// one snapshot. A lapsed lease counts as ready: it is deliverable again.
constexpr const char* kDepth =
    "SELECT "
    "(SELECT tasks FROM queue_state_counts WHERE state = 'ready'), "
    "(SELECT COUNT(*) FROM queue_tasks WHERE state = 'ready' AND not_before_ms > ?1), "
    "(SELECT tasks FROM queue_state_counts WHERE state = 'leased'), "
    "(SELECT COUNT(*) FROM queue_tasks WHERE state = 'leased' AND lease_expires_ms <= ?1), "
    "(SELECT tasks FROM queue_state_counts WHERE state = 'dead')";
constexpr const char* kListDead =
    "SELECT task_id, batch_id, input_key, attempts, COALESCE(last_error, ''), keep_extension "
    "FROM queue_tasks WHERE state = 'dead' ORDER BY rowid";

// Rewinds a statement when the scope ends, so that no statement keeps a read snapshot open or
// carries bindings into its next use.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

struct Candidate {
  int64_t rowid = 0;
  TaskSpec task;
  int attempts = 0;
  std::string last_error;
};

Status LostLease(const Lease& lease) {
  return Aborted("lease on task " + lease.task.task_id +
                 " was lost (it lapsed and the task was delivered again, or it was settled)");
}

Result<bool> HasTrigger(sqlite::Database& db, const char* name) {
  PIXFLEET_ASSIGN_OR_RETURN(Statement find, db.Prepare(kFindCountedTrigger));
  PIXFLEET_ASSIGN_OR_RETURN(const bool row, find.Bind(1, name).Step());
  return row && find.ColumnInt(0) > 0;
}

}  // namespace

struct SqliteTaskQueue::Statements {
  Statement find_lapsed;
  Statement find_ready;
  Statement take;
  Statement kill;
  Statement publish;
  Statement heartbeat;
  Statement ack;
  Statement retry;
  Statement release;
  Statement dead_letter;
  Statement release_consumer;
  Statement depth;
  Statement list_dead;

  static Result<std::unique_ptr<Statements>> Prepare(sqlite::Database& db) {
    PIXFLEET_ASSIGN_OR_RETURN(Statement find_lapsed, db.Prepare(kFindLapsed));
    PIXFLEET_ASSIGN_OR_RETURN(Statement find_ready, db.Prepare(kFindReady));
    PIXFLEET_ASSIGN_OR_RETURN(Statement take, db.Prepare(kTake));
    PIXFLEET_ASSIGN_OR_RETURN(Statement kill, db.Prepare(kKill));
    PIXFLEET_ASSIGN_OR_RETURN(Statement publish, db.Prepare(kPublish));
    PIXFLEET_ASSIGN_OR_RETURN(Statement heartbeat, db.Prepare(kHeartbeat));
    PIXFLEET_ASSIGN_OR_RETURN(Statement ack, db.Prepare(kAck));
    PIXFLEET_ASSIGN_OR_RETURN(Statement retry, db.Prepare(kRetry));
    PIXFLEET_ASSIGN_OR_RETURN(Statement release, db.Prepare(kRelease));
    PIXFLEET_ASSIGN_OR_RETURN(Statement dead_letter, db.Prepare(kDeadLetter));
    PIXFLEET_ASSIGN_OR_RETURN(Statement release_consumer, db.Prepare(kReleaseConsumer));
    PIXFLEET_ASSIGN_OR_RETURN(Statement depth, db.Prepare(kDepth));
    PIXFLEET_ASSIGN_OR_RETURN(Statement list_dead, db.Prepare(kListDead));
    return std::unique_ptr<Statements>(
        new Statements{std::move(find_lapsed), std::move(find_ready), std::move(take),
                       std::move(kill), std::move(publish), std::move(heartbeat), std::move(ack),
                       std::move(retry), std::move(release), std::move(dead_letter),
                       std::move(release_consumer), std::move(depth), std::move(list_dead)});
  }
};

namespace {

// The next deliverable row at `now_ms`: a lapsed lease first (its worker died; it is the oldest
// work), else the ready task with the earliest not-before time, in publication order.
Result<std::optional<Candidate>> FindCandidate(Statement& find_lapsed, Statement& find_ready,
                                               int64_t now_ms) {
  for (Statement* find : {&find_lapsed, &find_ready}) {
    ResetOnExit reset(*find);
    PIXFLEET_ASSIGN_OR_RETURN(const bool found, find->Bind(1, now_ms).Step());
    if (!found) continue;
    Candidate candidate;
    candidate.rowid = find->ColumnInt(0);
    candidate.task = TaskSpec{find->ColumnText(1), find->ColumnText(2), find->ColumnText(3),
                              find->ColumnInt(6) != 0};
    candidate.attempts = static_cast<int>(find->ColumnInt(4));
    candidate.last_error = find->ColumnText(5);
    return std::optional<Candidate>(std::move(candidate));
  }
  return std::optional<Candidate>();
}

}  // namespace

Result<std::unique_ptr<SqliteTaskQueue>> SqliteTaskQueue::Open(const std::string& path,
                                                               SqliteTaskQueueOptions options,
                                                               Clock& clock) {
  PIXFLEET_RETURN_IF_ERROR(ValidateTaskQueueOptions(options));
  if (options.busy_timeout.count() < 0) {
    return InvalidArgument("queue busy timeout must not be negative");
  }
  PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db,
                            sqlite::Database::Open(path, options.busy_timeout));
  if (options.synchronous_full) PIXFLEET_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  {
    // In a transaction so that processes opening a new file at the same moment wait their turn.
    PIXFLEET_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(*db));
    PIXFLEET_RETURN_IF_ERROR(db->Exec(kSchema));
    PIXFLEET_ASSIGN_OR_RETURN(const bool counted, HasTrigger(*db, kCountedTrigger));
    if (!counted) PIXFLEET_RETURN_IF_ERROR(db->Exec(kStateCounts));
    PIXFLEET_RETURN_IF_ERROR(transaction.Commit());
  }
  PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<Statements> statements, Statements::Prepare(*db));
  return std::unique_ptr<SqliteTaskQueue>(
      new SqliteTaskQueue(std::move(db), std::move(statements), std::move(options), clock));
}

SqliteTaskQueue::SqliteTaskQueue(std::unique_ptr<sqlite::Database> db,
                                 std::unique_ptr<Statements> statements,
                                 SqliteTaskQueueOptions options, Clock& clock)
    : db_(std::move(db)),
      statements_(std::move(statements)),
      options_(std::move(options)),
      clock_(clock) {}

SqliteTaskQueue::~SqliteTaskQueue() = default;

Status SqliteTaskQueue::Publish(std::span<const TaskSpec> tasks) {
  return PublishDeduplicated(tasks);
}

Status SqliteTaskQueue::PublishDeduplicated(std::span<const TaskSpec> tasks) {
  for (const TaskSpec& task : tasks) {
    if (task.task_id.empty()) return InvalidArgument("cannot publish a task without an id");
  }
  if (tasks.empty()) return Status::Ok();
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(*db_));
  Statement& publish = statements_->publish;
  for (const TaskSpec& task : tasks) {
    ResetOnExit reset(publish);
    PIXFLEET_RETURN_IF_ERROR(publish.Bind(1, task.task_id)
                                 .Bind(2, task.batch_id)
                                 .Bind(3, task.input_key)
                                 .Bind(4, now_ms)
                                 .Bind(5, int64_t{task.keep_extension ? 1 : 0})
                                 .Run());
  }
  return transaction.Commit();
}

Result<std::optional<Lease>> SqliteTaskQueue::TryLease() {
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  Statements& s = *statements_;
  {
    // Look before taking the write lock: idle workers polling an empty queue then only read,
    // which in WAL mode never blocks the workers that are acking.
    PIXFLEET_ASSIGN_OR_RETURN(std::optional<Candidate> peek,
                              FindCandidate(s.find_lapsed, s.find_ready, now_ms));
    if (!peek.has_value()) return std::optional<Lease>();
  }
  PIXFLEET_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(*db_));
  while (true) {
    PIXFLEET_ASSIGN_OR_RETURN(std::optional<Candidate> candidate,
                              FindCandidate(s.find_lapsed, s.find_ready, now_ms));
    if (!candidate.has_value()) {
      // Another process took it, or every candidate was dead-lettered below.
      PIXFLEET_RETURN_IF_ERROR(transaction.Commit());
      return std::optional<Lease>();
    }
    if (candidate->attempts + 1 > options_.delivery_limit) {
      ResetOnExit reset(s.kill);
      PIXFLEET_RETURN_IF_ERROR(
          s.kill.Bind(1, candidate->rowid)
              .Bind(2, DeliveryLimitReason(options_.delivery_limit, candidate->last_error))
              .Run());
      continue;
    }
    Lease lease{std::move(candidate->task), candidate->attempts + 1, tokens_.Next(),
                now_ms + options_.lease_duration.count()};
    {
      ResetOnExit reset(s.take);
      PIXFLEET_RETURN_IF_ERROR(s.take.Bind(1, candidate->rowid)
                                   .Bind(2, lease.token)
                                   .Bind(3, options_.consumer_id)
                                   .Bind(4, lease.expires_ms)
                                   .Run());
    }
    PIXFLEET_RETURN_IF_ERROR(transaction.Commit());
    return std::optional<Lease>(std::move(lease));
  }
}

Result<std::optional<Lease>> SqliteTaskQueue::LeaseNext(std::chrono::milliseconds max_wait) {
  return PollForLease(clock_, max_wait, options_.poll_interval, [this] { return TryLease(); });
}

Status SqliteTaskQueue::SettleLocked(Statement& statement, const Lease& lease) {
  ResetOnExit reset(statement);
  PIXFLEET_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(*db_));
  PIXFLEET_RETURN_IF_ERROR(statement.Run());
  if (db_->Changes() == 0) return LostLease(lease);  // rolled back: nothing changed anyway
  return transaction.Commit();
}

Status SqliteTaskQueue::Heartbeat(Lease& lease) {
  const int64_t expires_ms = clock_.NowMillis() + options_.lease_duration.count();
  std::lock_guard lock(mutex_);
  Statement& heartbeat = statements_->heartbeat;
  heartbeat.Bind(1, lease.task.task_id).Bind(2, lease.token).Bind(3, expires_ms);
  PIXFLEET_RETURN_IF_ERROR(SettleLocked(heartbeat, lease));
  lease.expires_ms = expires_ms;
  return Status::Ok();
}

Status SqliteTaskQueue::Ack(const Lease& lease) {
  std::lock_guard lock(mutex_);
  Statement& ack = statements_->ack;
  ack.Bind(1, lease.task.task_id).Bind(2, lease.token);
  return SettleLocked(ack, lease);
}

Status SqliteTaskQueue::Retry(const Lease& lease, std::chrono::milliseconds delay,
                              std::string_view reason) {
  const int64_t not_before_ms = clock_.NowMillis() + std::max<int64_t>(delay.count(), 0);
  std::lock_guard lock(mutex_);
  Statement& retry = statements_->retry;
  retry.Bind(1, lease.task.task_id).Bind(2, lease.token).Bind(3, not_before_ms).Bind(4, reason);
  return SettleLocked(retry, lease);
}

Status SqliteTaskQueue::Release(const Lease& lease, std::string_view /*reason*/) {
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  Statement& release = statements_->release;
  release.Bind(1, lease.task.task_id).Bind(2, lease.token).Bind(3, now_ms);
  return SettleLocked(release, lease);
}

Status SqliteTaskQueue::DeadLetter(const Lease& lease, std::string_view reason) {
  std::lock_guard lock(mutex_);
  Statement& dead_letter = statements_->dead_letter;
  dead_letter.Bind(1, lease.task.task_id).Bind(2, lease.token).Bind(3, reason);
  return SettleLocked(dead_letter, lease);
}

Status SqliteTaskQueue::ReleaseLeases(std::string_view consumer_id) {
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(*db_));
  {
    Statement& release = statements_->release_consumer;
    ResetOnExit reset(release);
    PIXFLEET_RETURN_IF_ERROR(release.Bind(1, now_ms).Bind(2, consumer_id).Run());
  }
  return transaction.Commit();
}

Result<QueueDepth> SqliteTaskQueue::Depth() {
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  Statement& depth = statements_->depth;
  ResetOnExit reset(depth);
  PIXFLEET_ASSIGN_OR_RETURN(const bool row, depth.Bind(1, now_ms).Step());
  if (!row) return Internal("queue depth query returned no row");
  const int64_t ready = depth.ColumnInt(0);
  const int64_t delayed = depth.ColumnInt(1);
  const int64_t leased = depth.ColumnInt(2);
  const int64_t lapsed = depth.ColumnInt(3);
  QueueDepth counts;
  counts.ready = ready - delayed + lapsed;
  counts.delayed = delayed;
  counts.leased = leased - lapsed;
  counts.dead = depth.ColumnInt(4);
  return counts;
}

Result<std::vector<DeadTask>> SqliteTaskQueue::ListDead() {
  std::lock_guard lock(mutex_);
  Statement& list = statements_->list_dead;
  ResetOnExit reset(list);
  std::vector<DeadTask> dead;
  while (true) {
    PIXFLEET_ASSIGN_OR_RETURN(const bool row, list.Step());
    if (!row) break;
    dead.push_back(DeadTask{TaskSpec{list.ColumnText(0), list.ColumnText(1), list.ColumnText(2),
                                     list.ColumnInt(5) != 0},
                            static_cast<int>(list.ColumnInt(3)), list.ColumnText(4)});
  }
  return dead;
}

}  // namespace pixfleet
