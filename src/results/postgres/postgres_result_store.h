// PostgresResultStore: the ResultStore in PostgreSQL, for the many-machine mode, reached directly
// or through pgbouncer in transaction pooling mode. It uses no session state: every operation is
// one transaction (BEGIN; SET LOCAL statement_timeout; ...; COMMIT) of unnamed statements
// (PQexecParams), tables are schema-qualified (no search_path), and locks are
// transaction-scoped. RecordResults writes any number of rows with one INSERT ... SELECT FROM
// unnest($1::text[], ...) ON CONFLICT (task_id) DO UPDATE ... WHERE <the upsert rule of
// store_rules.h>, the same rule and the same stored forms as SqliteResultStore;
// RecordPublications upserts the publication ledger the same way.
//
// Connections: a pool of PostgresOptions::pool_size (default 1) behind a mutex. A lost
// connection fails the call in progress with kUnavailable (retryable; a write's outcome is then
// unknown, which the idempotent upsert absorbs) and is replaced on the next call. Server errors:
// connection/shutdown/serialization → kUnavailable, statement timeout → kDeadlineExceeded,
// constraint or logic errors → kInternal. Messages show the URL with its password redacted.
//
// The schema is created and upgraded only by MigratePostgres (`pixfleet db migrate`); Open()
// refuses a schema at another version. Text that PostgreSQL cannot hold (invalid UTF-8, NUL
// bytes) is stored with U+FFFD in its place. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "results/postgres/pg_pool.h"
#include "results/result_store.h"

namespace pixfleet {

struct PostgresOptions {
  int pool_size = 1;  // connections kept open; >= 1
  // Tables live in this schema (a lower-case identifier), named explicitly in every statement.
  std::string schema = "public";
  std::chrono::seconds connect_timeout{10};            // unless the URL sets connect_timeout itself
  std::chrono::milliseconds statement_timeout{30000};  // per statement, via SET LOCAL; 0 = none
};

// Creates or upgrades the result store's schema at `url` to this binary's version. Safe to run
// concurrently and repeatedly. kInvalidArgument for a bad URL or a newer schema, kUnavailable if
// the server cannot be reached.
Status MigratePostgres(std::string_view url, const PostgresOptions& options = {});

class PostgresResultStore final : public ResultStore {
 public:
  // Connects to `url` (postgresql://..., passed to libpq as is: sslmode=require etc. work) and
  // checks the schema version. kInvalidArgument for a bad URL or options, or a schema not at
  // this binary's version ("run `pixfleet db migrate`"); kUnavailable if the server cannot be
  // reached. `clock` stamps batches put with created_ms == 0 and must outlive the store.
  static Result<std::unique_ptr<PostgresResultStore>> Open(std::string_view url,
                                                           const PostgresOptions& options,
                                                           Clock& clock);

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
  // Read in pages of 50,000 (keyset on task id), each its own transaction, so that a ledger of
  // millions neither holds one huge result in memory twice nor one long transaction.
  Result<std::vector<Publication>> ListPublications(std::string_view batch_id) override;

 private:
  PostgresResultStore(std::unique_ptr<PgPool> pool, const PostgresOptions& options, Clock& clock);

  // Runs `body` in one transaction on a pooled connection; commits if it returns OK.
  template <typename Body>
  Status InTransaction(Body&& body);

  const std::unique_ptr<PgPool> pool_;
  const std::string schema_;  // quoted, ready to prefix table names
  const std::string begin_;   // BEGIN plus SET LOCAL statement_timeout
  Clock& clock_;
};

}  // namespace pixfleet
