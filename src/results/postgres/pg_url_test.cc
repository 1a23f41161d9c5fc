// URL hygiene without a server: malformed or ambiguous URLs are kInvalidArgument without the
// password, and libpq's own messages never carry it (the redaction rules: core/redact_test.cc).
#include "results/postgres/pg_url.h"

#include <gtest/gtest.h>

#include "results/postgres/pg_connection.h"

namespace pixfleet {
namespace {

TEST(PgUrlTest, KnowsPostgresSchemes) {
  EXPECT_TRUE(HasPostgresScheme("postgresql://db/x"));
  EXPECT_TRUE(HasPostgresScheme("postgres://db/x"));
  EXPECT_FALSE(HasPostgresScheme("host=db dbname=x"));
  EXPECT_FALSE(HasPostgresScheme("POSTGRESQL://db/x"));  // the composition root lower-cases
}

TEST(ValidatePostgresUrlTest, AcceptsPostgresUrls) {
  EXPECT_TRUE(ValidatePostgresUrl("postgresql://app:pw@127.0.0.1:5432/x?sslmode=require").ok());
  EXPECT_TRUE(ValidatePostgresUrl("postgres://db/x").ok());
}

TEST(ValidatePostgresUrlTest, RejectsOthersWithoutThePassword) {
  for (const char* url :
       {"mysql://app:TopSecret9@db/x", "postgresql://app:TopSecret9@db/x?nosuchoption=1",
        "postgresql://app:TopSecret9@db:notaport/x", "postgresql://app:TopSecret9@db/x?sslmode=on",
        "host=db password=TopSecret9", "host=db password='Top Secret9'",
        "postgresql://app@db/x?password=TopSecret9&nosuchoption=1",
        "postgresql://app:TopSecret9@db/x?sslpassword=TopSecret9&sslmode=on"}) {
    const Status status = ValidatePostgresUrl(url);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(status.message().find("TopSecret9"), std::string::npos) << status.message();
  }
}

TEST(ValidatePostgresUrlTest, RefusesAnAmbiguousPasswordBeforeLibpqSeesIt) {
  // libpq would take "Secret9@localhost" for the host and say so in its error.
  for (const char* url : {"postgresql://app:Top@Secret9@localhost:1/x",
                          "postgresql://app:Top/Secret9@localhost:1/x"}) {
    const Status status = ValidatePostgresUrl(url);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(status.message().find("Secret9"), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("percent-encode"), std::string::npos) << status.message();
    auto conn = PgConnection::Connect(url, std::chrono::seconds(1));
    ASSERT_FALSE(conn.ok());
    EXPECT_EQ(conn.error().message().find("Secret9"), std::string::npos) << conn.error().message();
  }
}

TEST(PgConnectionTest, ABadUrlIsInvalidArgumentBeforeAnyConnection) {
  auto conn =
      PgConnection::Connect("postgresql://app:TopSecret9@db:notaport/x", std::chrono::seconds(1));
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(conn.error().message().find("TopSecret9"), std::string::npos) << conn.error().message();
}

TEST(PgConnectionTest, AnUnreachableServerIsUnavailableWithoutThePassword) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  auto conn =
      PgConnection::Connect("postgresql://app:TopSecret9@127.0.0.1:1/x", std::chrono::seconds(2));
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(conn.error().IsRetryable());
  EXPECT_EQ(conn.error().message().find("TopSecret9"), std::string::npos) << conn.error().message();
  EXPECT_NE(conn.error().message().find("app:****@127.0.0.1:1"), std::string::npos)
      << conn.error().message();
}

TEST(PgConnectionTest, LibpqsMessagesNeverCarryThePassword) {
  // libpq's errors quote the host it could not resolve or reach; the password appears in none,
  // raw or percent-decoded.
  for (const char* url :
       {"postgresql://app:Top%20Secret9@no-such-host.invalid:1/x",
        "postgresql://app@127.0.0.1:1/x?password=TopSecret9&sslpassword=TopSecret9"}) {
    auto conn = PgConnection::Connect(url, std::chrono::seconds(2));
    ASSERT_FALSE(conn.ok());
    EXPECT_EQ(conn.error().message().find("Secret9"), std::string::npos) << conn.error().message();
  }
}

}  // namespace
}  // namespace pixfleet
