// TaskQueue: the port through which tasks reach workers. Delivery is at-least-once with leases:
// a leased task is invisible to other consumers until it is acked, retried, dead-lettered, or
// its lease expires (a crashed worker's task becomes visible again and is redelivered). The
// effect is made exactly-once by the worker: deterministic output keys and an upsert of the
// result row keyed by task id. Implementations are safe for concurrent use by many threads, and
// those that persist (SQLite) by many processes. See docs/task_lifecycle.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "model/task.h"

namespace pixfleet {

struct Lease {
  TaskSpec task;
  int attempt = 1;         // 1 on first delivery; counts every delivery, crashes included
  std::string token;       // identifies this lease; stale tokens are rejected with kAborted
  int64_t expires_ms = 0;  // wall-clock ms when the lease lapses unless extended
  friend bool operator==(const Lease&, const Lease&) = default;
};

struct QueueDepth {
  int64_t ready = 0;    // deliverable now (including tasks whose lease has lapsed)
  int64_t delayed = 0;  // waiting for a retry's not-before time
  int64_t leased = 0;   // in flight (unacknowledged, lease not lapsed)
  int64_t dead = 0;     // dead-lettered
  friend bool operator==(const QueueDepth&, const QueueDepth&) = default;
};

class TaskQueue {
 public:
  virtual ~TaskQueue() = default;
  TaskQueue() = default;
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Makes each task deliverable. Idempotent by task id: a task already ready, delayed or leased
  // is left as it is; a dead-lettered one is revived with a fresh attempt count.
  virtual Status Publish(std::span<const TaskSpec> tasks) = 0;

  // Leases the next deliverable task, waiting up to `max_wait` for one. Returns nullopt when
  // none arrived in time. A task whose delivery count would exceed the queue's delivery limit
  // (it keeps crashing its workers) is dead-lettered instead of delivered.
  virtual Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds max_wait) = 0;

  // Extends a lease by the queue's lease duration. kAborted if the lease was lost.
  virtual Status Heartbeat(Lease& lease) = 0;

  // Removes the task for good. kAborted if the lease was lost (the task may run again). The token
  // is the fence, not the clock: a lapsed lease that nobody else has taken yet is still honoured
  // by Ack, Heartbeat, Retry and DeadLetter, since no other worker can be running the task.
  virtual Status Ack(const Lease& lease) = 0;

  // Returns the task to the queue, deliverable again after `delay`. kAborted if lost.
  virtual Status Retry(const Lease& lease, std::chrono::milliseconds delay,
                       std::string_view reason) = 0;

  // Moves the task to the dead-letter state with `reason`. kAborted if the lease was lost.
  virtual Status DeadLetter(const Lease& lease, std::string_view reason) = 0;

  // Returns every task leased by `consumer_id` (TaskQueueOptions::consumer_id of the queue object
  // that leased it; every leased task when empty) to the queue, deliverable now, as if its lease
  // had expired: the delivery still counts toward the delivery limit. For a supervisor that knows
  // the consumer is dead (it reaped the process), so that its tasks need not wait out the lease;
  // a live consumer's later Ack of a released task is kAborted.
  virtual Status ReleaseLeases(std::string_view consumer_id) = 0;

  // Counts by state, for progress and autoscaling. A task whose lease has lapsed counts as
  // ready: it is deliverable again.
  virtual Result<QueueDepth> Depth() = 0;
};

}  // namespace pixfleet
