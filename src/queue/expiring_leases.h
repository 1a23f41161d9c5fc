// ExpiringLeases: the capability of a TaskQueue whose leases lapse on its Clock (SQLite,
// in-memory; not RabbitMQ, whose leases end only with the consumer's connection). On top of the
// port's promises (task_queue.h):
//   - A lease lasts LeaseDuration() from when it was taken or last heartbeated, measured on the
//     queue's Clock: Lease::expires_ms is exactly that moment, and Heartbeat moves it to now +
//     LeaseDuration(). Until then the task is delivered to nobody else.
//   - From that moment the task is deliverable again (a crashed or stalled holder needs no one to
//     notice it): Depth counts it as ready, lapsed leases are delivered before other ready tasks,
//     and that delivery counts toward the delivery limit, as every delivery does here (retried
//     ones included; released ones not).
//   - The token is the fence, not the clock: once another consumer has taken the task, the old
//     holder's Ack, Heartbeat, Retry, Release and DeadLetter are kAborted; a lapsed lease that
//     nobody has taken yet is still honoured, since no one else can be running the task.
// A FakeClock therefore drives lapses in tests. The contract: expiring_leases_contract.cc.
#pragma once

#include <chrono>

namespace pixfleet {

class ExpiringLeases {
 public:
  virtual ~ExpiringLeases() = default;
  ExpiringLeases() = default;
  ExpiringLeases(const ExpiringLeases&) = delete;
  ExpiringLeases& operator=(const ExpiringLeases&) = delete;

  // How long a lease lasts without a heartbeat (TaskQueueOptions::lease_duration).
  virtual std::chrono::milliseconds LeaseDuration() const = 0;
};

}  // namespace pixfleet
