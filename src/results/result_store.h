// ResultStore: the port for batches, per-task result rows and the publication ledger.
// RecordResults is an upsert keyed by task id, so a redelivered task changes nothing: a succeeded
// row is final, and a failed row may be replaced only by a later attempt's row. The publication
// ledger records which tasks a submission handed to the queue, so that submitting the same batch
// again publishes nothing that is still queued: the queue port does not promise to de-duplicate
// (queue/task_queue.h), and a broker cannot be asked what it holds. Implementations are
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/result.h"
#include "model/task.h"

namespace pixfleet {

struct BatchCounts {
  int64_t succeeded = 0;
  int64_t failed = 0;
  std::map<StatusCode, int64_t> failed_by_code;
  int64_t first_finished_ms = 0;  // 0 when nothing finished yet
  int64_t last_finished_ms = 0;
};

// One entry of the publication ledger: a task the queue confirmed it holds.
struct Publication {
  std::string task_id;
  // finished_ms of the task's result row when it was published (a failed row that --retry-failed
  // publishes the task again for), or nullopt when it had no row. A task is still queued while
  // its row is what it was at its last publication.
  std::optional<int64_t> result_finished_ms;
  friend bool operator==(const Publication&, const Publication&) = default;
};

class ResultStore {
 public:
  virtual ~ResultStore() = default;
  ResultStore() = default;
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  // Creates the batch, or updates task_count of an existing one with the same id. kInvalidArgument
  // if a batch with this id exists with a different recipe, source or output.
  virtual Status PutBatch(const Batch& batch) = 0;

  // The batch, or nullopt if absent.
  virtual Result<std::optional<Batch>> GetBatch(std::string_view batch_id) = 0;

  // All batches, newest first.
  virtual Result<std::vector<Batch>> ListBatches() = 0;

  // Upserts result rows in one transaction (see the file comment for the rules).
  virtual Status RecordResults(std::span<const TaskResult> results) = 0;

  // The row for a task, or nullopt if none.
  virtual Result<std::optional<TaskResult>> GetResult(std::string_view task_id) = 0;

  // Rows of a batch with the given outcome (all outcomes if nullopt), ordered by input key.
  virtual Result<std::vector<TaskResult>> ListResults(std::string_view batch_id,
                                                      std::optional<TaskOutcome> outcome) = 0;

  // Task ids of a batch whose row says succeeded (to skip them on re-submission).
  virtual Result<std::vector<std::string>> SucceededTaskIds(std::string_view batch_id) = 0;

  // Reads every row of the batch: for a summary, not for a loop.
  virtual Result<BatchCounts> CountResults(std::string_view batch_id) = 0;

  // The batch's failed rows (CountResults().failed), at the cost of the failures alone, not of
  // the batch: what a run's progress line shows, several times a second, while a batch of a
  // million rows grows.
  virtual Result<int64_t> CountFailed(std::string_view batch_id) = 0;

  // Records that the tasks of `batch_id` were published: an upsert by (batch, task id) (the last
  // publication wins), in one transaction. Call it only once the queue confirmed them, so that a
  // crash in between can only cause a task to be published again, never to be skipped.
  // kInvalidArgument (nothing recorded) for an empty batch id or task id.
  virtual Status RecordPublications(std::string_view batch_id,
                                    std::span<const Publication> publications) = 0;

  // The ledger of a batch, in no particular order (it may hold millions of entries).
  virtual Result<std::vector<Publication>> ListPublications(std::string_view batch_id) = 0;
};

}  // namespace pixfleet
