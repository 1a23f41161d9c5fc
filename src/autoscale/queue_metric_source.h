// QueueMetricSource: the port through which the scaler reads one trigger's queue at each poll.
// A failed read is a Result error (the controller counts it: no scale to zero without a
// fallback, the fallback after failureThreshold). Implementations: rabbitmq_metric_source.h
// (the real broker, AMQP or management API), and in-memory fakes in tests.
#pragma once

#include "core/status.h"
#include "scaling/rabbitmq_trigger.h"

namespace pixfleet {

class QueueMetricSource {
 public:
  virtual ~QueueMetricSource() = default;
  // What the queue looks like now. Never throws; blocks at most the trigger's timeout.
  virtual Result<QueueSample> Sample() = 0;
};

}  // namespace pixfleet
