// QueueObserver: events inside a queue backend that the process hosting it may want to count,
// without the queue modules linking the metrics module: the composition root wires an observer
// to the metrics registry (wiring/queue_metrics.h) and passes it in TaskQueueOptions. The backend
// logs each event itself; the observer only counts. Called on the thread that met the event,
// possibly from several at once: implementations are thread-safe and quick.
#pragma once

#include <cstdint>
#include <string>

namespace pixfleet {

// A message on the work queue that is not a pixfleet task (a stray publisher, a corrupt body);
// the backend has dead-lettered it.
struct MalformedMessage {
  std::string message_id;  // as the publisher set it (raw bytes, cut to 64): escape to print
  int64_t size = 0;        // body bytes
  std::string reason;      // why it does not decode, e.g. "not JSON: ..." or "no task_id"
};

class QueueObserver {
 public:
  virtual ~QueueObserver() = default;
  QueueObserver() = default;
  QueueObserver(const QueueObserver&) = delete;
  QueueObserver& operator=(const QueueObserver&) = delete;
  virtual void OnMalformedMessage(const MalformedMessage& message) = 0;
};

}  // namespace pixfleet
