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

TEST(UrlTest, FileUrlsAreAbsoluteAndNormal) {
  EXPECT_EQ(FileUrl("/a/b/../c"), "file:///a/c");
  EXPECT_TRUE(FileUrl("rel").starts_with("file:///"));
  EXPECT_EQ(SqliteUrl("/x/q.db"), "sqlite:///x/q.db");
}

}  // namespace
}  // namespace pixfleet
