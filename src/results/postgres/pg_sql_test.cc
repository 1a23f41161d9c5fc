// PostgreSQL statement helpers without a server: identifiers, text sanitising, array literals,
// the one-row-per-task upsert folding, and SQLSTATE classification.
#include "results/postgres/pg_sql.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(PgSqlTest, SchemaNamesArePlainIdentifiers) {
  EXPECT_TRUE(ValidateSchemaName("public").ok());
  EXPECT_TRUE(ValidateSchemaName("pixfleet_test_12").ok());
  for (const char* bad : {"", "Public", "1abc", "a-b", "a\"b", "a b"}) {
    EXPECT_EQ(ValidateSchemaName(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ValidateSchemaName(std::string(64, 'a')).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(QuoteIdentifier("results"), "\"results\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
}

TEST(PgSqlTest, SanitizeTextKeepsValidUtf8AndReplacesTheRest) {
  EXPECT_EQ(SanitizeText("plain ü 日本 😀"), "plain ü 日本 😀");
  EXPECT_EQ(SanitizeText(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeText("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeText("x\xC3"), "x\xEF\xBF\xBD");                // truncated sequence
  EXPECT_EQ(SanitizeText("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(SanitizeText("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(PgSqlTest, JsonForJsonbReplacesOnlyRealNulEscapes) {
  EXPECT_EQ(JsonForJsonb(R"({"k":"a\u0000b"})"), R"({"k":"a\ufffdb"})");
  EXPECT_EQ(JsonForJsonb(R"({"k":"a\\u0000b"})"), R"({"k":"a\\u0000b"})");  // escaped backslash
  EXPECT_EQ(JsonForJsonb(R"(["\"",1.5])"), R"(["\"",1.5])");
}

TEST(PgSqlTest, ArrayLiteralQuotesEveryElement) {
  EXPECT_EQ(ArrayLiteral(std::vector<std::string>{}), "{}");
  EXPECT_EQ(ArrayLiteral(std::vector<std::string>{"a", "", "NULL", "x,y"}),
            R"({"a","","NULL","x,y"})");
  EXPECT_EQ(ArrayLiteral(std::vector<std::string>{R"(say "hi")", R"(back\slash)", "{}"}),
            R"({"say \"hi\"","back\\slash","{}"})");
}

TaskResult Row(const std::string& task_id, TaskOutcome outcome, int attempts) {
  TaskResult row;
  row.task_id = task_id;
  row.batch_id = "b";
  row.outcome = outcome;
  row.error_code = outcome == TaskOutcome::kSucceeded ? StatusCode::kOk : StatusCode::kUnavailable;
  row.attempts = attempts;
  return row;
}

TEST(PgSqlTest, RowsForUpsertFoldsDuplicatesLikeSequentialUpserts) {
  const std::vector<TaskResult> rows = {
      Row("t2", TaskOutcome::kFailed, 3),    Row("t1", TaskOutcome::kFailed, 1),
      Row("t2", TaskOutcome::kFailed, 2),  // older attempt: ignored
      Row("t1", TaskOutcome::kSucceeded, 1), Row("t1", TaskOutcome::kFailed, 9),  // after success
      Row("t3", TaskOutcome::kFailed, 4),    Row("t3", TaskOutcome::kFailed, 4)};
  const std::vector<TaskResult> folded = RowsForUpsert(rows);
  ASSERT_EQ(folded.size(), 3u);
  EXPECT_EQ(folded[0], rows[3]);  // sorted by task id
  EXPECT_EQ(folded[1], rows[0]);
  EXPECT_EQ(folded[2], rows[6]);  // same attempt: the later row
}

TEST(PgSqlTest, SqlStatesMapToWhatTheCallerMayDo) {
  EXPECT_EQ(CodeForSqlState("08006"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("57P01"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("53300"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("40001"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("40P01"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("57014"), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CodeForSqlState("23505"), StatusCode::kInternal);
  EXPECT_EQ(CodeForSqlState("42P01"), StatusCode::kInternal);
  EXPECT_EQ(CodeForSqlState("21000"), StatusCode::kInternal);
  EXPECT_EQ(CodeForSqlState("53100"), StatusCode::kFailedPrecondition);  // disk_full
  EXPECT_EQ(CodeForSqlState("3D000"), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForSqlState("28P01"), StatusCode::kInvalidArgument);
}

TEST(PgSqlTest, AMissingDatabaseOrARefusedLoginAtConnectIsConfiguration) {
  const std::string prefix =
      "cannot connect to postgresql://app:***@db/pixfleet: connection to server at \"db\" "
      "(10.0.0.5), port 5432 failed: ";
  // Long server messages are split over lines, as the compiler joins them.
  // NOLINTBEGIN(bugprone-suspicious-missing-comma)
  for (const char* refusal : {
           "FATAL:  database \"pixfleet\" does not exist",
           "FATAL:  3D000: database \"pixfleet\" does not exist",
           "ERROR:  no such database: pixfleet",  // pgbouncer without a fallback entry
           "FATAL:  password authentication failed for user \"app\"",
           "FATAL:  28P01: password authentication failed for user \"app\"",
           "FATAL:  role \"app\" does not exist",
           "FATAL:  no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database "
           "\"pixfleet\", no encryption",
           "FATAL:  \"trust\" authentication failed",  // pgbouncer: a user it does not know
           "ERROR:  no such user: app",                // pgbouncer
           "FATAL:  SASL authentication failed",       // pgbouncer with scram
           "fe_sendauth: no password supplied",
       }) {  // NOLINTEND(bugprone-suspicious-missing-comma)
    const Status status = ConnectFailureStatus(prefix + refusal);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << refusal;
    EXPECT_EQ(status.message().rfind(prefix + refusal, 0), 0u) << status.message();
    EXPECT_NE(status.message().find("in the URL"), std::string::npos) << status.message();
  }
}

TEST(PgSqlTest, AServerThatCannotBeReachedOrIsNotReadyAtConnectMayBeRetried) {
  // NOLINTBEGIN(bugprone-suspicious-missing-comma)
  for (const char* outage : {
           "Connection refused Is the server running on that host and accepting TCP/IP "
           "connections?",
           "timeout expired",
           "FATAL:  the database system is starting up",
           "FATAL:  the database system is shutting down",
           "FATAL:  sorry, too many clients already",
           "ERROR:  server login has been failing, try again later (server_login_retry)",
           "server closed the connection unexpectedly",
       }) {  // NOLINTEND(bugprone-suspicious-missing-comma)
    const Status status = ConnectFailureStatus(std::string("cannot connect to x: ") + outage);
    EXPECT_EQ(status.code(), StatusCode::kUnavailable) << outage;
  }
}

}  // namespace
}  // namespace pixfleet
