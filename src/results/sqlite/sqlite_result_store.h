// SqliteResultStore: the ResultStore in one SQLite file, for the one-machine mode. Several
// worker processes share the file: WAL mode lets readers run beside the single writer, writes
// take the lock up front (BEGIN IMMEDIATE) and wait up to 5 s for it; a lock still held after
// that is kUnavailable, so the caller retries. Within a process one connection is shared
// behind a mutex (thread-safe).
//
// Schema (version 2, created if absent; see sqlite_result_store.cc): batches, results keyed by
// task id with an index on (batch_id, outcome, input_key), the publication ledger
// (publications, keyed by batch id and task id), and schema_version(component, version)
// holding ('results', 2), shaped so that other components may share the file. A version 1 file
// (before the ledger) is upgraded when opened: it only gains the empty publications table. Outputs
// and analysis are stored as their canonical JSON (results/result_json.h), error codes by name.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "results/result_store.h"
#include "sqlite/sqlite_db.h"

namespace pixfleet {

class SqliteResultStore final : public ResultStore {
 public:
  static constexpr int kSchemaVersion = 2;

  // Opens or creates the database at `path` (its folder must exist). kInvalidArgument if the
  // file holds a results schema of another version; kFailedPrecondition if it cannot be
  // created or written (no such folder, no permission, a full or read-only disk).
  // Batches put with created_ms == 0 are stamped with `clock`, which must outlive the store.
  static Result<std::unique_ptr<SqliteResultStore>> Open(const std::string& path, Clock& clock);

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
  SqliteResultStore(std::unique_ptr<sqlite::Database> db, Clock& clock);

  Status CreateSchemaIfAbsent();
  Status PutBatchLocked(const Batch& batch);
  Status RecordResultsLocked(std::span<const TaskResult> results);

  std::mutex mutex_;
  const std::unique_ptr<sqlite::Database> db_;  // used under mutex_ only
  Clock& clock_;
};

}  // namespace pixfleet
