// Credential discovery: environment first, then the shared credentials file profile.
#include "storage/s3/s3_credentials.h"

#include <map>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(S3CredentialsTest, EnvironmentVariablesWin) {
  auto loaded = LoadS3Environment(FakeEnv({{"AWS_ACCESS_KEY_ID", "AKID"},
                                           {"AWS_SECRET_ACCESS_KEY", "SECRET"},
                                           {"AWS_SESSION_TOKEN", "TOKEN"},
                                           {"AWS_REGION", "eu-west-3"},
                                           {"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}}));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->credentials.access_key_id, "AKID");
  EXPECT_EQ(loaded->credentials.secret_access_key, "SECRET");
  EXPECT_EQ(loaded->credentials.session_token, "TOKEN");
  EXPECT_EQ(loaded->region, "eu-west-3");
  EXPECT_EQ(loaded->endpoint, "http://127.0.0.1:1");
}

TEST(S3CredentialsTest, AwsCaBundleNamesTheTrustedCas) {
  auto loaded = LoadS3Environment(FakeEnv({{"AWS_ACCESS_KEY_ID", "AKID"},
                                           {"AWS_SECRET_ACCESS_KEY", "SECRET"},
                                           {"AWS_CA_BUNDLE", "/etc/pixfleet/ca.pem"}}));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->ca_bundle, "/etc/pixfleet/ca.pem");
  auto unset =
      LoadS3Environment(FakeEnv({{"AWS_ACCESS_KEY_ID", "A"}, {"AWS_SECRET_ACCESS_KEY", "S"}}));
  ASSERT_TRUE(unset.ok()) << unset.status().ToString();
  EXPECT_EQ(unset->ca_bundle, "");
}

TEST(S3CredentialsTest, HalfSetEnvironmentIsAnErrorWithoutTheSecret) {
  auto loaded = LoadS3Environment(FakeEnv({{"AWS_SECRET_ACCESS_KEY", "SUPERSECRET"}}));
  ASSERT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.error().message().find("SUPERSECRET"), std::string::npos);
}

TEST(S3CredentialsTest, ReadsTheProfileFromTheSharedFile) {
  TempDir dir;
  WriteFileForTest(dir.path() / ".aws/credentials",
                   "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n"
                   "# comment\n[work]\r\naws_access_key_id=W\r\naws_secret_access_key=WS\r\n"
                   "aws_session_token = WT\r\n");
  auto by_default = LoadS3Environment(FakeEnv({{"HOME", dir.path().string()}}));
  ASSERT_TRUE(by_default.ok()) << by_default.status().ToString();
  EXPECT_EQ(by_default->credentials.access_key_id, "D");
  EXPECT_EQ(by_default->credentials.secret_access_key, "DS");
  EXPECT_EQ(by_default->region, "us-east-1");

  auto work = LoadS3Environment(
      FakeEnv({{"HOME", dir.path().string()}, {"AWS_PROFILE", "work"}, {"AWS_REGION", "x-1"}}));
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  EXPECT_EQ(work->credentials.access_key_id, "W");
  EXPECT_EQ(work->credentials.secret_access_key, "WS");
  EXPECT_EQ(work->credentials.session_token, "WT");
  EXPECT_EQ(work->region, "x-1");

  auto missing =
      LoadS3Environment(FakeEnv({{"HOME", dir.path().string()}, {"AWS_PROFILE", "nope"}}));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(S3CredentialsTest, NothingConfiguredIsNotFound) {
  TempDir dir;
  EXPECT_EQ(LoadS3Environment(FakeEnv({{"HOME", dir.path().string()}})).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ParseSharedCredentials("[default]\naws_access_key_id=A\n", "default").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pixfleet
