#include "wiring/queue_metrics.h"

namespace pixfleet {

QueueMetrics::QueueMetrics(metrics::Registry& registry)
    : malformed_(registry
                     .AddCounter("pixfleet_queue_malformed_messages_total",
                                 "Messages on the work queue that were not pixfleet tasks, "
                                 "dead-lettered (the log names each).")
                     .With()) {}

void QueueMetrics::OnMalformedMessage(const MalformedMessage& /*message*/) {
  malformed_.Increment();
}

}  // namespace pixfleet
