#include "wiring/url.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(UrlTest, SplitsSchemeAndRest) {
  auto url = ParseBackendUrl("SQLite:///var/lib/q.db");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->scheme, "sqlite");
  EXPECT_EQ(url->rest, "/var/lib/q.db");
  auto bare = ParseBackendUrl("photos/2024");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->scheme, "");
  EXPECT_EQ(bare->rest, "photos/2024");
}

TEST(UrlTest, RejectsMalformedUrls) {
  EXPECT_EQ(ParseBackendUrl("sqlite://").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBackendUrl("://x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBackendUrl("a b://x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBackendUrl("").status().code(), StatusCode::kInvalidArgument);
}

TEST(UrlTest, ErrorsNeverEchoAPassword) {
  for (const char* url : {"a b://user:hunter2@host/db", "post gres://u:hunter2@h"}) {
    const Result<BackendUrl> parsed = ParseBackendUrl(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().message().find("hunter2"), std::string::npos)
        << parsed.error().message();
  }
}

TEST(UrlTest, RefusesABarePathThatReadsAsAMistypedUrl) {
  for (const char* typo : {"s3:/bucket/out", "s3:bucket", "sqlite:/tmp/q.db", "file:/tmp/x",
                           "postgresql:u:hunter2@h/db"}) {
    const Result<BackendUrl> parsed = ParseBackendUrl(typo);
    ASSERT_FALSE(parsed.ok()) << typo;
    EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find("://"), std::string::npos) << parsed.error().message();
    EXPECT_EQ(parsed.error().message().find("hunter2"), std::string::npos)
        << parsed.error().message();
  }
  // A path whose first part holds ':' is still a path when written as one.
  EXPECT_TRUE(ParseBackendUrl("./s3:/bucket").ok());
  EXPECT_TRUE(ParseBackendUrl("/data/s3:x").ok());
}

TEST(UrlTest, RefusesAmbiguousCredentialsButNotAnAtInAPath) {
  for (const char* url :
       {"postgresql://u:p@hunter2@h/db", "amqp://u:p/hunter2@h/v", "AMQPS://u:a:hunter2@h/v"}) {
    const Result<BackendUrl> parsed = ParseBackendUrl(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().message().find("hunter2"), std::string::npos)
        << parsed.error().message();
  }
  for (const char* url : {"s3://bucket/photos@2x/", "file:///home/a@b/x", "sqlite:///a@b/q.db"}) {
    EXPECT_TRUE(ParseBackendUrl(url).ok()) << url;
  }
}

TEST(UrlTest, LocalPathTakesPathsAndFileUrlsOnly) {
  EXPECT_EQ(*LocalPath("photos/2024"), "photos/2024");
  EXPECT_EQ(*LocalPath("file:///srv/photos"), "/srv/photos");
  EXPECT_EQ(*LocalPath("FILE:///srv/photos"), "/srv/photos");
  EXPECT_EQ(*LocalPath("file://localhost/srv/photos"), "/srv/photos");
  EXPECT_EQ(*LocalPath("file://photos/2024"), "photos/2024");
  for (const char* url :
       {"s3://bucket/out", "S3://bucket", "sqlite:///x.db", "", "file://", "s3:/bucket"}) {
    EXPECT_EQ(LocalPath(url).status().code(), StatusCode::kInvalidArgument) << url;
  }
  EXPECT_NE(LocalPath("s3://b/o").status().message().find("s3://"), std::string::npos);
}

TEST(UrlTest, LocationUrlMakesLocalLocationsAbsolute) {
  EXPECT_EQ(*LocationUrl("/srv/photos/../in"), "file:///srv/in");
  EXPECT_EQ(*LocationUrl("file:///srv/in"), "file:///srv/in");
  EXPECT_TRUE(LocationUrl("file://rel/in")->starts_with("file:///"));
  EXPECT_TRUE(LocationUrl("rel/in")->ends_with("/rel/in"));
  EXPECT_EQ(*LocationUrl("S3://bucket/out"), "s3://bucket/out");
  EXPECT_FALSE(LocationUrl("s3:/bucket/out").ok());
  EXPECT_FALSE(LocationUrl("").ok());
}

TEST(UrlTest, FileUrlsAreAbsoluteAndNormal) {
  EXPECT_EQ(FileUrl("/a/b/../c"), "file:///a/c");
  EXPECT_TRUE(FileUrl("rel").starts_with("file:///"));
  EXPECT_EQ(SqliteUrl("/x/q.db"), "sqlite:///x/q.db");
}

}  // namespace
}  // namespace pixfleet
