// Redaction of every form of connection string a user can pass: URL user-info of any scheme,
// secret query parameters, libpq's keyword form with quoted values, messages quoting them, and
// the refusal of URLs whose user-info can be read more than one way.
#include "core/redact.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(RedactSecretsTest, MasksTheUserinfoPasswordOfEveryScheme) {
  EXPECT_EQ(RedactSecrets("postgresql://app:s3cret@db.example:5432/pixfleet?sslmode=require"),
            "postgresql://app:****@db.example:5432/pixfleet?sslmode=require");
  EXPECT_EQ(RedactSecrets("postgres://app:p%40ss@db/x"), "postgres://app:****@db/x");
  EXPECT_EQ(RedactSecrets("amqps://guest:pw@host:5671/%2f?cacertfile=/ca.pem"),
            "amqps://guest:****@host:5671/%2f?cacertfile=/ca.pem");
  EXPECT_EQ(RedactSecrets("https://u:p@h:15671?cacertfile=/ca.pem"),
            "https://u:****@h:15671?cacertfile=/ca.pem");
  EXPECT_EQ(RedactSecrets("http://AKID:wJalr@minio:9000"), "http://AKID:****@minio:9000");
  EXPECT_EQ(RedactSecrets("mysql://root:TopSecret9@db"), "mysql://root:****@db");
}

TEST(RedactSecretsTest, MasksEveryPieceOfAnAmbiguousPassword) {
  // An unencoded '@': the last '@' of the authority ends the user-info.
  EXPECT_EQ(RedactSecrets("postgresql://app:a@b@db/x"), "postgresql://app:****@db/x");
  EXPECT_EQ(RedactSecrets("amqp://u:p@ss@host/v"), "amqp://u:****@host/v");
  // A '/', '?' or '#' in the password cuts the authority short: mask to the '@' beyond.
  EXPECT_EQ(RedactSecrets("postgresql://u:p/ss@host/db"), "postgresql://u:****@host/db");
  EXPECT_EQ(RedactSecrets("amqp://u:p?s#s@host/v"), "amqp://u:****@host/v");
}

TEST(RedactSecretsTest, MasksSecretQueryParameters) {
  EXPECT_EQ(RedactSecrets("postgresql://db/x?user=app&password=hunter2&sslmode=require"),
            "postgresql://db/x?user=app&password=****&sslmode=require");
  EXPECT_EQ(RedactSecrets("postgresql://db/x?sslpassword=k3y&sslkey=/k.pem"),
            "postgresql://db/x?sslpassword=****&sslkey=/k.pem");
  EXPECT_EQ(RedactSecrets("https://s3/b/k?X-Amz-Signature=abc&X-Amz-Security-Token=tok#f"),
            "https://s3/b/k?X-Amz-Signature=****&X-Amz-Security-Token=****#f");
  EXPECT_EQ(RedactSecrets("postgresql://db/x?pass%77ord=hunter2"),
            "postgresql://db/x?pass%77ord=****");
}

TEST(RedactSecretsTest, MasksLibpqKeywordPasswordsBareAndQuoted) {
  EXPECT_EQ(RedactSecrets("host=db password=hunter2 dbname=x"), "host=db password=**** dbname=x");
  EXPECT_EQ(RedactSecrets("host=db password = 'a b\\'c' dbname=x"),
            "host=db password = **** dbname=x");
  EXPECT_EQ(RedactSecrets("host=db sslpassword='k e y' PASSWORD=Up"),
            "host=db sslpassword=**** PASSWORD=****");
}

TEST(RedactSecretsTest, MasksConnectionStringsQuotedInMessages) {
  EXPECT_EQ(RedactSecrets("unsupported URL 'host=db password=hunter2' (supported: x)"),
            "unsupported URL 'host=db password=**** (supported: x)");
  EXPECT_EQ(RedactSecrets("cannot reach amqp://u:pw@h/v and postgresql://a:b@c/d: refused"),
            "cannot reach amqp://u:****@h/v and postgresql://a:****@c/d: refused");
}

TEST(RedactSecretsTest, LeavesTextWithoutSecretsAlone) {
  for (const char* text :
       {"postgresql://app@db/x", "postgresql://db:5432/x?sslmode=require", "postgresql:///x",
        "host=db user=app", "", "amqps://host/v?certfile=/a@b.pem", "amqps://host?x=a@b",
        "s3://bucket/photos@2x/", "file:///home/me/a@b", "FATAL: password authentication failed"}) {
    EXPECT_EQ(RedactSecrets(text), text);
  }
}

TEST(RedactSecretsTest, TakesAnyNameHoldingPassForASecret) {
  // Safety first: a value that only might be a secret is masked.
  EXPECT_EQ(RedactSecrets("compass=north bypassed"), "compass=**** bypassed");
}

TEST(SecretsOfTest, GivesEveryFormALibraryMayEcho) {
  EXPECT_EQ(SecretsOf("postgresql://app:p%40ss-word@db/x"),
            (std::vector<std::string>{"p%40ss-word", "p@ss-word"}));
  EXPECT_EQ(SecretsOf("host=db password='a b\\'c'"),
            (std::vector<std::string>{"'a b\\'c'", "a b'c"}));
  EXPECT_TRUE(SecretsOf("postgresql://app@db/x").empty());
}

TEST(ScrubSecretsTest, RemovesRawAndDecodedFormsFromAnyText) {
  const std::string url = "postgresql://app:p%40ss-word@db/x";
  EXPECT_EQ(ScrubSecrets("failed for p%40ss-word and p@ss-word", url), "failed for **** and ****");
  EXPECT_EQ(ScrubSecrets("nothing secret here", url), "nothing secret here");
  EXPECT_EQ(ScrubSecrets("x 'a b' y", "host=db password='a b'"), "x **** y");
  // And what RedactSecrets finds by itself.
  EXPECT_EQ(ScrubSecrets("see amqp://u:other@h", url), "see amqp://u:****@h");
}

TEST(CheckUserinfoUnambiguousTest, AcceptsWellFormedUrls) {
  for (const char* url :
       {"postgresql://app:p%40ss%3Aw%2Fd@db:5432/x?sslmode=require",
        "amqp://guest:guest@h:5672/%2f", "amqps://h/v?cacertfile=/ca.pem", "http://u:p@h:15672",
        "postgresql:///x", "host=db password=x", "/plain/path"}) {
    EXPECT_TRUE(CheckUserinfoUnambiguous(url).ok()) << url;
  }
}

TEST(CheckUserinfoUnambiguousTest, RefusesAmbiguousUrlsWithoutEchoingThem) {
  for (const char* url : {"postgresql://u:Pa@Secret@localhost/db", "amqp://u:Pa:Secret@host/v",
                          "postgresql://u:Pa/Secret@host/db", "amqp://u:Pa?Secret@host/v",
                          "http://u:Pa#Secret@h:15672", "postgresql://u:Pa Secret@h/db",
                          "postgresql://u:PaSecret@h/db?sslcert=/a@b"}) {
    const Status status = CheckUserinfoUnambiguous(url);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(status.message().find("Secret"), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find("Pa"), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("percent-encode"), std::string::npos) << status.message();
  }
  EXPECT_NE(CheckUserinfoUnambiguous("amqp://u:a@b@h").message().find("amqp URL"),
            std::string::npos);
}

TEST(ProcessSecretsTest, AVeryShortSecretIsMaskedByPositionNotEverywhere) {
  RegisterSecretsOf("postgresql://u:a@h/db");
  // Masking every "a" would make every line unreadable; the URL form still hides it.
  EXPECT_EQ(ScrubForOutput("a batch"), "a batch");
  EXPECT_EQ(ScrubForOutput("cannot reach postgresql://u:a@h/db"),
            "cannot reach postgresql://u:****@h/db");
}

TEST(ProcessSecretsTest, ScrubForOutputMasksRegisteredAndEnvironmentSecrets) {
  RegisterSecretsOf("host=db password='Registered Pw'");
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the test's only thread
  ASSERT_EQ(setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-K7MDENG", 1), 0);
  RegisterEnvironmentSecrets();
  ASSERT_EQ(unsetenv("AWS_SECRET_ACCESS_KEY"), 0);  // NOLINT(concurrency-mt-unsafe)
  EXPECT_EQ(ScrubForOutput("a Registered Pw b wJalrXUtnFEMI-K7MDENG c"), "a **** b **** c");
  EXPECT_EQ(ScrubForOutput("amqp://u:pw@h"), "amqp://u:****@h");
}

}  // namespace
}  // namespace pixfleet
