// Batch status for `pixfleet status`: progress, rate, ETA and failures by reason of one batch,
// from its result rows' counts, and the queue's depth (one queue serves every batch, so it is
// shown once). Pure: built from values, so it is the same for the embedded stores and for
// PostgreSQL/RabbitMQ. Names are shown through TerminalText (core/terminal_text.h): they come
// from whoever submitted the batch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/task.h"
#include "queue/task_queue.h"
#include "results/result_store.h"

namespace pixfleet {

struct BatchStatus {
  Batch batch;
  BatchCounts counts;
  int64_t now_ms = 0;
};

struct QueueStatus {
  std::string name;  // the queue's name or redacted URL
  QueueDepth depth;
  // Tasks in flight across the whole fleet, when known: a SQLite queue's leases, or RabbitMQ's
  // unacknowledged count from the management API (a passive declare cannot see them).
  std::optional<int64_t> in_flight;
};

// Finished rows per second between the first and the last finished row (0 when fewer than two).
double BatchRate(const BatchCounts& counts);

// Text block for one batch:
//   batch b3f… "std3"  created 2026-11-29 17:12:49 UTC
//     done 640/1000 (64.0%)  succeeded 630  failed 10  pending 360
//     rate 45.2 images/s  ETA 8s
//     failures: 7 invalid_argument, 3 resource_exhausted
std::string FormatBatchStatus(const BatchStatus& status);

// One line for the queue:
//   queue pixfleet: ready 350  in flight 10  delayed 0  dead-letter 10
// with "in flight ?" when the fleet-wide count is unknown.
std::string FormatQueueStatus(const QueueStatus& status);

}  // namespace pixfleet
