// PostgreSQL statement helpers: see the header.
#include "results/postgres/pg_sql.h"

#include <algorithm>
#include <map>
#include <utility>

#include "results/store_rules.h"

namespace pixfleet {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at text[i], or 0 if there is none (overlong
// forms, surrogates and code points over U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;
    if (lead == 0xED) max_second = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;
    if (lead == 0xF4) max_second = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < min_second || byte(i + 1) > max_second) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

Status ValidateSchemaName(std::string_view schema) {
  const bool well_formed = !schema.empty() && schema.size() <= 63 &&
                           !(schema[0] >= '0' && schema[0] <= '9') &&
                           std::all_of(schema.begin(), schema.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                           });
  if (well_formed) return Status::Ok();
  return InvalidArgument("PostgreSQL schema name \"" + SanitizeText(schema) +
                         "\" is not a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 bytes)");
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string SanitizeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = text[i] == '\0' ? 0 : Utf8SequenceLength(text, i);
    if (length == 0) {
      out.append(kReplacementCharacter);
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string JsonForJsonb(std::string_view json) {
  if (json.find("\\u0000") == std::string_view::npos) return std::string(json);  // the usual case
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] != '\\' || i + 1 >= json.size()) {
      out.push_back(json[i]);
      continue;
    }
    // An escape: copy it whole, so that "\\u0000" (an escaped backslash) is left alone.
    if (json.substr(i, 6) == "\\u0000") {
      out.append("\\ufffd");
      i += 5;
    } else {
      out.push_back(json[i]);
      out.push_back(json[i + 1]);
      ++i;
    }
  }
  return out;
}

std::string ArrayLiteral(std::span<const std::string> elements) {
  size_t size = 2;
  for (const std::string& element : elements) size += element.size() + 3;
  std::string out;
  out.reserve(size + size / 8);
  out.push_back('{');
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    // Copy the runs between characters that need a backslash in one go.
    const std::string_view element = elements[i];
    size_t from = 0;
    for (size_t special = element.find_first_of("\"\\"); special != std::string_view::npos;
         special = element.find_first_of("\"\\", from)) {
      out.append(element.substr(from, special - from));
      out.push_back('\\');
      out.push_back(element[special]);
      from = special + 1;
    }
    out.append(element.substr(from));
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::vector<TaskResult> RowsForUpsert(std::span<const TaskResult> rows) {
  std::map<std::string, TaskResult> by_task;
  for (const TaskResult& row : rows) {
    TaskResult clean = row;
    clean.task_id = SanitizeText(row.task_id);
    clean.batch_id = SanitizeText(row.batch_id);
    clean.input_key = SanitizeText(row.input_key);
    clean.error_message = SanitizeText(row.error_message);
    auto [it, inserted] = by_task.try_emplace(clean.task_id, clean);
    if (!inserted && ReplacesResult(it->second, clean)) it->second = std::move(clean);
  }
  std::vector<TaskResult> out;
  out.reserve(by_task.size());
  for (auto& [task_id, row] : by_task) out.push_back(std::move(row));
  return out;
}

Batch SanitizedBatch(const Batch& batch) {
  Batch out = batch;
  out.id = SanitizeText(batch.id);
  out.name = SanitizeText(batch.name);
  out.source_url = SanitizeText(batch.source_url);
  out.output_url = SanitizeText(batch.output_url);
  out.recipe_yaml = SanitizeText(batch.recipe_yaml);
  return out;
}

StatusCode CodeForSqlState(std::string_view sqlstate) {
  if (sqlstate == "57014") return StatusCode::kDeadlineExceeded;    // query_canceled
  if (sqlstate == "53100") return StatusCode::kFailedPrecondition;  // disk_full
  if (sqlstate == "3D000" ||  // invalid_catalog_name: no such database
      sqlstate == "28000" ||  // invalid_authorization_specification: no such role, pg_hba
      sqlstate == "28P01") {  // invalid_password
    return StatusCode::kInvalidArgument;
  }
  const std::string_view sqlclass = sqlstate.substr(0, 2);
  if (sqlclass == "08" ||     // connection exception
      sqlclass == "53" ||     // insufficient resources (too many connections)
      sqlstate == "57P01" ||  // admin_shutdown (pg_terminate_backend)
      sqlstate == "57P02" ||  // crash_shutdown
      sqlstate == "57P03" ||  // cannot_connect_now (starting up)
      sqlstate == "40001" ||  // serialization_failure
      sqlstate == "40P01" ||  // deadlock_detected
      sqlstate == "55P03" ||  // lock_not_available
      sqlstate == "25006") {  // read_only_sql_transaction (failover)
    return StatusCode::kUnavailable;
  }
  return StatusCode::kInternal;
}

namespace {

// The SQLSTATE a verbose libpq message shows after its severity ("FATAL:  3D000: ..."), or "".
std::string_view SqlStateIn(std::string_view message) {
  for (const std::string_view severity : {"FATAL:  ", "ERROR:  "}) {
    const size_t at = message.find(severity);
    if (at == std::string_view::npos) continue;
    const std::string_view code = message.substr(at + severity.size(), 6);
    if (code.size() == 6 && code[5] == ':' &&
        std::all_of(code.begin(), code.begin() + 5,
                    [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); })) {
      return code.substr(0, 5);
    }
  }
  return "";
}

}  // namespace

Status ConnectFailureStatus(std::string message) {
  const auto has = [&](std::string_view text) { return message.find(text) != std::string::npos; };
  const std::string_view sqlstate = SqlStateIn(message);
  const bool no_database = sqlstate == "3D000" ||
                           (has("database \"") && has("\" does not exist")) ||  // PostgreSQL
                           has("no such database");                             // pgbouncer
  if (no_database) {
    return InvalidArgument(std::move(message) +
                           " (check the database name in the URL, or create the database)");
  }
  const bool refused_login =
      sqlstate == "28000" || sqlstate == "28P01" ||
      (has("role \"") && has("\" does not exist")) ||  // PostgreSQL: no such user
      has("authentication failed") ||  // password, SASL, trust, peer, ident, md5 (and pgbouncer's)
      has("no pg_hba.conf entry") || has("pg_hba.conf rejects connection") ||
      has("no password supplied") ||  // libpq: the server asked for one, the URL has none
      has("no such user");            // pgbouncer
  if (refused_login) {
    return InvalidArgument(std::move(message) +
                           " (check the user and password in the URL, and that the server lets "
                           "this user connect to this database)");
  }
  return Unavailable(std::move(message));
}

}  // namespace pixfleet
