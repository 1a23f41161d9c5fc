// How PostgreSQL's refusals at connect are classified, against the real server and through
// pgbouncer (PIXFLEET_TEST_POSTGRES_URL, PIXFLEET_TEST_PGBOUNCER_URL from tools/services/up.sh):
// a database that does not exist and a user the server does not know are configuration
// (kInvalidArgument: a worker stops at once with exit 2 instead of retrying for a minute); a
// server that cannot be reached stays kUnavailable. Each case runs for each URL that is set.
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "results/postgres/pg_connection.h"
#include "results/postgres/postgres_result_store.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

using ::testing::HasSubstr;

constexpr std::chrono::seconds kConnectTimeout{5};

std::string Env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): tests, one thread
  return value == nullptr ? "" : value;
}

// "postgresql://user@host:port/db": the services' URLs have this form.
struct PgUrlParts {
  std::string user;
  std::string host_port;
  std::string database;
  std::string Join() const { return "postgresql://" + user + "@" + host_port + "/" + database; }
};

PgUrlParts Split(const std::string& url) {
  const size_t user_start = url.find("://") + 3;
  const size_t at = url.find('@', user_start);
  const size_t slash = url.find('/', at);
  return {url.substr(user_start, at - user_start), url.substr(at + 1, slash - at - 1),
          url.substr(slash + 1)};
}

class PostgresRefusalTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    url_ = Env(GetParam());
    if (url_.empty()) GTEST_SKIP() << GetParam() << " is not set";
  }

  static Status Connect(const std::string& url) {
    return PgConnection::Connect(url, kConnectTimeout).status();
  }
  Status OpenStore(const std::string& url) {
    return PostgresResultStore::Open(url, PostgresOptions{}, clock_).status();
  }

  std::string url_;
  FakeClock clock_;
};

TEST_P(PostgresRefusalTest, ADatabaseThatDoesNotExistIsConfiguration) {
  PgUrlParts parts = Split(url_);
  parts.database = "pixfleet_no_such_database";
  for (const Status& status : {Connect(parts.Join()), OpenStore(parts.Join())}) {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr("pixfleet_no_such_database"));
    EXPECT_THAT(status.message(), HasSubstr("check the database name in the URL"));
  }
}

TEST_P(PostgresRefusalTest, AUserTheServerDoesNotKnowIsConfiguration) {
  PgUrlParts parts = Split(url_);
  parts.user = "pixfleet_no_such_user";
  for (const Status& status : {Connect(parts.Join()), OpenStore(parts.Join())}) {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr("check the user and password in the URL"));
  }
}

TEST_P(PostgresRefusalTest, AServerThatCannotBeReachedMayBeRetried) {
  PgUrlParts parts = Split(url_);
  parts.host_port = "127.0.0.1:1";  // nothing listens on port 1
  const Status status = Connect(parts.Join());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
}

INSTANTIATE_TEST_SUITE_P(Servers, PostgresRefusalTest,
                         ::testing::Values("PIXFLEET_TEST_POSTGRES_URL",
                                           "PIXFLEET_TEST_PGBOUNCER_URL"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           return std::string(param_info.param) == "PIXFLEET_TEST_POSTGRES_URL"
                                      ? "Direct"
                                      : "ThroughPgbouncer";
                         });

}  // namespace
}  // namespace pixfleet
