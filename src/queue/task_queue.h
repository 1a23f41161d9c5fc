// TaskQueue: the port through which tasks reach workers, shaped for the weakest backend, a message
// broker (RabbitMQ). Every backend (in-memory, SQLite, RabbitMQ) keeps what is promised here, and
// the shared contract (task_queue_contract.h) checks each promise against each of them. What only
// some backends do is not promised here but in capability interfaces of its own, which those
// backends implement and the composition root hands out (TaskQueueHandle, wiring/backends.h):
//   expiring_leases.h        a lease lapses on the Clock unless heartbeated (SQLite, in-memory)
//   lease_releaser.h         hand back a dead consumer's leases at once (SQLite, in-memory)
//   deduplicating_publish.h  publishing keeps one copy per task id (SQLite, in-memory)
//
// Delivery is at-least-once. A task may be delivered more than once: when its holder is lost,
// when it was published twice (Publish does not de-duplicate), or when a fault cuts a settling
// call short. The worker makes the effect exactly-once: deterministic output keys and an upsert
// of the result row keyed by task id.
//
// A lease is one delivery of a task, held by one consumer: while it lasts no other consumer
// receives the task. It ends when the holder settles it (Ack, Retry, Release, DeadLetter) or when
// the queue finds the holder gone: how it finds out is the backend's. The expiring-lease backends
// let a lease lapse when it was not heartbeated for the lease duration (expiring_leases.h);
// RabbitMQ ends every lease of a consumer whose connection closes (a crash, a network fault,
// heartbeats missed at the AMQP level), and nothing else ends it. Either way the task is then
// delivered again, that delivery counts as an attempt, and the lost lease's calls fail with
// kAborted (on the expiring-lease backends once another consumer has taken the task). A holder
// calls Heartbeat at least every third of the lease duration while it works.
//
// Time: delays and waits run on the backend's time, the injected Clock for the embedded backends
// and the broker's own for RabbitMQ, so only the embedded ones run in virtual time under test.
// Implementations are safe for concurrent use by many threads; the SQLite one also by many
// processes. See docs/task_lifecycle.md.
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
  // 1 on the first delivery; counts every delivery since the task was published (lost holders,
  // lapses and retries included) except those handed back with Release.
  int attempt = 1;
  std::string token;  // identifies this lease; calls with a lease that was lost are kAborted
  // Wall-clock ms by which the holder must heartbeat again: now + the lease duration when leased
  // or heartbeated. The expiring-lease backends deliver the task again after it; RabbitMQ only
  // reports it.
  int64_t expires_ms = 0;
  friend bool operator==(const Lease&, const Lease&) = default;
};

struct QueueDepth {
  // Deliverable now and not yet handed to a consumer. A broker pushes deliveries ahead of
  // LeaseNext (up to the consumer's prefetch): those count neither as ready nor as leased until
  // leased. On the expiring-lease backends a lapsed lease counts as ready.
  int64_t ready = 0;
  int64_t delayed = 0;  // waiting for a retry's delay to pass
  // Leased and not settled: every consumer's where the backend keeps leases (SQLite), only
  // those taken through this queue object where the broker keeps them (RabbitMQ: for the
  // fleet's, see FleetInFlight in wiring/backends.h).
  int64_t leased = 0;
  int64_t dead = 0;  // dead-lettered
  friend bool operator==(const QueueDepth&, const QueueDepth&) = default;
};

class TaskQueue {
 public:
  virtual ~TaskQueue() = default;
  TaskQueue() = default;
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Makes each task deliverable, durably: once it returns OK the tasks survive a crash of the
  // queue's process or service. NOT idempotent on every backend: a task published again while it
  // is still queued may be delivered twice (a broker keeps every message). A caller that must not
  // duplicate work keeps its own record of what it published (the result store's publication
  // ledger, used by `pixfleet submit`) or uses DeduplicatingPublish where the backend has it. A
  // dead-lettered task published again is delivered again, starting over at attempt 1.
  // kInvalidArgument (nothing published) if a task has no id; on kUnavailable or
  // kDeadlineExceeded some of the tasks may have been published: publishing them again is safe.
  virtual Status Publish(std::span<const TaskSpec> tasks) = 0;

  // Leases the next deliverable task, waiting up to `max_wait` for one; nullopt if none came in
  // time. Tasks come roughly in publication order; a task handed back (Retry, Release, a lost
  // holder) may come back at another place. A broker pushes deliveries asynchronously, so a task
  // published a moment ago may take a moment to arrive: nullopt after a short wait does not prove
  // the queue empty. A consumer may hold a bounded number of leases at once (RabbitMQ: its
  // prefetch, the worker's concurrency); beyond that nothing is delivered to it until it settles
  // one. A task whose deliveries keep ending with the loss of their holder is dead-lettered
  // instead of delivered once it has had TaskQueueOptions::delivery_limit of them (see
  // task_queue_options.h for what each backend counts).
  virtual Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds max_wait) = 0;

  // Tells the queue the holder is alive and working, and moves lease.expires_ms. kAborted if the
  // lease was lost.
  virtual Status Heartbeat(Lease& lease) = 0;

  // Removes the task for good: it is done. kAborted if the lease was lost (the task may run again).
  virtual Status Ack(const Lease& lease) = 0;

  // Hands the task back for another attempt, deliverable again no earlier than `delay` from now
  // (a backend may round the delay up: RabbitMQ to its next delay bucket). This delivery counts
  // as an attempt. `reason` is kept as the task's last error. kAborted if the lease was lost.
  virtual Status Retry(const Lease& lease, std::chrono::milliseconds delay,
                       std::string_view reason) = 0;

  // Hands the task back untouched, deliverable again now, for work the holder chose not to do (a
  // shutdown deadline, an environment that refuses writes). Unlike Retry, this delivery does not
  // count: the next one has the same attempt number, so it counts neither toward the delivery
  // limit nor toward the worker's guard against tasks that crash their workers. `reason` is the
  // caller's to log; no backend stores it (the task's last error stays its last Retry's).
  // kAborted if the lease was lost.
  virtual Status Release(const Lease& lease, std::string_view reason) = 0;

  // Moves the task to the dead-letter state with `reason`; it is not delivered again unless it is
  // published again. kAborted if the lease was lost.
  virtual Status DeadLetter(const Lease& lease, std::string_view reason) = 0;

  // Counts by state (see QueueDepth), for progress and autoscaling.
  virtual Result<QueueDepth> Depth() = 0;

  // Says that this queue object will lease nothing more (a worker that stops: a stop request,
  // --max-tasks reached, the queue drained), so that no task waits on it: once it returns, every
  // task not leased through this object is deliverable to other consumers, and one published
  // later never reaches this object. The leases already taken stay valid: heartbeat and settle
  // them as before. A backend that receives deliveries ahead of LeaseNext (RabbitMQ's prefetch)
  // hands those back as Release does, not counted as attempts; without this they would sit in
  // the stopping consumer's buffer until its connection closed, and then count as deliveries.
  // Idempotent. The caller calls LeaseNext on this object no more: RabbitMQ then returns nullopt
  // at once, the embedded backends still lease (nothing reaches them ahead of LeaseNext, so they
  // have nothing to do here: the default does nothing). On this port rather than in a capability
  // interface so that the worker says it whatever the backend. On an error (kUnavailable, the
  // connection lost) the tasks it could not hand back return to the queue anyway, when the
  // connection closes, counted as deliveries.
  virtual Status StopLeasing() { return Status::Ok(); }

  // Says that this queue object should receive nothing more ahead of LeaseNext, and keep what it
  // has received: LeaseNext returns those tasks, then nullopt at once. For a consumer that stops
  // because Depth said nothing is ready, delayed or leased: a broker may push it a task while
  // that depth is read (a delivery on its way to a consumer is neither ready nor leased), and
  // only the end of the consumer tells that nothing more is on its way (RabbitMQ: basic.cancel-ok
  // follows every delivery to the consumer). Kept here, such a task is worked before the caller
  // stops, not handed back to a queue that nobody may be consuming any more. StopLeasing
  // afterwards hands back whatever is still unleased. The embedded backends receive nothing
  // ahead: the default does nothing, and they go on leasing (a task published since the depth was
  // read, which is as well worked here). Idempotent; on an error (the connection lost) the
  // tasks return to the queue when the connection closes, and LeaseNext returns nullopt.
  virtual Status StopReceiving() { return Status::Ok(); }
};

}  // namespace pixfleet
