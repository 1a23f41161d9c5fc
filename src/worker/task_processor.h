// TaskProcessor: one task, start to finish — the heart of the worker. For a leased task it
//   fetches the input, runs the batch's recipe, writes every output under its deterministic key,
//   upserts the result row, and only then acks.
// Errors decide the task's fate (docs/task_lifecycle.md):
//   retryable (storage/database unavailable, timeouts) and attempts left -> Retry after a capped
//     exponential backoff with jitter; no row is written;
//   permanent (bad image, over limits, missing input, bad recipe) or attempts used up -> a failed
//     row naming the input and the reason, then DeadLetter;
//   the environment refuses (kFailedPrecondition from any step: the batch's stores, the fetch,
//     an output, the result row, the ack: a full disk, a read-only output, storage refusing
//     writes) -> no row, no dead letter: the task is handed back to the queue, deliverable at
//     once, and Refusal() says why its worker must stop taking tasks;
//   interrupted (its worker's grace period ran out: task_interruption.h) -> nothing: the worker
//     has handed the lease back itself; the work under way stops at its next step (libvips
//     killed, kCancelled), and no row is written and no settling call made, whatever it returned.
// A crash anywhere before the ack leads to redelivery; the redelivered task writes the same keys
// and the same row, so the effect happens once. Thread-safe: one instance serves all slots.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>

#include "core/backoff.h"
#include "core/clock.h"
#include "imaging/engine.h"
#include "queue/task_queue.h"
#include "results/result_store.h"
#include "worker/batch_catalog.h"
#include "worker/task_interruption.h"
#include "worker/worker_metrics.h"

namespace pixfleet {

struct TaskProcessorOptions {
  EngineLimits limits;
  BackoffPolicy retry;  // retry.max_attempts bounds attempts for transient failures
};

// What became of one lease.
enum class Disposition {
  kSucceeded,    // outputs and row written, acked
  kFailed,       // failed row written, dead-lettered
  kRetried,      // returned to the queue for a later attempt
  kLeaseLost,    // the queue no longer knew the lease when we finished (it will run again)
  kStalled,      // the queue itself failed when asked to settle the task; the lease will lapse
  kHandedBack,   // the environment refused: back to the queue, not failed; the worker must stop
  kInterrupted,  // its worker interrupted it at the grace deadline and handed it back itself
};

// The last disposition, for loops over every one.
inline constexpr Disposition kLastDisposition = Disposition::kInterrupted;

const char* DispositionName(Disposition disposition);

struct ProcessorCounters {
  std::atomic<int64_t> succeeded{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> retried{0};
  std::atomic<int64_t> lease_lost{0};
  std::atomic<int64_t> handed_back{0};
  std::atomic<int64_t> interrupted{0};
  std::atomic<int64_t> bytes_in{0};
  std::atomic<int64_t> bytes_out{0};
};

class TaskProcessor {
 public:
  // All references must outlive the processor; `metrics` may be null (nothing recorded).
  TaskProcessor(TaskQueue& queue, ResultStore& results, BatchCatalog& catalog, Clock& clock,
                TaskProcessorOptions options, WorkerMetrics* metrics = nullptr);

  // Runs the task. `interruption`, when given, lets the worker interrupt it (see the file
  // comment); without it the task always runs to its end.
  Disposition Handle(const Lease& lease, TaskInterruption* interruption = nullptr);

  const ProcessorCounters& counters() const { return counters_; }

  // The first refusal (kFailedPrecondition) that made this processor hand a task back, or OK:
  // why its worker must stop taking tasks until an operator acts.
  Status Refusal() const;

 private:
  // Runs the task up to (not including) the result row; the row to record on success.
  // Stops between steps with kCancelled once `cancel` is requested.
  Result<TaskResult> Execute(const Lease& lease, const std::stop_token& cancel);
  Disposition HandleUnrecorded(const Lease& lease, TaskInterruption& interruption);
  // Claims the task (ClaimForSettling), then settles it as `error` says.
  Disposition Settle(const Lease& lease, const Status& error, int64_t elapsed_ms,
                     TaskInterruption& interruption);
  Disposition Interrupted(const Lease& lease);
  // Runs `step`, recording its duration as `stage` when metrics are on.
  template <typename Step>
  auto Timed(const char* stage, Step&& step);
  Disposition RetryLater(const Lease& lease, const Status& error);
  // The one way a task leaves because the environment refused: see the file comment.
  Disposition HandBack(const Lease& lease, const Status& refusal);
  // Release, not Retry: this delivery does not count. If the queue refuses, the lease ends with
  // the worker (or lapses) and the task comes back all the same.
  void ReleaseOrLetLapse(const Lease& lease, const Status& why);
  // What became of a lease whose settling call (ack, retry, dead letter) returned `error`.
  Disposition Unsettled(const Lease& lease, const Status& error);
  double NextUnitRandom();

  TaskQueue& queue_;
  ResultStore& results_;
  BatchCatalog& catalog_;
  Clock& clock_;
  TaskProcessorOptions options_;
  WorkerMetrics* metrics_;
  ProcessorCounters counters_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;  // guarded by random_mutex_
  mutable std::mutex refusal_mutex_;
  Status refusal_;  // guarded by refusal_mutex_
};

}  // namespace pixfleet
