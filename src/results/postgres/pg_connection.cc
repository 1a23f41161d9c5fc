// PgConnection: see the header. Every message built here goes through ScrubSecrets.
#include "results/postgres/pg_connection.h"

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include <libpq-fe.h>

#include "core/redact.h"
#include "results/postgres/pg_sql.h"
#include "results/postgres/pg_url.h"

namespace pixfleet {
namespace {

// libpq's message on one line: newlines and tabs become single spaces, none trailing.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The first line of a statement, for error context.
std::string_view Summary(std::string_view sql) {
  while (!sql.empty() && (sql.front() == '\n' || sql.front() == ' ')) sql.remove_prefix(1);
  return sql.substr(0, std::min(sql.find('\n'), size_t{60}));
}

// Server notices (e.g. "drop cascades to ...") are not errors: a library must not print them.
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

}  // namespace

Status ValidatePostgresUrl(std::string_view url) {
  if (!HasPostgresScheme(url)) {
    return InvalidArgument("not a PostgreSQL URL (want postgresql://...): " + RedactSecrets(url));
  }
  // libpq would take a piece of such a password for the host and quote it in its error.
  PIXFLEET_RETURN_IF_ERROR(CheckUserinfoUnambiguous(url));
  char* error = nullptr;
  const std::string url_string(url);
  PQconninfoOption* options = PQconninfoParse(url_string.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? OneLine(error) : "out of memory";
    PQfreemem(error);
    return InvalidArgument("bad PostgreSQL URL " + RedactSecrets(url) + ": " +
                           ScrubSecrets(message, url));
  }
  // libpq checks some values only when connecting; a bad one is a bad URL, not an outage.
  std::string problem;
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    const std::string_view value = option->val;
    if (keyword == "port" && !std::all_of(value.begin(), value.end(), [](char c) {
          return (c >= '0' && c <= '9') || c == ',';
        })) {
      problem = "port \"" + std::string(value) + "\" is not a number";
    }
    constexpr std::string_view kSslModes[] = {"disable", "allow",     "prefer",
                                              "require", "verify-ca", "verify-full"};
    if (keyword == "sslmode" &&
        std::find(std::begin(kSslModes), std::end(kSslModes), value) == std::end(kSslModes)) {
      problem = "sslmode \"" + std::string(value) + "\" is not one of disable, allow, prefer, " +
                "require, verify-ca, verify-full";
    }
  }
  PQconninfoFree(options);
  if (!problem.empty()) {
    return InvalidArgument("bad PostgreSQL URL " + RedactSecrets(url) + ": " +
                           ScrubSecrets(problem, url));
  }
  return Status::Ok();
}

PgResult::PgResult(pg_result* result) : result_(result) {}
PgResult::~PgResult() = default;

void PgResult::Deleter::operator()(pg_result* result) const { PQclear(result); }

int PgResult::Rows() const { return PQntuples(result_.get()); }

bool PgResult::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view PgResult::Text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

Result<int64_t> PgResult::Int(int row, int column) const {
  const std::string_view text = Text(row, column);
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return DataLoss("column " + std::to_string(column) + " holds \"" + SanitizeText(text) +
                    "\", not an integer");
  }
  return value;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(std::string_view url,
                                                            std::chrono::seconds connect_timeout) {
  PIXFLEET_RETURN_IF_ERROR(ValidatePostgresUrl(url));
  const std::string url_string(url);
  const std::string timeout = std::to_string(connect_timeout.count());
  // Defaults first: the URL (expanded from dbname) overrides them.
  const char* const keywords[] = {"connect_timeout", "client_encoding", "dbname", nullptr};
  const char* const values[] = {timeout.c_str(), "UTF8", url_string.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Unavailable("libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = ScrubSecrets(OneLine(PQerrorMessage(conn)), url);
    PQfinish(conn);
    // A refused server certificate (or a missing sslrootcert) is configuration, not an outage:
    // no retry mends it, so the command stops at once, as for amqps and https. libpq reports
    // it only in words.
    for (const char* refusal :
         {"certificate verify failed", "root certificate file", "server certificate for"}) {
      if (message.find(refusal) != std::string::npos) {
        return InvalidArgument("cannot connect to " + RedactSecrets(url) +
                               ": the server's TLS certificate was refused: " + message);
      }
    }
    return ConnectFailureStatus("cannot connect to " + RedactSecrets(url) + ": " + message);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn, url_string));
}

PgConnection::PgConnection(pg_conn* conn, std::string_view url)
    : conn_(conn), redacted_url_(RedactSecrets(url)), secrets_(SecretsOf(url)) {}

PgConnection::~PgConnection() { PQfinish(conn_); }

Result<PgResult> PgConnection::Exec(std::string_view sql, std::span<const std::string> params) {
  if (broken_) return Unavailable("connection to " + redacted_url_ + " was lost");
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& param : params) values.push_back(param.c_str());
  const std::string sql_string(sql);
  pg_result* result = PQexecParams(conn_, sql_string.c_str(), static_cast<int>(values.size()),
                                   /*paramTypes=*/nullptr, values.data(), /*paramLengths=*/nullptr,
                                   /*paramFormats=*/nullptr, /*resultFormat=*/0);
  PgResult owned(result);
  PIXFLEET_RETURN_IF_ERROR(CheckResult(result, sql));
  return owned;
}

Status PgConnection::ExecScript(std::string_view sql) {
  if (broken_) return Unavailable("connection to " + redacted_url_ + " was lost");
  const std::string sql_string(sql);
  pg_result* result = PQexec(conn_, sql_string.c_str());
  const PgResult owned(result);
  return CheckResult(result, sql);
}

Status PgConnection::CheckResult(pg_result* result, std::string_view sql) {
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::Ok();
  const char* sqlstate = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string message = OneLine(result != nullptr ? PQresultErrorMessage(result) : "");
  if (message.empty()) message = OneLine(PQerrorMessage(conn_));
  message = ScrubSecrets(message, secrets_);
  StatusCode code = sqlstate != nullptr ? CodeForSqlState(sqlstate) : StatusCode::kUnavailable;
  const char* severity =
      result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  const bool fatal = severity != nullptr && (std::string_view(severity) == "FATAL" ||
                                             std::string_view(severity) == "PANIC");
  if (fatal || PQstatus(conn_) != CONNECTION_OK ||
      (sqlstate != nullptr && std::string_view(sqlstate).substr(0, 2) == "08")) {
    broken_ = true;  // the session is gone: report it as retryable, the pool replaces it
    code = StatusCode::kUnavailable;
  }
  return {code, "PostgreSQL " + redacted_url_ + " (" + std::string(Summary(sql)) + "): " +
                    (sqlstate != nullptr ? std::string(sqlstate) + " " : std::string()) + message};
}

}  // namespace pixfleet
