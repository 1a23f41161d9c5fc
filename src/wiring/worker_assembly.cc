#include "wiring/worker_assembly.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/backoff.h"
#include "wiring/backends.h"
#include "worker/consumer_id.h"

namespace pixfleet {
namespace {

// Calls `open` until it succeeds, fails permanently, `patience` has passed, or `stop` is
// requested (then kCancelled).
template <typename Open>
auto OpenPatiently(const char* what, Clock& clock, std::chrono::seconds patience,
                   const std::stop_token& stop, Open&& open) -> decltype(open()) {
  const auto deadline = clock.MonotonicNow() + patience;
  const BackoffPolicy backoff{std::chrono::milliseconds(250), std::chrono::seconds(5), 0};
  for (int attempt = 1;; ++attempt) {
    auto opened = open();
    if (opened.ok() || !opened.error().IsRetryable() || clock.MonotonicNow() >= deadline) {
      return opened;
    }
    spdlog::warn("{} not reachable yet ({}); retrying", what, opened.error().ToString());
    if (!clock.WaitFor(BackoffDelay(backoff, attempt, 1.0), stop)) {
      return Cancelled(std::string("stopped while waiting for the ") + what);
    }
  }
}

WorkerOptions WorkerOptionsFor(const WorkerSettings& settings) {
  WorkerOptions options;
  options.concurrency = settings.concurrency;
  options.exit_when_idle = settings.exit_when_idle;
  options.max_tasks = settings.max_tasks;
  options.grace_period = settings.grace_period;
  options.on_state = settings.on_state;
  options.on_idle = settings.on_idle;
  options.heartbeat_interval = std::max(settings.lease / 3, std::chrono::milliseconds(100));
  return options;
}

TaskProcessorOptions ProcessorOptionsFor(const WorkerSettings& settings) {
  TaskProcessorOptions options;
  options.limits = settings.limits;
  options.retry.max_attempts = settings.max_attempts;
  return options;
}

}  // namespace

TaskQueueOptions WorkerQueueOptions(const WorkerSettings& settings, std::string consumer_id) {
  TaskQueueOptions options;
  options.lease_duration = settings.lease;
  options.consumer_id = std::move(consumer_id);
  return options;
}

AssembledWorker::AssembledWorker(std::unique_ptr<metrics::Registry> registry,
                                 std::unique_ptr<QueueMetrics> queue_metrics, TaskQueueHandle queue,
                                 std::unique_ptr<ResultStore> results,
                                 const WorkerSettings& settings, Clock& clock)
    : registry_(std::move(registry)),
      queue_metrics_(std::move(queue_metrics)),
      queue_(std::move(queue)),
      results_(std::move(results)),
      grouped_results_(*results_),
      // The stores' waits end with the grace period (worker_ exists by the time a batch's stores
      // are opened, on its first task).
      catalog_(grouped_results_,
               [this, &clock](std::string_view url) {
                 return MakeObjectStore(url, true, clock, worker_.GraceOver());
               }),
      worker_metrics_(*registry_),
      processor_(*queue_, grouped_results_, catalog_, clock, ProcessorOptionsFor(settings),
                 &worker_metrics_),
      worker_(*queue_, processor_, clock, WorkerOptionsFor(settings)) {
  worker_metrics_.slots.With().Set(settings.concurrency);
}

Status AssembledWorker::Ready() {
  if (worker_.Stopping()) return Unavailable("stopping");
  return queue_->Depth().status();
}

std::string AssembledWorker::Totals() const {
  const ProcessorCounters& counters = processor_.counters();
  const GroupCommitStats writes = grouped_results_.Stats();
  return fmt::format(
      "{} succeeded, {} failed, {} retried, {} handed back, {} interrupted; {} results recorded "
      "in {} database writes",
      counters.succeeded.load(), counters.failed.load(), counters.retried.load(),
      counters.handed_back.load(), counters.interrupted.load(), writes.calls, writes.writes);
}

Result<std::unique_ptr<AssembledWorker>> AssembleWorker(const WorkerSettings& settings,
                                                        Clock& clock, const std::stop_token& stop) {
  EngineOptions engine_options;
  engine_options.allow_untrusted_loaders = settings.allow_untrusted_loaders;
  PIXFLEET_RETURN_IF_ERROR(InitImageEngine(engine_options));
  auto registry = std::make_unique<metrics::Registry>();
  auto queue_metrics = std::make_unique<QueueMetrics>(*registry);
  TaskQueueOptions queue_options = WorkerQueueOptions(settings, ThisProcessConsumerId());
  queue_options.observer = queue_metrics.get();
  PIXFLEET_ASSIGN_OR_RETURN(
      TaskQueueHandle queue, OpenPatiently("queue", clock, settings.startup_patience, stop, [&] {
        return MakeTaskQueue(settings.queue_url, queue_options, clock, settings.concurrency);
      }));
  PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<ResultStore> results,
                            OpenPatiently("result store", clock, settings.startup_patience, stop,
                                          [&] { return MakeResultStore(settings.db_url, clock); }));
  return std::make_unique<AssembledWorker>(std::move(registry), std::move(queue_metrics),
                                           std::move(queue), std::move(results), settings, clock);
}

}  // namespace pixfleet
