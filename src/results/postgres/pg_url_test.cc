// URL hygiene without a server: passwords are masked in URLs and scrubbed from messages in the
// URI and keyword forms, and malformed URLs are kInvalidArgument without the password.
#include "results/postgres/pg_url.h"

#include <gtest/gtest.h>

#include "results/postgres/pg_connection.h"

namespace pixfleet {
namespace {

TEST(RedactPostgresUrlTest, MasksTheUserinfoPassword) {
  EXPECT_EQ(RedactPostgresUrl("postgresql://app:s3cret@db.example:5432/pixfleet?sslmode=require"),
            "postgresql://app:****@db.example:5432/pixfleet?sslmode=require");
  EXPECT_EQ(RedactPostgresUrl("postgres://app:p%40ss@db/x"), "postgres://app:****@db/x");
  // A password holding '@' unencoded: the last '@' ends the userinfo.
  EXPECT_EQ(RedactPostgresUrl("postgresql://app:a@b@db/x"), "postgresql://app:****@db/x");
}

TEST(RedactPostgresUrlTest, MasksTheQueryPassword) {
  EXPECT_EQ(RedactPostgresUrl("postgresql://db/x?user=app&password=hunter2&sslmode=require"),
            "postgresql://db/x?user=app&password=****&sslmode=require");
}

TEST(RedactPostgresUrlTest, MasksKeywordPasswords) {
  EXPECT_EQ(RedactPostgresUrl("host=db password=hunter2 dbname=x"),
            "host=db password=**** dbname=x");
  EXPECT_EQ(RedactPostgresUrl("host=db password = 'a b\\'c' dbname=x"),
            "host=db password = **** dbname=x");
}

TEST(RedactPostgresUrlTest, LeavesUrlsWithoutPasswordsAlone) {
  for (const char* url : {"postgresql://app@db/x", "postgresql://db:5432/x?sslmode=require",
                          "postgresql:///x", "host=db user=app", ""}) {
    EXPECT_EQ(RedactPostgresUrl(url), url);
  }
}

TEST(ScrubPasswordTest, RemovesRawAndDecodedForms) {
  const std::string url = "postgresql://app:p%40ss-word@db/x";
  EXPECT_EQ(ScrubPassword("failed for p%40ss-word and p@ss-word", url), "failed for **** and ****");
  EXPECT_EQ(ScrubPassword("nothing secret here", url), "nothing secret here");
  EXPECT_EQ(ScrubPassword("x 'a b' y", "host=db password='a b'"), "x **** y");
}

TEST(ValidatePostgresUrlTest, AcceptsPostgresUrls) {
  EXPECT_TRUE(ValidatePostgresUrl("postgresql://app:pw@127.0.0.1:5432/x?sslmode=require").ok());
  EXPECT_TRUE(ValidatePostgresUrl("postgres://db/x").ok());
}

TEST(ValidatePostgresUrlTest, RejectsOthersWithoutThePassword) {
  for (const char* url :
       {"mysql://app:TopSecret9@db/x", "postgresql://app:TopSecret9@db/x?nosuchoption=1",
        "postgresql://app:TopSecret9@db:notaport/x", "postgresql://app:TopSecret9@db/x?sslmode=on",
        "host=db password=TopSecret9"}) {
    const Status status = ValidatePostgresUrl(url);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(status.message().find("TopSecret9"), std::string::npos) << status.message();
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

}  // namespace
}  // namespace pixfleet
