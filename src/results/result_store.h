// ResultStore: the port for batches and per-task result rows. RecordResults is an upsert keyed by
// task id, so a redelivered task changes nothing: a succeeded row is final, and a failed row may
// be replaced only by a later attempt's row. Implementations are thread-safe.
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

  virtual Result<BatchCounts> CountResults(std::string_view batch_id) = 0;
};

}  // namespace pixfleet
