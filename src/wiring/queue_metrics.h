// QueueMetrics: the queue's events (queue/queue_observer.h) as metrics in a registry, so that a
// worker's /metrics shows them while the queue modules stay free of the metrics module. The
// composition root makes one per process and hands it to the queue in TaskQueueOptions::observer.
//   pixfleet_queue_malformed_messages_total   messages on the work queue that were not pixfleet
//                                             tasks, dead-lettered (each also logged)
#pragma once

#include "metrics/registry.h"
#include "queue/queue_observer.h"

namespace pixfleet {

class QueueMetrics final : public QueueObserver {
 public:
  // The counters exist (at 0) from here on; `registry` must outlive this object.
  explicit QueueMetrics(metrics::Registry& registry);

  // QueueObserver
  void OnMalformedMessage(const MalformedMessage& message) override;

 private:
  metrics::Counter& malformed_;
};

}  // namespace pixfleet
