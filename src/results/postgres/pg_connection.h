// PgConnection and PgResult: RAII over libpq's PGconn and PGresult, speaking only what works
// behind pgbouncer in transaction pooling mode: unnamed statements through the extended protocol
// (PQexecParams, never a named prepared statement) and plain SQL scripts. Errors are values:
// a lost or refused connection is kUnavailable and marks the connection broken (the pool then
// drops it); server errors map by SQLSTATE (pg_sql.h). No message holds the URL's password.
// A PgConnection is not thread-safe; PgPool hands each one to one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct pg_conn;
struct pg_result;

namespace pixfleet {

// OK if `url` is a postgresql:// (or postgres://) URL libpq can parse and read one way only
// (core/redact.h, CheckUserinfoUnambiguous); kInvalidArgument, with the password redacted,
// otherwise.
Status ValidatePostgresUrl(std::string_view url);

class PgResult {
 public:
  explicit PgResult(pg_result* result);
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  PgResult(PgResult&&) noexcept = default;
  PgResult& operator=(PgResult&&) noexcept = default;
  ~PgResult();

  int Rows() const;
  bool IsNull(int row, int column) const;
  // The value in text form ("" for NULL). REQUIRES: row < rows(), column in range.
  std::string_view Text(int row, int column) const;
  // The value parsed as a decimal integer; kDataLoss if it is not one.
  Result<int64_t> Int(int row, int column) const;

 private:
  struct Deleter {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Deleter> result_;
};

class PgConnection {
 public:
  // Connects to `url` (passed to libpq as is, so sslmode=... and friends work; its own
  // connect_timeout wins over `connect_timeout`). kInvalidArgument for a malformed URL, a
  // database that does not exist or a refused login (ConnectFailureStatus, pg_sql.h), directly
  // or through pgbouncer; kUnavailable if the server cannot be reached or is not ready.
  static Result<std::unique_ptr<PgConnection>> Connect(std::string_view url,
                                                       std::chrono::seconds connect_timeout);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with text parameters $1..$n as an unnamed statement.
  Result<PgResult> Exec(std::string_view sql, std::span<const std::string> params = {});
  // Runs a parameterless script (several statements allowed) through the simple protocol.
  Status ExecScript(std::string_view sql);

  // True once the connection is known to be unusable; it is never used again.
  bool Broken() const { return broken_; }
  const std::string& RedactedUrl() const { return redacted_url_; }

 private:
  PgConnection(pg_conn* conn, std::string_view url);
  Status CheckResult(pg_result* result, std::string_view sql);

  pg_conn* const conn_;
  const std::string redacted_url_;
  const std::vector<std::string> secrets_;  // of url_, masked in every message
  bool broken_ = false;
};

}  // namespace pixfleet
