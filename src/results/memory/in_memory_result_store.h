// InMemoryResultStore: the ResultStore fake, three sorted maps behind one mutex. It applies the
// shared rules of store_rules.h and stores outputs and analyses in their canonical JSON form
// (and back), so that what a test reads equals what a database would return. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "core/clock.h"
#include "results/result_store.h"

namespace pixfleet {

class InMemoryResultStore final : public ResultStore {
 public:
  // Batches put with created_ms == 0 are stamped with `clock` (which must outlive the store).
  explicit InMemoryResultStore(Clock& clock);
  InMemoryResultStore();  // uses the real clock

  // ResultStore
  Status PutBatch(const Batch& batch) override;
  Result<std::optional<Batch>> GetBatch(std::string_view batch_id) override;
  Result<std::vector<Batch>> ListBatches() override;
  Status RecordResults(std::span<const TaskResult> results) override;
  Result<std::optional<TaskResult>> GetResult(std::string_view task_id) override;
  Result<std::vector<TaskResult>> ListResults(std::string_view batch_id,
                                              std::optional<TaskOutcome> outcome) override;
  Result<std::vector<std::string>> SucceededTaskIds(std::string_view batch_id) override;
  Result<BatchCounts> CountResults(std::string_view batch_id) override;
  Result<int64_t> CountFailed(std::string_view batch_id) override;
  Status RecordPublications(std::string_view batch_id,
                            std::span<const Publication> publications) override;
  Result<std::vector<Publication>> ListPublications(std::string_view batch_id) override;

 private:
  Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Batch, std::less<>> batches_;       // guarded by mutex_
  std::map<std::string, TaskResult, std::less<>> results_;  // guarded by mutex_, by task id
  // guarded by mutex_: the ledger by (batch id, task id)
  std::map<std::pair<std::string, std::string>, Publication> publications_;
};

}  // namespace pixfleet
