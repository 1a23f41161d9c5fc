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
// statement (statement_timeout), kInternal for everything else (a constraint or a bug).
StatusCode CodeForSqlState(std::string_view sqlstate);

}  // namespace pixfleet
