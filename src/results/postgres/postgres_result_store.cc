// PostgresResultStore: see the header. Every public call validates its input, leases a
// connection and runs its statements in InTransaction; rows are read back through the same
// canonical JSON as the SQLite store.
#include "results/postgres/postgres_result_store.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "results/postgres/pg_migrations.h"
#include "results/postgres/pg_sql.h"
#include "results/result_json.h"
#include "results/status_code_name.h"
#include "results/store_rules.h"

namespace pixfleet {
namespace {

constexpr std::string_view kBatchColumns =
    "id, name, source_url, output_url, recipe_yaml, created_ms, task_count";

constexpr std::string_view kResultColumns =
    "task_id, batch_id, input_key, outcome, error_code, error_message, attempts, input_bytes, "
    "outputs, analysis, finished_ms, process_ms";

// The upsert rule of results/store_rules.h (ReplacesResult), stated in SQL as in the SQLite
// store. The rows come as 12 parallel arrays; RowsForUpsert made the task ids unique.
constexpr std::string_view kUpsertResults = R"sql(
INSERT INTO {schema}.results AS r (task_id, batch_id, input_key, outcome, error_code,
    error_message, attempts, input_bytes, outputs, analysis, finished_ms, process_ms)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::integer[], $8::bigint[], $9::jsonb[], $10::jsonb[], $11::bigint[], $12::bigint[])
ON CONFLICT (task_id) DO UPDATE SET
  batch_id = excluded.batch_id, input_key = excluded.input_key, outcome = excluded.outcome,
  error_code = excluded.error_code, error_message = excluded.error_message,
  attempts = excluded.attempts, input_bytes = excluded.input_bytes,
  outputs = excluded.outputs, analysis = excluded.analysis,
  finished_ms = excluded.finished_ms, process_ms = excluded.process_ms
WHERE r.outcome <> 'succeeded'
  AND (excluded.outcome = 'succeeded' OR excluded.attempts >= r.attempts)
)sql";

// The ledger entries come as two parallel arrays (task ids sorted and unique, so that one
// statement updates a row at most once and concurrent writers lock rows in the same order);
// an empty string stands for a NULL result_finished_ms.
constexpr std::string_view kUpsertPublications = R"sql(
INSERT INTO {schema}.publications AS p (batch_id, task_id, result_finished_ms)
SELECT $1, t.task_id, NULLIF(t.finished, '')::bigint
FROM unnest($2::text[], $3::text[]) AS t (task_id, finished)
ON CONFLICT (batch_id, task_id) DO UPDATE SET result_finished_ms = excluded.result_finished_ms
)sql";

constexpr int kLedgerPage = 50'000;

std::string WithSchema(std::string_view sql, const std::string& schema) {
  std::string out(sql);
  const size_t pos = out.find("{schema}");
  if (pos != std::string::npos) out.replace(pos, 8, schema);
  return out;
}

Result<Batch> ReadBatch(const PgResult& rows, int row) {
  Batch batch;
  batch.id = rows.Text(row, 0);
  batch.name = rows.Text(row, 1);
  batch.source_url = rows.Text(row, 2);
  batch.output_url = rows.Text(row, 3);
  batch.recipe_yaml = rows.Text(row, 4);
  PIXFLEET_ASSIGN_OR_RETURN(batch.created_ms, rows.Int(row, 5));
  PIXFLEET_ASSIGN_OR_RETURN(batch.task_count, rows.Int(row, 6));
  return batch;
}

Result<TaskOutcome> OutcomeFromName(std::string_view name) {
  if (name == TaskOutcomeName(TaskOutcome::kSucceeded)) return TaskOutcome::kSucceeded;
  if (name == TaskOutcomeName(TaskOutcome::kFailed)) return TaskOutcome::kFailed;
  return DataLoss("unknown outcome \"" + std::string(name) + "\" in results table");
}

Result<StatusCode> CodeFromName(std::string_view name) {
  const std::optional<StatusCode> code = StatusCodeFromName(name);
  if (!code.has_value()) {
    return DataLoss("unknown error code \"" + std::string(name) + "\" in results table");
  }
  return *code;
}

// Reads a row selected with kResultColumns.
Result<TaskResult> ReadResult(const PgResult& rows, int row) {
  TaskResult result;
  result.task_id = rows.Text(row, 0);
  result.batch_id = rows.Text(row, 1);
  result.input_key = rows.Text(row, 2);
  PIXFLEET_ASSIGN_OR_RETURN(result.outcome, OutcomeFromName(rows.Text(row, 3)));
  PIXFLEET_ASSIGN_OR_RETURN(result.error_code, CodeFromName(rows.Text(row, 4)));
  result.error_message = rows.Text(row, 5);
  PIXFLEET_ASSIGN_OR_RETURN(const int64_t attempts, rows.Int(row, 6));
  if (!std::in_range<int>(attempts)) return DataLoss("attempts out of range in results table");
  result.attempts = static_cast<int>(attempts);
  PIXFLEET_ASSIGN_OR_RETURN(const int64_t input_bytes, rows.Int(row, 7));
  result.input_bytes = static_cast<uint64_t>(input_bytes);
  PIXFLEET_ASSIGN_OR_RETURN(result.outputs, OutputsFromJson(rows.Text(row, 8)));
  PIXFLEET_ASSIGN_OR_RETURN(result.analysis, AnalysisFromJson(rows.Text(row, 9)));
  PIXFLEET_ASSIGN_OR_RETURN(result.finished_ms, rows.Int(row, 10));
  PIXFLEET_ASSIGN_OR_RETURN(result.process_ms, rows.Int(row, 11));
  return result;
}

// The 12 array parameters of kUpsertResults. REQUIRES: ValidateResult(row) is OK for each row.
std::vector<std::string> UpsertParams(const std::vector<TaskResult>& rows) {
  std::vector<std::vector<std::string>> columns(12);
  for (std::vector<std::string>& column : columns) column.reserve(rows.size());
  for (const TaskResult& row : rows) {
    columns[0].push_back(row.task_id);
    columns[1].push_back(row.batch_id);
    columns[2].push_back(row.input_key);
    columns[3].push_back(TaskOutcomeName(row.outcome));
    columns[4].emplace_back(StatusCodeName(row.error_code));
    columns[5].push_back(row.error_message);
    columns[6].push_back(std::to_string(row.attempts));
    columns[7].push_back(std::to_string(static_cast<int64_t>(row.input_bytes)));
    columns[8].push_back(JsonForJsonb(OutputsToJson(row.outputs)));
    columns[9].push_back(JsonForJsonb(AnalysisToJson(row.analysis)));
    columns[10].push_back(std::to_string(row.finished_ms));
    columns[11].push_back(std::to_string(row.process_ms));
  }
  std::vector<std::string> params;
  params.reserve(columns.size());
  for (const std::vector<std::string>& column : columns) params.push_back(ArrayLiteral(column));
  return params;
}

}  // namespace

Status MigratePostgres(std::string_view url, const PostgresOptions& options) {
  PIXFLEET_RETURN_IF_ERROR(ValidateSchemaName(options.schema));
  PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                            PgConnection::Connect(url, options.connect_timeout));
  return ApplyPostgresMigrations(*conn, options.schema);
}

Result<std::unique_ptr<PostgresResultStore>> PostgresResultStore::Open(
    std::string_view url, const PostgresOptions& options, Clock& clock) {
  PIXFLEET_RETURN_IF_ERROR(ValidatePostgresUrl(url));
  PIXFLEET_RETURN_IF_ERROR(ValidateSchemaName(options.schema));
  if (options.pool_size < 1) {
    return InvalidArgument("PostgreSQL pool size must be at least 1, not " +
                           std::to_string(options.pool_size));
  }
  PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                            PgConnection::Connect(url, options.connect_timeout));
  PIXFLEET_RETURN_IF_ERROR(CheckPostgresSchemaVersion(*conn, options.schema));
  auto pool =
      std::make_unique<PgPool>(std::string(url), options.pool_size, options.connect_timeout);
  pool->AddIdle(std::move(conn));
  return std::unique_ptr<PostgresResultStore>(
      new PostgresResultStore(std::move(pool), options, clock));
}

PostgresResultStore::PostgresResultStore(std::unique_ptr<PgPool> pool,
                                         const PostgresOptions& options, Clock& clock)
    : pool_(std::move(pool)),
      schema_(QuoteIdentifier(options.schema)),
      begin_("BEGIN; SET LOCAL statement_timeout = " +
             std::to_string(options.statement_timeout.count())),
      clock_(clock) {}

template <typename Body>
Status PostgresResultStore::InTransaction(Body&& body) {
  PIXFLEET_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_->Acquire());
  PIXFLEET_RETURN_IF_ERROR(conn->ExecScript(begin_));
  Status status = body(*conn);
  if (!status.ok()) {
    if (!conn->Broken()) (void)conn->ExecScript("ROLLBACK");
    return status;
  }
  return conn->ExecScript("COMMIT");
}

Status PostgresResultStore::PutBatch(const Batch& batch) {
  PIXFLEET_RETURN_IF_ERROR(ValidateBatch(batch));
  Batch clean = SanitizedBatch(batch);
  if (clean.created_ms == 0) clean.created_ms = clock_.NowMillis();
  return InTransaction([&](PgConnection& conn) -> Status {
    const std::vector<std::string> params = {clean.id,
                                             clean.name,
                                             clean.source_url,
                                             clean.output_url,
                                             clean.recipe_yaml,
                                             std::to_string(clean.created_ms),
                                             std::to_string(clean.task_count)};
    PIXFLEET_ASSIGN_OR_RETURN(
        const PgResult inserted,
        conn.Exec("INSERT INTO " + schema_ + ".batches (" + std::string(kBatchColumns) +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING "
                      "RETURNING id",
                  params));
    if (inserted.Rows() == 1) return Status::Ok();
    // It exists: lock it, check that it is the same batch, update its task count.
    const std::vector<std::string> id = {clean.id};
    PIXFLEET_ASSIGN_OR_RETURN(const PgResult existing,
                              conn.Exec("SELECT " + std::string(kBatchColumns) + " FROM " +
                                            schema_ + ".batches WHERE id = $1 FOR UPDATE",
                                        id));
    if (existing.Rows() != 1) return Internal("batch " + clean.id + " vanished during PutBatch");
    PIXFLEET_ASSIGN_OR_RETURN(const Batch stored, ReadBatch(existing, 0));
    PIXFLEET_RETURN_IF_ERROR(CheckSameBatch(stored, clean));
    const std::vector<std::string> update = {std::to_string(clean.task_count), clean.id};
    return conn.Exec("UPDATE " + schema_ + ".batches SET task_count = $1 WHERE id = $2", update)
        .status();
  });
}

Result<std::optional<Batch>> PostgresResultStore::GetBatch(std::string_view batch_id) {
  std::optional<Batch> batch;
  PIXFLEET_RETURN_IF_ERROR(InTransaction([&](PgConnection& conn) -> Status {
    const std::vector<std::string> id = {SanitizeText(batch_id)};
    PIXFLEET_ASSIGN_OR_RETURN(
        const PgResult rows, conn.Exec("SELECT " + std::string(kBatchColumns) + " FROM " + schema_ +
                                           ".batches WHERE id = $1",
                                       id));
    if (rows.Rows() == 0) return Status::Ok();
    PIXFLEET_ASSIGN_OR_RETURN(batch, ReadBatch(rows, 0));
    return Status::Ok();
  }));
  return batch;
}

Result<std::vector<Batch>> PostgresResultStore::ListBatches() {
  std::vector<Batch> batches;
  PIXFLEET_RETURN_IF_ERROR(InTransaction([&](PgConnection& conn) -> Status {
    PIXFLEET_ASSIGN_OR_RETURN(
        const PgResult rows, conn.Exec("SELECT " + std::string(kBatchColumns) + " FROM " + schema_ +
                                       ".batches ORDER BY created_ms DESC, id"));
    for (int i = 0; i < rows.Rows(); ++i) {
      PIXFLEET_ASSIGN_OR_RETURN(Batch batch, ReadBatch(rows, i));
      batches.push_back(std::move(batch));
    }
    return Status::Ok();
  }));
  return batches;
}

Status PostgresResultStore::RecordResults(std::span<const TaskResult> results) {
  for (const TaskResult& result : results) PIXFLEET_RETURN_IF_ERROR(ValidateResult(result));
  if (results.empty()) return Status::Ok();
  const std::vector<std::string> params = UpsertParams(RowsForUpsert(results));
  const std::string sql = WithSchema(kUpsertResults, schema_);
  return InTransaction(
      [&](PgConnection& conn) -> Status { return conn.Exec(sql, params).status(); });
}

Result<std::optional<TaskResult>> PostgresResultStore::GetResult(std::string_view task_id) {
  std::optional<TaskResult> result;
  PIXFLEET_RETURN_IF_ERROR(InTransaction([&](PgConnection& conn) -> Status {
    const std::vector<std::string> id = {SanitizeText(task_id)};
    PIXFLEET_ASSIGN_OR_RETURN(const PgResult rows,
                              conn.Exec("SELECT " + std::string(kResultColumns) + " FROM " +
                                            schema_ + ".results WHERE task_id = $1",
                                        id));
    if (rows.Rows() == 0) return Status::Ok();
    PIXFLEET_ASSIGN_OR_RETURN(result, ReadResult(rows, 0));
    return Status::Ok();
  }));
  return result;
}

Result<std::vector<TaskResult>> PostgresResultStore::ListResults(
    std::string_view batch_id, std::optional<TaskOutcome> outcome) {
  std::vector<TaskResult> results;
  PIXFLEET_RETURN_IF_ERROR(InTransaction([&](PgConnection& conn) -> Status {
    std::vector<std::string> params = {SanitizeText(batch_id)};
    std::string sql = "SELECT " + std::string(kResultColumns) + " FROM " + schema_ +
                      ".results WHERE batch_id = $1";
    if (outcome.has_value()) {
      sql += " AND outcome = $2";
      params.emplace_back(TaskOutcomeName(*outcome));
    }
    sql += " ORDER BY input_key, task_id";
    PIXFLEET_ASSIGN_OR_RETURN(const PgResult rows, conn.Exec(sql, params));
    results.reserve(static_cast<size_t>(rows.Rows()));
    for (int i = 0; i < rows.Rows(); ++i) {
      PIXFLEET_ASSIGN_OR_RETURN(TaskResult result, ReadResult(rows, i));
      results.push_back(std::move(result));
    }
    return Status::Ok();
  }));
  return results;
}

Result<std::vector<std::string>> PostgresResultStore::SucceededTaskIds(std::string_view batch_id) {
  std::vector<std::string> ids;
  PIXFLEET_RETURN_IF_ERROR(InTransaction([&](PgConnection& conn) -> Status {
    const std::vector<std::string> params = {SanitizeText(batch_id)};
    PIXFLEET_ASSIGN_OR_RETURN(
        const PgResult rows, conn.Exec("SELECT task_id FROM " + schema_ +
                                           ".results WHERE batch_id = $1 AND outcome = 'succeeded' "
                                           "ORDER BY input_key, task_id",
                                       params));
    ids.reserve(static_cast<size_t>(rows.Rows()));
    for (int i = 0; i < rows.Rows(); ++i) ids.emplace_back(rows.Text(i, 0));
    return Status::Ok();
  }));
  return ids;
}

Result<BatchCounts> PostgresResultStore::CountResults(std::string_view batch_id) {
  BatchCounts counts;
  PIXFLEET_RETURN_IF_ERROR(InTransaction([&](PgConnection& conn) -> Status {
    const std::vector<std::string> params = {SanitizeText(batch_id)};
    PIXFLEET_ASSIGN_OR_RETURN(
        const PgResult rows,
        conn.Exec("SELECT outcome, error_code, count(*), min(finished_ms), max(finished_ms) "
                  "FROM " +
                      schema_ + ".results WHERE batch_id = $1 GROUP BY outcome, error_code",
                  params));
    for (int i = 0; i < rows.Rows(); ++i) {
      PIXFLEET_ASSIGN_OR_RETURN(const TaskOutcome outcome, OutcomeFromName(rows.Text(i, 0)));
      PIXFLEET_ASSIGN_OR_RETURN(const int64_t count, rows.Int(i, 2));
      if (outcome == TaskOutcome::kSucceeded) {
        counts.succeeded += count;
      } else {
        PIXFLEET_ASSIGN_OR_RETURN(const StatusCode code, CodeFromName(rows.Text(i, 1)));
        counts.failed += count;
        counts.failed_by_code[code] += count;
      }
      PIXFLEET_ASSIGN_OR_RETURN(const int64_t first_ms, rows.Int(i, 3));
      PIXFLEET_ASSIGN_OR_RETURN(const int64_t last_ms, rows.Int(i, 4));
      counts.first_finished_ms = i == 0 ? first_ms : std::min(counts.first_finished_ms, first_ms);
      counts.last_finished_ms = i == 0 ? last_ms : std::max(counts.last_finished_ms, last_ms);
    }
    return Status::Ok();
  }));
  return counts;
}

// The (batch_id, outcome, input_key) index's range of the batch's failures.
Result<int64_t> PostgresResultStore::CountFailed(std::string_view batch_id) {
  int64_t failed = 0;
  PIXFLEET_RETURN_IF_ERROR(InTransaction([&](PgConnection& conn) -> Status {
    const std::vector<std::string> params = {SanitizeText(batch_id)};
    PIXFLEET_ASSIGN_OR_RETURN(const PgResult rows,
                              conn.Exec("SELECT count(*) FROM " + schema_ +
                                            ".results WHERE batch_id = $1 AND outcome = 'failed'",
                                        params));
    PIXFLEET_ASSIGN_OR_RETURN(failed, rows.Int(0, 0));
    return Status::Ok();
  }));
  return failed;
}

Status PostgresResultStore::RecordPublications(std::string_view batch_id,
                                               std::span<const Publication> publications) {
  PIXFLEET_RETURN_IF_ERROR(ValidatePublications(batch_id, publications));
  if (publications.empty()) return Status::Ok();
  // The last entry for a task id wins, as if they were applied one after another.
  std::map<std::string, std::string> latest;
  for (const Publication& publication : publications) {
    latest[SanitizeText(publication.task_id)] =
        publication.result_finished_ms.has_value() ? std::to_string(*publication.result_finished_ms)
                                                   : std::string();
  }
  std::vector<std::string> task_ids;
  std::vector<std::string> finished;
  task_ids.reserve(latest.size());
  finished.reserve(latest.size());
  for (auto& [task_id, finished_ms] : latest) {
    task_ids.push_back(task_id);
    finished.push_back(std::move(finished_ms));
  }
  const std::vector<std::string> params = {SanitizeText(batch_id), ArrayLiteral(task_ids),
                                           ArrayLiteral(finished)};
  const std::string sql = WithSchema(kUpsertPublications, schema_);
  return InTransaction(
      [&](PgConnection& conn) -> Status { return conn.Exec(sql, params).status(); });
}

Result<std::vector<Publication>> PostgresResultStore::ListPublications(std::string_view batch_id) {
  std::vector<Publication> ledger;
  const std::string sql = "SELECT task_id, result_finished_ms FROM " + schema_ +
                          ".publications WHERE batch_id = $1 AND task_id > $2 ORDER BY task_id "
                          "LIMIT " +
                          std::to_string(kLedgerPage);
  std::string after;  // "" sorts before every task id
  while (true) {
    int rows_read = 0;
    PIXFLEET_RETURN_IF_ERROR(InTransaction([&](PgConnection& conn) -> Status {
      const std::vector<std::string> params = {SanitizeText(batch_id), after};
      PIXFLEET_ASSIGN_OR_RETURN(const PgResult rows, conn.Exec(sql, params));
      rows_read = rows.Rows();
      for (int i = 0; i < rows.Rows(); ++i) {
        Publication publication{std::string(rows.Text(i, 0)), std::nullopt};
        if (!rows.IsNull(i, 1)) {
          PIXFLEET_ASSIGN_OR_RETURN(publication.result_finished_ms, rows.Int(i, 1));
        }
        ledger.push_back(std::move(publication));
      }
      return Status::Ok();
    }));
    if (rows_read < kLedgerPage) return ledger;
    after = ledger.back().task_id;
  }
}

}  // namespace pixfleet
