// Batch submission: turns a source, a recipe and an output location into a batch and its tasks.
// Creates (or finds) the batch in the result store, lists the source's images, skips inputs
// whose result row already says succeeded (and failed ones unless retry_failed) and those an
// earlier submission queued that have not finished since (unfinished_tasks.h), and publishes the
// rest in chunks, recording each chunk in the result store's publication ledger once the queue
// confirmed it. Ids are derived from the content, so submitting the same work again publishes
// nothing that is finished or still queued, on every backend: a crash between a publish and its
// record can only publish that chunk once more (harmless), never lose a task. A queue that
// de-duplicates by itself (SQLite: deduplicating_publish.h) is given every unfinished task
// instead, which also refills it if it lost some. Used by `pixfleet run` (embedded) and
// `pixfleet submit` (a fleet).
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "model/task.h"
#include "queue/task_queue_handle.h"
#include "results/result_store.h"
#include "storage/object_store.h"
#include "submit/input_selection.h"

namespace pixfleet {

struct SubmitRequest {
  std::string source_url;      // where inputs are read (recorded in the batch for the workers)
  std::string output_url;      // where outputs are written
  std::string recipe_yaml;     // validated by the caller
  std::string batch_name;      // label; the recipe's name when empty
  std::string exclude_prefix;  // keys under it are not inputs (an output folder inside the source)
  bool retry_failed = false;
  // Publish unfinished tasks even if the ledger says they are queued: for a queue that was
  // purged or lost. Tasks still in the queue are then queued twice.
  bool requeue_unfinished = false;
};

struct SubmitReport {
  Batch batch;
  int64_t inputs = 0;     // images found in the source
  int64_t finished = 0;   // skipped: a row says they are done
  int64_t queued = 0;     // skipped: published earlier and not finished since
  int64_t published = 0;  // tasks made deliverable now
  SkipSummary skipped;    // what the source's listing passed over, for the user
};

// `source` must be the store behind request.source_url. A batch whose output keys collide (see
// model/output_key_check.h) is refused with kInvalidArgument before anything is written.
Result<SubmitReport> SubmitBatch(const SubmitRequest& request, ObjectStore& source,
                                 const TaskQueueHandle& queue, ResultStore& results, Clock& clock);

}  // namespace pixfleet
