// Worker: the long-running consumer. `concurrency` slots each lease a task and hand it to the
// TaskProcessor; a heartbeat thread extends every in-flight lease so that long tasks keep them.
// Stop() (wired to SIGTERM/SIGINT by the caller) stops leasing at once; tasks in flight finish,
// then Run() returns. A queue error that is a configuration problem (kInvalidArgument) also
// stops the worker, after its tasks in flight: see fatal_error(). With exit_when_idle, Run() also
// returns once the queue has nothing left that could become deliverable (no ready, delayed or
// leased task).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
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

  // Runs until Stop() or, with exit_when_idle, until the queue is drained.
  void Run();

  // Asks Run() to return after the tasks in flight finish. Async-signal-unsafe: call it from a
  // normal thread (the CLI watches a signal flag on one).
  void Stop();

  int64_t InFlight() const;
  bool Stopping() const { return stopping_; }

  // Why Run() stopped on its own, if it did: the queue refused the worker's configuration
  // (kInvalidArgument from LeaseNext, e.g. a TLS certificate refused on reconnection), which no
  // retry can mend. Ok after Stop() or an idle exit.
  Status FatalError() const;

 private:
  void SlotLoop();
  void HeartbeatLoop();
  bool QueueDrained();

  TaskQueue& queue_;
  TaskProcessor& processor_;
  Clock& clock_;
  WorkerOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Lease> in_flight_;  // by lease token; guarded by mutex_
  Status fatal_error_;                      // guarded by mutex_
};

}  // namespace pixfleet
