// Schema migrations: see the header. Each migration is a script with a {schema} placeholder
// for the quoted schema name; the list only ever grows.
#include "results/postgres/pg_migrations.h"

#include <string>
#include <vector>

#include "results/postgres/pg_sql.h"

namespace pixfleet {
namespace {

constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE {schema}.batches (
  id          text COLLATE "C" PRIMARY KEY,
  name        text NOT NULL,
  source_url  text NOT NULL,
  output_url  text NOT NULL,
  recipe_yaml text NOT NULL,
  created_ms  bigint NOT NULL,
  task_count  bigint NOT NULL
);
CREATE TABLE {schema}.results (
  task_id       text COLLATE "C" PRIMARY KEY,
  batch_id      text COLLATE "C" NOT NULL,
  input_key     text COLLATE "C" NOT NULL,
  outcome       text COLLATE "C" NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  error_code    text COLLATE "C" NOT NULL,
  error_message text NOT NULL,
  attempts      integer NOT NULL,
  input_bytes   bigint NOT NULL,
  outputs       jsonb NOT NULL,
  analysis      jsonb NOT NULL,
  finished_ms   bigint NOT NULL,
  process_ms    bigint NOT NULL
);
CREATE INDEX results_by_batch_outcome_key ON {schema}.results (batch_id, outcome, input_key);
)sql";

// The publication ledger of `pixfleet submit`: result_finished_ms is NULL for a task published
// before it had a result row.
constexpr std::string_view kMigration2 = R"sql(
CREATE TABLE {schema}.publications (
  batch_id           text COLLATE "C" NOT NULL,
  task_id            text COLLATE "C" NOT NULL,
  result_finished_ms bigint,
  PRIMARY KEY (batch_id, task_id)
);
)sql";

// Index i holds migration i + 1.
constexpr std::string_view kMigrations[] = {kMigration1, kMigration2};
static_assert(std::size(kMigrations) == kPostgresSchemaVersion);

std::string WithSchema(std::string_view script, std::string_view quoted_schema) {
  std::string out(script);
  constexpr std::string_view kPlaceholder = "{schema}";
  size_t pos = 0;
  while ((pos = out.find(kPlaceholder, pos)) != std::string::npos) {
    out.replace(pos, kPlaceholder.size(), quoted_schema);
    pos += quoted_schema.size();
  }
  return out;
}

Status MigrateInTransaction(PgConnection& conn, std::string_view schema) {
  const std::string quoted = QuoteIdentifier(schema);
  const std::vector<std::string> lock_key = {"pixfleet.schema_migrations." + std::string(schema)};
  PIXFLEET_RETURN_IF_ERROR(
      conn.Exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", lock_key).status());
  const std::vector<std::string> schema_param = {std::string(schema)};
  PIXFLEET_ASSIGN_OR_RETURN(
      const PgResult exists,
      conn.Exec("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", schema_param));
  if (exists.Rows() == 0) PIXFLEET_RETURN_IF_ERROR(conn.ExecScript("CREATE SCHEMA " + quoted));
  PIXFLEET_RETURN_IF_ERROR(conn.ExecScript("CREATE TABLE IF NOT EXISTS " + quoted +
                                           ".schema_migrations (version integer PRIMARY KEY, "
                                           "applied_at timestamptz NOT NULL DEFAULT now())"));
  PIXFLEET_ASSIGN_OR_RETURN(const int current, ReadPostgresSchemaVersion(conn, schema));
  if (current > kPostgresSchemaVersion) {
    return InvalidArgument("database schema " + std::string(schema) + " is at version " +
                           std::to_string(current) + ", newer than this binary's " +
                           std::to_string(kPostgresSchemaVersion) + ": upgrade pixfleet");
  }
  for (int version = current + 1; version <= kPostgresSchemaVersion; ++version) {
    const size_t index = static_cast<size_t>(version - 1);
    PIXFLEET_RETURN_IF_ERROR(conn.ExecScript(WithSchema(kMigrations[index], quoted))
                                 .WithContext("migration " + std::to_string(version)));
    const std::vector<std::string> version_param = {std::to_string(version)};
    PIXFLEET_RETURN_IF_ERROR(
        conn.Exec("INSERT INTO " + quoted + ".schema_migrations (version) VALUES ($1)",
                  version_param)
            .status());
  }
  return Status::Ok();
}

}  // namespace

Status ApplyPostgresMigrations(PgConnection& conn, std::string_view schema) {
  PIXFLEET_RETURN_IF_ERROR(ValidateSchemaName(schema));
  PIXFLEET_RETURN_IF_ERROR(conn.ExecScript("BEGIN"));
  Status status = MigrateInTransaction(conn, schema);
  if (!status.ok()) {
    if (!conn.Broken()) (void)conn.ExecScript("ROLLBACK");
    return status;
  }
  return conn.ExecScript("COMMIT");
}

Result<int> ReadPostgresSchemaVersion(PgConnection& conn, std::string_view schema) {
  PIXFLEET_RETURN_IF_ERROR(ValidateSchemaName(schema));
  const std::string table = QuoteIdentifier(schema) + ".schema_migrations";
  const std::vector<std::string> table_param = {table};
  PIXFLEET_ASSIGN_OR_RETURN(const PgResult found,
                            conn.Exec("SELECT to_regclass($1) IS NOT NULL", table_param));
  if (found.Rows() != 1 || found.Text(0, 0) != "t") return 0;
  PIXFLEET_ASSIGN_OR_RETURN(const PgResult version,
                            conn.Exec("SELECT COALESCE(max(version), 0) FROM " + table));
  PIXFLEET_ASSIGN_OR_RETURN(const int64_t value, version.Int(0, 0));
  return static_cast<int>(value);
}

Status CheckPostgresSchemaVersion(PgConnection& conn, std::string_view schema) {
  PIXFLEET_ASSIGN_OR_RETURN(const int version, ReadPostgresSchemaVersion(conn, schema));
  if (version == kPostgresSchemaVersion) return Status::Ok();
  const std::string where = "database schema " + std::string(schema) + " at " + conn.RedactedUrl() +
                            " is at version " + std::to_string(version);
  if (version < kPostgresSchemaVersion) {
    return InvalidArgument(where + ", this binary needs version " +
                           std::to_string(kPostgresSchemaVersion) + ": run `pixfleet db migrate`");
  }
  return InvalidArgument(where + ", newer than this binary's " +
                         std::to_string(kPostgresSchemaVersion) + ": upgrade pixfleet");
}

}  // namespace pixfleet
