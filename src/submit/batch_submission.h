// Batch submission: turns a source, a recipe and an output location into a batch and its tasks.
// Creates (or finds) the batch in the result store, lists the source's images, skips inputs
// whose result row already says succeeded (and failed ones unless retry_failed), and publishes
// the rest in chunks. Idempotent: ids are derived from the content, so submitting the same work
// again publishes only what is unfinished and never duplicates a task. Used by `pixfleet run`
// (embedded) and `pixfleet submit` (a fleet).
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "model/task.h"
#include "queue/task_queue.h"
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
};

struct SubmitReport {
  Batch batch;
  int64_t inputs = 0;     // images found in the source
  int64_t finished = 0;   // skipped: a row says they are done
  int64_t published = 0;  // tasks made deliverable now
  SkipSummary skipped;    // what the source's listing passed over, for the user
};

// `source` must be the store behind request.source_url. A batch whose output keys collide (see
// model/output_key_check.h) is refused with kInvalidArgument before anything is written.
Result<SubmitReport> SubmitBatch(const SubmitRequest& request, ObjectStore& source,
                                 TaskQueue& queue, ResultStore& results, Clock& clock);

}  // namespace pixfleet
