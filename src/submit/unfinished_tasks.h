// Which of a batch's tasks a submission publishes. A task is finished when its result row says
// succeeded, or failed (unless failed ones are retried). An unfinished task is still queued when
// the publication ledger (results/result_store.h) says it was published and its row is what it
// was then: no row yet, or the same failed row that a --retry-failed submission published it
// again for. Queued tasks are left out unless the caller asks to publish them again (a queue
// that was purged, or one that de-duplicates by itself). Reads the ledger and the rows once.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/task.h"
#include "results/result_store.h"

namespace pixfleet {

struct UnfinishedTasks {
  std::vector<TaskSpec> to_publish;
  // Ledger entries for to_publish, index for index: to be recorded once the queue confirmed them.
  std::vector<Publication> publications;
  int64_t finished = 0;  // left out: a row says they are done
  int64_t queued = 0;    // left out: published earlier and not finished since
};

struct UnfinishedTasksOptions {
  bool retry_failed = false;  // failed tasks are unfinished, to be published again
  bool skip_queued = true;    // false: publish queued tasks again too
};

Result<UnfinishedTasks> SelectUnfinishedTasks(ResultStore& results, std::string_view batch_id,
                                              std::vector<TaskSpec> tasks,
                                              const UnfinishedTasksOptions& options);

}  // namespace pixfleet
