// InMemoryResultStore: see the header. Reads scan every row: a fake for tests and small runs,
// not a database.
#include "results/memory/in_memory_result_store.h"

#include <algorithm>
#include <tuple>

#include "results/result_json.h"
#include "results/store_rules.h"

namespace pixfleet {
namespace {

// The row as a database would return it: outputs and analysis through their stored JSON.
Result<TaskResult> Canonical(const TaskResult& result) {
  TaskResult canonical = result;
  PIXFLEET_ASSIGN_OR_RETURN(canonical.outputs, OutputsFromJson(OutputsToJson(result.outputs)));
  PIXFLEET_ASSIGN_OR_RETURN(canonical.analysis, AnalysisFromJson(AnalysisToJson(result.analysis)));
  return canonical;
}

}  // namespace

InMemoryResultStore::InMemoryResultStore(Clock& clock) : clock_(clock) {}
InMemoryResultStore::InMemoryResultStore() : clock_(RealClock::Instance()) {}

Status InMemoryResultStore::PutBatch(const Batch& batch) {
  PIXFLEET_RETURN_IF_ERROR(ValidateBatch(batch));
  std::lock_guard lock(mutex_);
  const auto it = batches_.find(batch.id);
  if (it == batches_.end()) {
    Batch stored = batch;
    if (stored.created_ms == 0) stored.created_ms = clock_.NowMillis();
    batches_.emplace(batch.id, std::move(stored));
    return Status::Ok();
  }
  PIXFLEET_RETURN_IF_ERROR(CheckSameBatch(it->second, batch));
  it->second.task_count = batch.task_count;
  return Status::Ok();
}

Result<std::optional<Batch>> InMemoryResultStore::GetBatch(std::string_view batch_id) {
  std::lock_guard lock(mutex_);
  const auto it = batches_.find(batch_id);
  if (it == batches_.end()) return std::optional<Batch>();
  return std::optional<Batch>(it->second);
}

Result<std::vector<Batch>> InMemoryResultStore::ListBatches() {
  std::vector<Batch> batches;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, batch] : batches_) batches.push_back(batch);
  }
  std::stable_sort(batches.begin(), batches.end(), [](const Batch& a, const Batch& b) {
    return a.created_ms > b.created_ms;  // newest first; ties stay in id order
  });
  return batches;
}

Status InMemoryResultStore::RecordResults(std::span<const TaskResult> results) {
  // Validate and convert everything first, so that one bad row writes nothing (a transaction).
  std::vector<TaskResult> rows;
  rows.reserve(results.size());
  for (const TaskResult& result : results) {
    PIXFLEET_RETURN_IF_ERROR(ValidateResult(result));
    PIXFLEET_ASSIGN_OR_RETURN(TaskResult row, Canonical(result));
    rows.push_back(std::move(row));
  }
  std::lock_guard lock(mutex_);
  for (TaskResult& row : rows) {
    const auto it = results_.find(row.task_id);
    if (it == results_.end()) {
      std::string task_id = row.task_id;
      results_.emplace(std::move(task_id), std::move(row));
    } else if (ReplacesResult(it->second, row)) {
      it->second = std::move(row);
    }
  }
  return Status::Ok();
}

Result<std::optional<TaskResult>> InMemoryResultStore::GetResult(std::string_view task_id) {
  std::lock_guard lock(mutex_);
  const auto it = results_.find(task_id);
  if (it == results_.end()) return std::optional<TaskResult>();
  return std::optional<TaskResult>(it->second);
}

Result<std::vector<TaskResult>> InMemoryResultStore::ListResults(
    std::string_view batch_id, std::optional<TaskOutcome> outcome) {
  std::vector<TaskResult> rows;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [task_id, row] : results_) {
      if (row.batch_id == batch_id && (!outcome.has_value() || row.outcome == *outcome)) {
        rows.push_back(row);
      }
    }
  }
  std::sort(rows.begin(), rows.end(), [](const TaskResult& a, const TaskResult& b) {
    return std::tie(a.input_key, a.task_id) < std::tie(b.input_key, b.task_id);
  });
  return rows;
}

Result<std::vector<std::string>> InMemoryResultStore::SucceededTaskIds(std::string_view batch_id) {
  PIXFLEET_ASSIGN_OR_RETURN(const std::vector<TaskResult> rows,
                            ListResults(batch_id, TaskOutcome::kSucceeded));
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (const TaskResult& row : rows) ids.push_back(row.task_id);
  return ids;
}

Result<BatchCounts> InMemoryResultStore::CountResults(std::string_view batch_id) {
  BatchCounts counts;
  std::lock_guard lock(mutex_);
  for (const auto& [task_id, row] : results_) {
    if (row.batch_id != batch_id) continue;
    if (row.outcome == TaskOutcome::kSucceeded) {
      ++counts.succeeded;
    } else {
      ++counts.failed;
      ++counts.failed_by_code[row.error_code];
    }
    const bool first = counts.succeeded + counts.failed == 1;
    counts.first_finished_ms =
        first ? row.finished_ms : std::min(counts.first_finished_ms, row.finished_ms);
    counts.last_finished_ms =
        first ? row.finished_ms : std::max(counts.last_finished_ms, row.finished_ms);
  }
  return counts;
}

Result<int64_t> InMemoryResultStore::CountFailed(std::string_view batch_id) {
  std::lock_guard lock(mutex_);
  int64_t failed = 0;
  for (const auto& [task_id, row] : results_) {
    if (row.batch_id == batch_id && row.outcome == TaskOutcome::kFailed) ++failed;
  }
  return failed;
}

Status InMemoryResultStore::RecordPublications(std::string_view batch_id,
                                               std::span<const Publication> publications) {
  PIXFLEET_RETURN_IF_ERROR(ValidatePublications(batch_id, publications));
  std::lock_guard lock(mutex_);
  for (const Publication& publication : publications) {
    publications_.insert_or_assign(std::pair(std::string(batch_id), publication.task_id),
                                   publication);
  }
  return Status::Ok();
}

Result<std::vector<Publication>> InMemoryResultStore::ListPublications(std::string_view batch_id) {
  std::vector<Publication> ledger;
  std::lock_guard lock(mutex_);
  for (auto it = publications_.lower_bound({std::string(batch_id), ""});
       it != publications_.end() && it->first.first == batch_id; ++it) {
    ledger.push_back(it->second);
  }
  return ledger;
}

}  // namespace pixfleet
