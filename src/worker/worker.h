// Worker: the long-running consumer. `concurrency` slots each lease a task and hand it to the
// TaskProcessor; a heartbeat thread extends every in-flight lease so that long tasks keep them.
// A stop request (Stop(), or the stop_token given to Run(), which the CLI wires to SIGTERM and
// SIGINT) stops leasing at once; tasks in flight finish, their heartbeats going on until the
// last of them ends, then Run() returns. Every pause (the
// heartbeat interval, the backoff after a queue error) is a wait on the Clock that a stop request
// ends, so tests run the worker in virtual time. The worker also stops on its own, the same way,
// when the environment refuses (a task handed back, or the queue answering kFailedPrecondition:
// a full disk, a read-only output, storage refusing writes) or the queue refuses its
// configuration (kInvalidArgument): see Run(). Meanwhile Stopping() is true (not ready). With
// exit_when_idle, Run() also returns once the queue has nothing left that could become
// deliverable (no ready, delayed or leased task).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>

#include "core/clock.h"
#include "queue/task_queue.h"
#include "worker/task_processor.h"

namespace pixfleet {

struct WorkerOptions {
  int concurrency = 1;
  std::chrono::milliseconds lease_wait{500};  // how long one LeaseNext call may block
  std::chrono::milliseconds heartbeat_interval{10'000};
  bool exit_when_idle = false;
  std::chrono::milliseconds queue_error_backoff{1000};  // pause after the queue itself failed
};

class Worker {
 public:
  // All references must outlive the worker.
  Worker(TaskQueue& queue, TaskProcessor& processor, Clock& clock, WorkerOptions options);

  // Runs until a stop request (Stop() or `stop`), with exit_when_idle until the queue is drained,
  // or until the worker must stop on its own. Returns OK in the first two cases; otherwise why it
  // stopped: kFailedPrecondition when the environment refused mid-work (the tasks it held went
  // back to the queue, none was failed for it), kInvalidArgument when the queue refused the
  // worker's configuration (e.g. a TLS certificate refused on reconnection). No retry mends
  // either; an operator must act.
  Status Run(const std::stop_token& stop = {});

  // Asks Run() to return after the tasks in flight finish. Async-signal-unsafe: call it from a
  // normal thread (the CLI waits for the stop signals on one).
  void Stop();

  int64_t InFlight() const;
  bool Stopping() const { return stop_.stop_requested(); }

 private:
  void SlotLoop();
  // Extends every in-flight lease each heartbeat_interval until `slots_ended`.
  void HeartbeatLoop(const std::stop_token& slots_ended);
  bool QueueDrained();
  // Records why the worker stops on its own (the first reason wins) and stops it.
  void StopBecause(const Status& reason);

  TaskQueue& queue_;
  TaskProcessor& processor_;
  Clock& clock_;
  WorkerOptions options_;
  std::stop_source stop_;
  mutable std::mutex mutex_;
  std::map<std::string, Lease> in_flight_;  // by lease token; guarded by mutex_
  // Its own mutex: the heartbeat loop, which holds mutex_, may record a reason.
  std::mutex stop_reason_mutex_;
  Status stop_reason_;  // guarded by stop_reason_mutex_
};

}  // namespace pixfleet
