#include "worker/worker_metrics.h"

namespace pixfleet {

WorkerMetrics::WorkerMetrics(metrics::Registry& registry)
    : tasks(registry.AddCounter("pixfleet_tasks_total", "Tasks handled, by outcome.", {"outcome"})),
      stage_seconds(registry.AddHistogram("pixfleet_task_stage_seconds",
                                          "Time spent per task stage (fetch, process, upload, "
                                          "database).",
                                          {"stage"}, metrics::LatencyBuckets())),
      task_seconds(registry.AddHistogram("pixfleet_task_duration_seconds",
                                         "Time per task from lease to settlement, by outcome.",
                                         {"outcome"}, metrics::LatencyBuckets())),
      in_flight(registry.AddGauge("pixfleet_tasks_in_flight", "Tasks being processed now.")),
      slots(registry.AddGauge("pixfleet_worker_slots",
                              "Task slots this worker runs (its concurrency).")),
      errors(registry.AddCounter("pixfleet_errors_total", "Task errors by class.", {"class"})),
      bytes(registry.AddCounter("pixfleet_bytes_total", "Image bytes read and written.",
                                {"direction"})) {
  // Unlabelled gauges exist from the start (a child is rendered only once created), so that
  // "busy / slots" has a value, 0, before the first task.
  in_flight.With();
  slots.With();
}

}  // namespace pixfleet
