// Versioned schema migrations for the PostgreSQL result store. The schema's version is the
// highest version in <schema>.schema_migrations(version, applied_at); migration N is applied
// exactly once, in one transaction with its row in that table. Migrating is explicit (`pixfleet
// db migrate`); it is safe to run from several processes at once: each takes a
// transaction-level advisory lock (pg_advisory_xact_lock, allowed behind pgbouncer in
// transaction pooling) keyed by the schema name before reading the version.
//
// Version 1: batches and results (mirroring the SQLite store: error codes by name, outputs and
// analysis as canonical JSON, here jsonb) and results_by_batch_outcome_key on
// (batch_id, outcome, input_key). Keys use the "C" collation, so that ordering is bytewise like
// SQLite's.
// Version 2: the publication ledger (publications, keyed by (batch_id, task_id): the one index
// serves the upsert and reading one batch's ledger in pages).
#pragma once

#include <string_view>

#include "core/status.h"
#include "results/postgres/pg_connection.h"

namespace pixfleet {

// The version this binary reads and writes.
inline constexpr int kPostgresSchemaVersion = 2;

// Applies the missing migrations to `schema` (created if absent) in one transaction.
// kInvalidArgument if the schema is newer than this binary.
Status ApplyPostgresMigrations(PgConnection& conn, std::string_view schema);

// The schema's version: 0 if it has no schema_migrations table.
Result<int> ReadPostgresSchemaVersion(PgConnection& conn, std::string_view schema);

// OK if the schema is at kPostgresSchemaVersion; otherwise kInvalidArgument telling the operator
// what to do.
Status CheckPostgresSchemaVersion(PgConnection& conn, std::string_view schema);

}  // namespace pixfleet
