// Pure helpers for building PostgreSQL statements and reading their errors (no connection, so
// they are unit-tested without a server): schema names, text that PostgreSQL accepts, array
// literals for unnest() parameters, the batching rule for upserts, and SQLSTATE → StatusCode.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/result.h"
#include "model/task.h"

namespace pixfleet {

// OK if `schema` is a plain lower-case identifier ([a-z_][a-z0-9_]*, at most 63 bytes), so it
// can be quoted into SQL without surprises; kInvalidArgument otherwise.
Status ValidateSchemaName(std::string_view schema);

// `"name"` with embedded double quotes doubled.
std::string QuoteIdentifier(std::string_view name);

// `text` as PostgreSQL text can hold it: invalid UTF-8 sequences and NUL bytes (which a text
// value cannot hold) become U+FFFD, the rule result_json.h applies to JSON strings.
std::string SanitizeText(std::string_view text);

// Canonical JSON (results/result_json.h) as jsonb accepts it: the escape \u0000, which jsonb
// rejects, becomes \ufffd. Other text is unchanged.
std::string JsonForJsonb(std::string_view json);

// A one-dimensional array literal in text form ({"a","b\"c"}), every element quoted, for a
// parameter cast to text[], bigint[], jsonb[]....
std::string ArrayLiteral(std::span<const std::string> elements);

// The rows one upsert statement must write so that it has the effect of applying `rows` one
// after another (PostgreSQL refuses to update one row twice in one statement): one row per task
// id, folded with ReplacesResult in input order, sorted by task id (so that concurrent writers
// lock rows in the same order and cannot deadlock). Strings are passed through SanitizeText.
std::vector<TaskResult> RowsForUpsert(std::span<const TaskResult> rows);

// `batch` with its strings passed through SanitizeText.
Batch SanitizedBatch(const Batch& batch);

// What a caller may do about a server error with this SQLSTATE: kUnavailable for connection,
// shutdown, resource and serialization errors (retry), kDeadlineExceeded for a cancelled
// statement (statement_timeout), kFailedPrecondition for a server whose disk is full (53100:
// no retry helps until an operator frees space, and no task is to blame), kInvalidArgument for
// a database that does not exist or a refused login (3D000, 28000, 28P01), kInternal for
// everything else (a constraint or a bug).
StatusCode CodeForSqlState(std::string_view sqlstate);

// The Status of a failed connection attempt from libpq's message, `message` ("cannot connect
// to URL: ..."), which carries no SQLSTATE field: a database that does not exist or a login the
// server (or pgbouncer) refuses is kInvalidArgument with what to check in the URL, for no retry
// mends the URL; anything else (a refused or lost connection, a server starting or shutting
// down, too many clients) is kUnavailable. Matched on the messages of PostgreSQL (in English,
// lc_messages C or en, as servers send before a session exists) and pgbouncer, or on a
// SQLSTATE when the message shows one ("FATAL:  3D000: ...").
Status ConnectFailureStatus(std::string message);

}  // namespace pixfleet
