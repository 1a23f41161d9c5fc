// s3:// parsing, SigV4 percent-encoding and URL building.
#include "storage/s3/s3_url.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(S3UrlTest, ParsesBucketAndNormalisesThePrefix) {
  EXPECT_EQ(*ParseS3Url("s3://my-bucket"), (S3Location{"my-bucket", ""}));
  EXPECT_EQ(*ParseS3Url("s3://my-bucket/"), (S3Location{"my-bucket", ""}));
  EXPECT_EQ(*ParseS3Url("s3://my-bucket/out"), (S3Location{"my-bucket", "out/"}));
  EXPECT_EQ(*ParseS3Url("s3://my.bucket/a/b/"), (S3Location{"my.bucket", "a/b/"}));
}

TEST(S3UrlTest, RejectsBadUrls) {
  for (const char* url : {"http://b/x", "s3://", "s3://ab", "s3://Upper", "s3://-bad",
                          "s3://bucket//x", "s3://bucket/a/../b", "s3://bucket/./a"}) {
    EXPECT_EQ(ParseS3Url(url).status().code(), StatusCode::kInvalidArgument) << url;
  }
}

TEST(S3UrlTest, EncodesLikeSigV4) {
  EXPECT_EQ(S3UriEncode("a/b c+d~e_f.g-h", true), "a/b%20c%2Bd~e_f.g-h");
  EXPECT_EQ(S3UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(S3UriEncode("\xC3\xA9*!=&", true), "%C3%A9%2A%21%3D%26");
  EXPECT_EQ(S3CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(S3CanonicalQuery({{"prefix", "a/b c"}, {"list-type", "2"}, {"max-keys", "10"}}),
            "list-type=2&max-keys=10&prefix=a%2Fb%20c");
}

TEST(S3UrlTest, BuildsPathStyleAndVirtualHostedUrls) {
  auto path = S3UrlBuilder::Create("http://127.0.0.1:9000/", "bkt", S3Addressing::kAuto, false);
  ASSERT_TRUE(path.ok());
  EXPECT_TRUE(path->PathStyle());
  EXPECT_EQ(path->ObjectUrl("p/a b.jpg"), "http://127.0.0.1:9000/bkt/p/a%20b.jpg");
  EXPECT_EQ(path->BucketUrl("list-type=2"), "http://127.0.0.1:9000/bkt?list-type=2");

  auto aws = S3UrlBuilder::Create(DefaultS3Endpoint("eu-west-1"), "bkt", S3Addressing::kAuto, true);
  ASSERT_TRUE(aws.ok());
  EXPECT_FALSE(aws->PathStyle());
  EXPECT_EQ(aws->ObjectUrl("k", "uploads="), "https://bkt.s3.eu-west-1.amazonaws.com/k?uploads=");

  auto dotted =
      S3UrlBuilder::Create(DefaultS3Endpoint("eu-west-1"), "b.k.t", S3Addressing::kAuto, true);
  ASSERT_TRUE(dotted.ok());
  EXPECT_TRUE(dotted->PathStyle());

  EXPECT_FALSE(S3UrlBuilder::Create("ftp://x", "bkt", S3Addressing::kAuto, false).ok());
  EXPECT_FALSE(S3UrlBuilder::Create("http://x/path", "bkt", S3Addressing::kAuto, false).ok());
}

}  // namespace
}  // namespace pixfleet
