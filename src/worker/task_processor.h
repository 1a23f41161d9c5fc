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
//     once, and Refusal() says why its worker must stop taking tasks.
// A crash anywhere before the ack leads to redelivery; the redelivered task writes the same keys
// and the same row, so the effect happens once. Thread-safe: one instance serves all slots.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "core/backoff.h"
#include "core/clock.h"
#include "imaging/engine.h"
#include "queue/task_queue.h"
#include "results/result_store.h"
#include "worker/batch_catalog.h"
#include "worker/worker_metrics.h"

namespace pixfleet {

struct TaskProcessorOptions {
  EngineLimits limits;
  BackoffPolicy retry;  // retry.max_attempts bounds attempts for transient failures
};

// What became of one lease.
enum class Disposition {
  kSucceeded,   // outputs and row written, acked
  kFailed,      // failed row written, dead-lettered
  kRetried,     // returned to the queue for a later attempt
  kLeaseLost,   // the queue no longer knew the lease when we finished (it will run again)
  kStalled,     // the queue itself failed when asked to settle the task; the lease will lapse
  kHandedBack,  // the environment refused: back to the queue, not failed; the worker must stop
};

const char* DispositionName(Disposition disposition);

struct ProcessorCounters {
  std::atomic<int64_t> succeeded{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> retried{0};
  std::atomic<int64_t> lease_lost{0};
  std::atomic<int64_t> handed_back{0};
  std::atomic<int64_t> bytes_in{0};
  std::atomic<int64_t> bytes_out{0};
};

class TaskProcessor {
 public:
  // All references must outlive the processor; `metrics` may be null (nothing recorded).
  TaskProcessor(TaskQueue& queue, ResultStore& results, BatchCatalog& catalog, Clock& clock,
                TaskProcessorOptions options, WorkerMetrics* metrics = nullptr);

  Disposition Handle(const Lease& lease);

  const ProcessorCounters& counters() const { return counters_; }

  // The first refusal (kFailedPrecondition) that made this processor hand a task back, or OK:
  // why its worker must stop taking tasks until an operator acts.
  Status Refusal() const;

 private:
  // Runs the task up to (not including) the result row; the row to record on success.
  Result<TaskResult> Execute(const Lease& lease);
  Disposition HandleUnrecorded(const Lease& lease);
  Disposition Settle(const Lease& lease, const Status& error, int64_t elapsed_ms);
  // Runs `step`, recording its duration as `stage` when metrics are on.
  template <typename Step>
  auto Timed(const char* stage, Step&& step);
  Disposition RetryLater(const Lease& lease, const Status& error);
  // The one way a task leaves because the environment refused: see the file comment.
  Disposition HandBack(const Lease& lease, const Status& refusal);
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
