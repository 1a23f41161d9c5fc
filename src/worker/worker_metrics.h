// The worker's metrics, declared once and handed to the components that record them (one struct
// per component, built from the registry). Names follow Prometheus conventions; see README.
#pragma once

#include "metrics/registry.h"

namespace pixfleet {

struct WorkerMetrics {
  explicit WorkerMetrics(metrics::Registry& registry);

  // Tasks by what became of them: succeeded, failed, retried, lease_lost, stalled.
  metrics::Family<metrics::Counter>& tasks;
  // Latency per stage: fetch, process (decode and recipe), upload, database.
  metrics::Family<metrics::Histogram>& stage_seconds;
  // Whole-task latency by outcome.
  metrics::Family<metrics::Histogram>& task_seconds;
  // Tasks being processed now: the slots busy, of `slots`.
  metrics::Family<metrics::Gauge>& in_flight;
  // The task slots the worker runs (its concurrency), set once by whoever assembles it: busy
  // slots over this is the worker's saturation.
  metrics::Family<metrics::Gauge>& slots;
  // Errors by class (the status code name: invalid_argument, unavailable, ...).
  metrics::Family<metrics::Counter>& errors;
  // Bytes read (direction="in") and written (direction="out").
  metrics::Family<metrics::Counter>& bytes;
};

}  // namespace pixfleet
