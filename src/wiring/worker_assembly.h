// The assembly of a worker: the one place where a worker is put together from its settings, for
// `pixfleet worker` and for the worker processes `pixfleet run` starts (which run the same
// command). It opens the queue (leases recorded under this process's consumer id) and the result
// store (behind group commit: the slots' rows share transactions), builds the batch catalog over
// the object-store backends, the task processor with its metrics (and the queue's), and the
// Worker.
//
// Opening the queue and the result store waits out a dependency that is still starting (a
// broker or database that comes up after the worker, as on Kubernetes) instead of crash-looping:
// retryable errors are retried with capped backoff for up to `startup_patience`; permanent ones
// (a bad URL, a refused configuration) return at once. A stop request ends that wait at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "imaging/engine.h"
#include "metrics/registry.h"
#include "queue/task_queue.h"
#include "queue/task_queue_handle.h"
#include "queue/task_queue_options.h"
#include "results/group_commit_result_store.h"
#include "results/result_store.h"
#include "wiring/queue_metrics.h"
#include "worker/batch_catalog.h"
#include "worker/task_processor.h"
#include "worker/worker.h"
#include "worker/worker_metrics.h"

namespace pixfleet {

struct WorkerSettings {
  std::string queue_url;
  std::string db_url;
  int concurrency = 1;
  bool exit_when_idle = false;
  int64_t max_tasks = 0;  // 0: no limit (WorkerOptions::max_tasks)
  // After a stop request, before the tasks in flight are interrupted and handed back; unset: as
  // long as they take (WorkerOptions::grace_period).
  std::optional<std::chrono::milliseconds> grace_period;
  // Told of each change of the worker's state (the status pipe); may be empty.
  std::function<void(const WorkerState&)> on_state;
  // Called when the worker runs out of work (WorkerOptions::on_idle); may be empty.
  std::function<void()> on_idle;
  std::chrono::milliseconds lease{30'000};  // heartbeats every third of it
  int max_attempts = 5;                     // attempts for transient failures
  EngineLimits limits;
  bool allow_untrusted_loaders = false;
  std::chrono::seconds startup_patience{60};
};

// The queue options of a worker with `settings`, leases recorded under `consumer_id`. Whoever
// else opens the same queue on the worker's behalf (`pixfleet run`, to hand back the leases of a
// worker it saw die) uses them too, so that both agree on the lease and the delivery limit.
TaskQueueOptions WorkerQueueOptions(const WorkerSettings& settings, std::string consumer_id);

// A worker and everything it runs on, owned together.
class AssembledWorker {
 public:
  // Builds the rest around an opened queue and result store. `registry` already holds what
  // `queue_metrics` counts (the queue reports to it from the moment it opens).
  AssembledWorker(std::unique_ptr<metrics::Registry> registry,
                  std::unique_ptr<QueueMetrics> queue_metrics, TaskQueueHandle queue,
                  std::unique_ptr<ResultStore> results, const WorkerSettings& settings,
                  Clock& clock);

  // Worker::Run: until `stop` was served, idle (with exit_when_idle), max_tasks settled, or the
  // worker must stop on its own. `hand_back_now` cuts the grace period short.
  Status Run(const std::stop_token& stop, const std::stop_token& hand_back_now = {}) {
    return worker_.Run(stop, hand_back_now);
  }
  // Whether it can take work (/readyz): OK when it is not stopping and the queue answers.
  Status Ready();
  const metrics::Registry& Metrics() const { return *registry_; }
  // "12 succeeded, 1 failed, 0 retried, 0 handed back, 2 interrupted; 13 results recorded in 5
  // database writes"
  std::string Totals() const;

 private:
  // Declared first, destroyed last: the queue reports to queue_metrics_ until it closes.
  std::unique_ptr<metrics::Registry> registry_;
  std::unique_ptr<QueueMetrics> queue_metrics_;
  TaskQueueHandle queue_;
  std::unique_ptr<ResultStore> results_;
  GroupCommitResultStore grouped_results_;
  BatchCatalog catalog_;
  WorkerMetrics worker_metrics_;
  TaskProcessor processor_;
  Worker worker_;
};

// Starts the image engine and assembles a worker, waiting for the queue and the result store as
// the file comment says. kCancelled when `stop` was requested during that wait; otherwise the
// error of the engine, the queue or the result store.
Result<std::unique_ptr<AssembledWorker>> AssembleWorker(const WorkerSettings& settings,
                                                        Clock& clock, const std::stop_token& stop);

}  // namespace pixfleet
