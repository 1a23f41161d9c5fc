// SqliteResultStore: see the header. Every public call takes the mutex, then runs its SQL;
// writes run in one BEGIN IMMEDIATE transaction each.
#include "results/sqlite/sqlite_result_store.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

#include "results/result_json.h"
#include "results/status_code_name.h"
#include "results/store_rules.h"

namespace pixfleet {
namespace {

constexpr std::chrono::milliseconds kBusyTimeout{5000};

constexpr std::string_view kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS batches (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  source_url  TEXT NOT NULL,
  output_url  TEXT NOT NULL,
  recipe_yaml TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  task_count  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
  task_id       TEXT PRIMARY KEY,
  batch_id      TEXT NOT NULL,
  input_key     TEXT NOT NULL,
  outcome       TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  error_code    TEXT NOT NULL,
  error_message TEXT NOT NULL,
  attempts      INTEGER NOT NULL,
  input_bytes   INTEGER NOT NULL,
  outputs_json  TEXT NOT NULL,
  analysis_json TEXT NOT NULL,
  finished_ms   INTEGER NOT NULL,
  process_ms    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS results_by_batch_outcome_key ON results (batch_id, outcome, input_key);
)sql";

// Version 2: the publication ledger. result_finished_ms is NULL for a task published before it
// had a result row.
constexpr std::string_view kCreateLedger = R"sql(
CREATE TABLE IF NOT EXISTS publications (
  batch_id           TEXT NOT NULL,
  task_id            TEXT NOT NULL,
  result_finished_ms INTEGER,
  PRIMARY KEY (batch_id, task_id)
) WITHOUT ROWID;
)sql";

constexpr std::string_view kUpsertPublication = R"sql(
INSERT INTO publications (task_id, batch_id, result_finished_ms) VALUES (?1, ?2, ?3)
ON CONFLICT (batch_id, task_id) DO UPDATE SET result_finished_ms = excluded.result_finished_ms
)sql";

constexpr std::string_view kBatchColumns =
    "id, name, source_url, output_url, recipe_yaml, created_ms, task_count";

constexpr std::string_view kResultColumns =
    "task_id, batch_id, input_key, outcome, error_code, error_message, attempts, input_bytes, "
    "outputs_json, analysis_json, finished_ms, process_ms";

// The upsert rule of results/store_rules.h (ReplacesResult), stated in SQL: a succeeded row is
// final; a failed row gives way to a success, or to a failure from the same or a later attempt.
constexpr std::string_view kUpsertResult = R"sql(
INSERT INTO results (task_id, batch_id, input_key, outcome, error_code, error_message, attempts,
                     input_bytes, outputs_json, analysis_json, finished_ms, process_ms)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT (task_id) DO UPDATE SET
  batch_id = excluded.batch_id, input_key = excluded.input_key, outcome = excluded.outcome,
  error_code = excluded.error_code, error_message = excluded.error_message,
  attempts = excluded.attempts, input_bytes = excluded.input_bytes,
  outputs_json = excluded.outputs_json, analysis_json = excluded.analysis_json,
  finished_ms = excluded.finished_ms, process_ms = excluded.process_ms
WHERE results.outcome <> 'succeeded'
  AND (excluded.outcome = 'succeeded' OR excluded.attempts >= results.attempts)
)sql";

Batch ReadBatch(const sqlite::Statement& row) {
  Batch batch;
  batch.id = row.ColumnText(0);
  batch.name = row.ColumnText(1);
  batch.source_url = row.ColumnText(2);
  batch.output_url = row.ColumnText(3);
  batch.recipe_yaml = row.ColumnText(4);
  batch.created_ms = row.ColumnInt(5);
  batch.task_count = row.ColumnInt(6);
  return batch;
}

Result<TaskOutcome> OutcomeFromName(const std::string& name) {
  if (name == TaskOutcomeName(TaskOutcome::kSucceeded)) return TaskOutcome::kSucceeded;
  if (name == TaskOutcomeName(TaskOutcome::kFailed)) return TaskOutcome::kFailed;
  return DataLoss("unknown outcome \"" + name + "\" in results table");
}

Result<StatusCode> CodeFromName(const std::string& name) {
  const std::optional<StatusCode> code = StatusCodeFromName(name);
  if (!code.has_value()) return DataLoss("unknown error code \"" + name + "\" in results table");
  return *code;
}

Result<int> IntColumn(const sqlite::Statement& row, int column, std::string_view name) {
  const int64_t value = row.ColumnInt(column);
  if (!std::in_range<int>(value)) {
    return DataLoss("column " + std::string(name) + " holds " + std::to_string(value) +
                    ", out of range");
  }
  return static_cast<int>(value);
}

// Reads a row selected with kResultColumns.
Result<TaskResult> ReadResult(const sqlite::Statement& row) {
  TaskResult result;
  result.task_id = row.ColumnText(0);
  result.batch_id = row.ColumnText(1);
  result.input_key = row.ColumnText(2);
  PIXFLEET_ASSIGN_OR_RETURN(result.outcome, OutcomeFromName(row.ColumnText(3)));
  PIXFLEET_ASSIGN_OR_RETURN(result.error_code, CodeFromName(row.ColumnText(4)));
  result.error_message = row.ColumnText(5);
  PIXFLEET_ASSIGN_OR_RETURN(result.attempts, IntColumn(row, 6, "attempts"));
  result.input_bytes = static_cast<uint64_t>(row.ColumnInt(7));
  PIXFLEET_ASSIGN_OR_RETURN(result.outputs, OutputsFromJson(row.ColumnText(8)));
  PIXFLEET_ASSIGN_OR_RETURN(result.analysis, AnalysisFromJson(row.ColumnText(9)));
  result.finished_ms = row.ColumnInt(10);
  result.process_ms = row.ColumnInt(11);
  return result;
}

// REQUIRES: ValidateResult(result) is OK (input_bytes fits in int64).
void BindResult(sqlite::Statement& statement, const TaskResult& result) {
  statement.Bind(1, result.task_id)
      .Bind(2, result.batch_id)
      .Bind(3, result.input_key)
      .Bind(4, std::string_view(TaskOutcomeName(result.outcome)))
      .Bind(5, StatusCodeName(result.error_code))
      .Bind(6, result.error_message)
      .Bind(7, int64_t{result.attempts})
      .Bind(8, static_cast<int64_t>(result.input_bytes))
      .Bind(9, OutputsToJson(result.outputs))
      .Bind(10, AnalysisToJson(result.analysis))
      .Bind(11, result.finished_ms)
      .Bind(12, result.process_ms);
}

// Runs `sql` once for each item, bound by `bind`, all in one transaction.
template <typename Item, typename Bind>
Status RunForEach(sqlite::Database& db, std::string_view sql, std::span<const Item> items,
                  Bind bind) {
  PIXFLEET_ASSIGN_OR_RETURN(sqlite::Transaction transaction, sqlite::Transaction::Begin(db));
  PIXFLEET_ASSIGN_OR_RETURN(sqlite::Statement statement, db.Prepare(sql));
  for (const Item& item : items) {
    bind(statement, item);
    PIXFLEET_RETURN_IF_ERROR(statement.Run());
    statement.Reset();
  }
  return transaction.Commit();
}

}  // namespace

Result<std::unique_ptr<SqliteResultStore>> SqliteResultStore::Open(const std::string& path,
                                                                   Clock& clock) {
  PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db,
                            sqlite::Database::Open(path, kBusyTimeout));
  std::unique_ptr<SqliteResultStore> store(new SqliteResultStore(std::move(db), clock));
  PIXFLEET_RETURN_IF_ERROR(store->CreateSchemaIfAbsent());
  return store;
}

SqliteResultStore::SqliteResultStore(std::unique_ptr<sqlite::Database> db, Clock& clock)
    : db_(std::move(db)), clock_(clock) {}

Status SqliteResultStore::CreateSchemaIfAbsent() {
  std::lock_guard lock(mutex_);
  // One transaction, so that two processes opening a new file at once create it once.
  PIXFLEET_ASSIGN_OR_RETURN(sqlite::Transaction transaction, sqlite::Transaction::Begin(*db_));
  PIXFLEET_RETURN_IF_ERROR(
      db_->Exec("CREATE TABLE IF NOT EXISTS schema_version ("
                "component TEXT PRIMARY KEY, version INTEGER NOT NULL)"));
  PIXFLEET_ASSIGN_OR_RETURN(
      sqlite::Statement select,
      db_->Prepare("SELECT version FROM schema_version WHERE component = 'results'"));
  PIXFLEET_ASSIGN_OR_RETURN(const bool found, select.Step());
  const int64_t version = found ? select.ColumnInt(0) : 0;
  select.Reset();
  if (version == kSchemaVersion) return transaction.Commit();
  if (version > kSchemaVersion || version < 0) {
    return InvalidArgument("result store " + db_->path() + " has schema version " +
                           std::to_string(version) + "; this binary reads version " +
                           std::to_string(kSchemaVersion));
  }
  if (version == 0) PIXFLEET_RETURN_IF_ERROR(db_->Exec(kCreateSchema));
  PIXFLEET_RETURN_IF_ERROR(db_->Exec(kCreateLedger));  // version 1 -> 2
  PIXFLEET_ASSIGN_OR_RETURN(
      sqlite::Statement record,
      db_->Prepare("INSERT INTO schema_version (component, version) VALUES ('results', ?1) "
                   "ON CONFLICT (component) DO UPDATE SET version = excluded.version"));
  PIXFLEET_RETURN_IF_ERROR(record.Bind(1, int64_t{kSchemaVersion}).Run());
  return transaction.Commit();
}

Status SqliteResultStore::PutBatch(const Batch& batch) {
  PIXFLEET_RETURN_IF_ERROR(ValidateBatch(batch));
  std::lock_guard lock(mutex_);
  return PutBatchLocked(batch);
}

Status SqliteResultStore::PutBatchLocked(const Batch& batch) {
  PIXFLEET_ASSIGN_OR_RETURN(sqlite::Transaction transaction, sqlite::Transaction::Begin(*db_));
  PIXFLEET_ASSIGN_OR_RETURN(
      sqlite::Statement select,
      db_->Prepare("SELECT " + std::string(kBatchColumns) + " FROM batches WHERE id = ?1"));
  PIXFLEET_ASSIGN_OR_RETURN(const bool found, select.Bind(1, batch.id).Step());
  if (found) {
    PIXFLEET_RETURN_IF_ERROR(CheckSameBatch(ReadBatch(select), batch));
    PIXFLEET_ASSIGN_OR_RETURN(sqlite::Statement update,
                              db_->Prepare("UPDATE batches SET task_count = ?1 WHERE id = ?2"));
    PIXFLEET_RETURN_IF_ERROR(update.Bind(1, batch.task_count).Bind(2, batch.id).Run());
  } else {
    PIXFLEET_ASSIGN_OR_RETURN(sqlite::Statement insert,
                              db_->Prepare("INSERT INTO batches (" + std::string(kBatchColumns) +
                                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    const int64_t created_ms = batch.created_ms != 0 ? batch.created_ms : clock_.NowMillis();
    PIXFLEET_RETURN_IF_ERROR(insert.Bind(1, batch.id)
                                 .Bind(2, batch.name)
                                 .Bind(3, batch.source_url)
                                 .Bind(4, batch.output_url)
                                 .Bind(5, batch.recipe_yaml)
                                 .Bind(6, created_ms)
                                 .Bind(7, batch.task_count)
                                 .Run());
  }
  return transaction.Commit();
}

Result<std::optional<Batch>> SqliteResultStore::GetBatch(std::string_view batch_id) {
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(
      sqlite::Statement select,
      db_->Prepare("SELECT " + std::string(kBatchColumns) + " FROM batches WHERE id = ?1"));
  PIXFLEET_ASSIGN_OR_RETURN(const bool found, select.Bind(1, batch_id).Step());
  if (!found) return std::optional<Batch>();
  return std::optional<Batch>(ReadBatch(select));
}

Result<std::vector<Batch>> SqliteResultStore::ListBatches() {
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(sqlite::Statement select,
                            db_->Prepare("SELECT " + std::string(kBatchColumns) +
                                         " FROM batches ORDER BY created_ms DESC, id"));
  std::vector<Batch> batches;
  while (true) {
    PIXFLEET_ASSIGN_OR_RETURN(const bool found, select.Step());
    if (!found) return batches;
    batches.push_back(ReadBatch(select));
  }
}

Status SqliteResultStore::RecordResults(std::span<const TaskResult> results) {
  for (const TaskResult& result : results) PIXFLEET_RETURN_IF_ERROR(ValidateResult(result));
  if (results.empty()) return Status::Ok();
  std::lock_guard lock(mutex_);
  return RecordResultsLocked(results);
}

Status SqliteResultStore::RecordResultsLocked(std::span<const TaskResult> results) {
  return RunForEach(*db_, kUpsertResult, results, BindResult);
}

Result<std::optional<TaskResult>> SqliteResultStore::GetResult(std::string_view task_id) {
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(
      sqlite::Statement select,
      db_->Prepare("SELECT " + std::string(kResultColumns) + " FROM results WHERE task_id = ?1"));
  PIXFLEET_ASSIGN_OR_RETURN(const bool found, select.Bind(1, task_id).Step());
  if (!found) return std::optional<TaskResult>();
  PIXFLEET_ASSIGN_OR_RETURN(TaskResult result, ReadResult(select));
  return std::optional<TaskResult>(std::move(result));
}

Result<std::vector<TaskResult>> SqliteResultStore::ListResults(std::string_view batch_id,
                                                               std::optional<TaskOutcome> outcome) {
  std::lock_guard lock(mutex_);
  std::string sql = "SELECT " + std::string(kResultColumns) + " FROM results WHERE batch_id = ?1";
  if (outcome.has_value()) sql += " AND outcome = ?2";
  sql += " ORDER BY input_key, task_id";
  PIXFLEET_ASSIGN_OR_RETURN(sqlite::Statement select, db_->Prepare(sql));
  select.Bind(1, batch_id);
  if (outcome.has_value()) select.Bind(2, std::string_view(TaskOutcomeName(*outcome)));
  std::vector<TaskResult> results;
  while (true) {
    PIXFLEET_ASSIGN_OR_RETURN(const bool found, select.Step());
    if (!found) return results;
    PIXFLEET_ASSIGN_OR_RETURN(TaskResult result, ReadResult(select));
    results.push_back(std::move(result));
  }
}

Result<std::vector<std::string>> SqliteResultStore::SucceededTaskIds(std::string_view batch_id) {
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(sqlite::Statement select,
                            db_->Prepare("SELECT task_id FROM results WHERE batch_id = ?1 AND "
                                         "outcome = 'succeeded' ORDER BY input_key, task_id"));
  select.Bind(1, batch_id);
  std::vector<std::string> ids;
  while (true) {
    PIXFLEET_ASSIGN_OR_RETURN(const bool found, select.Step());
    if (!found) return ids;
    ids.push_back(select.ColumnText(0));
  }
}

Result<BatchCounts> SqliteResultStore::CountResults(std::string_view batch_id) {
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(
      sqlite::Statement select,
      db_->Prepare("SELECT outcome, error_code, COUNT(*), MIN(finished_ms), MAX(finished_ms) "
                   "FROM results WHERE batch_id = ?1 GROUP BY outcome, error_code"));
  select.Bind(1, batch_id);
  BatchCounts counts;
  bool first = true;
  while (true) {
    PIXFLEET_ASSIGN_OR_RETURN(const bool found, select.Step());
    if (!found) return counts;
    PIXFLEET_ASSIGN_OR_RETURN(const TaskOutcome outcome, OutcomeFromName(select.ColumnText(0)));
    const int64_t count = select.ColumnInt(2);
    if (outcome == TaskOutcome::kSucceeded) {
      counts.succeeded += count;
    } else {
      PIXFLEET_ASSIGN_OR_RETURN(const StatusCode code, CodeFromName(select.ColumnText(1)));
      counts.failed += count;
      counts.failed_by_code[code] += count;
    }
    const int64_t first_ms = select.ColumnInt(3);
    const int64_t last_ms = select.ColumnInt(4);
    counts.first_finished_ms = first ? first_ms : std::min(counts.first_finished_ms, first_ms);
    counts.last_finished_ms = first ? last_ms : std::max(counts.last_finished_ms, last_ms);
    first = false;
  }
}

// Counted in the (batch_id, outcome, input_key) index alone, over the batch's failures.
Result<int64_t> SqliteResultStore::CountFailed(std::string_view batch_id) {
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(
      sqlite::Statement count,
      db_->Prepare("SELECT COUNT(*) FROM results WHERE batch_id = ?1 AND outcome = 'failed'"));
  count.Bind(1, batch_id);
  PIXFLEET_ASSIGN_OR_RETURN(const bool row, count.Step());
  if (!row) return Internal("counting failed results returned no row");
  return count.ColumnInt(0);
}

Status SqliteResultStore::RecordPublications(std::string_view batch_id,
                                             std::span<const Publication> publications) {
  PIXFLEET_RETURN_IF_ERROR(ValidatePublications(batch_id, publications));
  if (publications.empty()) return Status::Ok();
  std::lock_guard lock(mutex_);
  return RunForEach(*db_, kUpsertPublication, publications,
                    [batch_id](sqlite::Statement& upsert, const Publication& publication) {
                      upsert.Bind(1, publication.task_id).Bind(2, batch_id);
                      if (publication.result_finished_ms.has_value()) {
                        upsert.Bind(3, *publication.result_finished_ms);
                      } else {
                        upsert.BindNull(3);
                      }
                    });
}

Result<std::vector<Publication>> SqliteResultStore::ListPublications(std::string_view batch_id) {
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(
      sqlite::Statement select,
      db_->Prepare("SELECT task_id, result_finished_ms FROM publications WHERE batch_id = ?1"));
  select.Bind(1, batch_id);
  std::vector<Publication> ledger;
  while (true) {
    PIXFLEET_ASSIGN_OR_RETURN(const bool found, select.Step());
    if (!found) return ledger;
    Publication publication{select.ColumnText(0), std::nullopt};
    if (!select.ColumnIsNull(1)) publication.result_finished_ms = select.ColumnInt(1);
    ledger.push_back(std::move(publication));
  }
}

}  // namespace pixfleet
