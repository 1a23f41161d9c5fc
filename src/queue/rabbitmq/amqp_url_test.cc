// AMQP URL parsing (amqp_url.h): defaults, amqps:// and its TLS query parameters as RabbitMQ's
// URI spec names them, the errors for unknown or misplaced parameters, queue= extraction for
// the composition root, and redaction of credentials.
#include "queue/rabbitmq/amqp_url.h"

#include <gtest/gtest.h>

#include "core/redact.h"

namespace pixfleet::amqp {
namespace {

TEST(AmqpUrlTest, PlainUrlKeepsItsDefaults) {
  Result<AmqpUrl> url = ParseAmqpUrl("amqp://u:p%40ss@broker:5673/%2f");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->user, "u");
  EXPECT_EQ(url->password, "p@ss");
  EXPECT_EQ(url->host, "broker");
  EXPECT_EQ(url->port, 5673);
  EXPECT_EQ(url->vhost, "/");
  EXPECT_EQ(url->Where(), "broker:5673/");
  EXPECT_EQ(ParseAmqpUrl("amqp://broker/jobs")->port, 5672);
  EXPECT_EQ(ParseAmqpUrl("amqp://broker/jobs")->Where(), "broker:5672/jobs");
}

TEST(AmqpUrlTest, AmqpsDefaultsToPort5671AndVerifiesAgainstTheSystemStore) {
  Result<AmqpUrl> url = ParseAmqpUrl("amqps://u:p@broker.example/%2f");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->port, 5671);
  EXPECT_EQ(url->tls_options, TlsOptions{});
  EXPECT_TRUE(url->tls_options.verify_peer);
  EXPECT_TRUE(url->tls_options.ca_cert_file.empty());
}

TEST(AmqpUrlTest, TlsParametersFollowRabbitMqsUriSpec) {
  Result<AmqpUrl> url = ParseAmqpUrl(
      "amqps://u:p@10.0.0.5:5671/prod?cacertfile=%2Fetc%2Fpixfleet%2Fca.pem"
      "&certfile=/etc/pixfleet/client.pem&keyfile=/etc/pixfleet/client.key"
      "&verify=verify_peer&server_name_indication=rabbit.internal");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  const TlsOptions& tls = url->tls_options;
  EXPECT_EQ(tls.ca_cert_file, "/etc/pixfleet/ca.pem");
  EXPECT_EQ(tls.cert_file, "/etc/pixfleet/client.pem");
  EXPECT_EQ(tls.key_file, "/etc/pixfleet/client.key");
  EXPECT_TRUE(tls.verify_peer);
  EXPECT_EQ(tls.server_name, "rabbit.internal");
  EXPECT_FALSE(tls.server_name_disabled);
  EXPECT_EQ(url->host, "10.0.0.5");
  EXPECT_EQ(url->vhost, "prod");
}

TEST(AmqpUrlTest, VerifyNoneAndSniDisable) {
  Result<AmqpUrl> url = ParseAmqpUrl("amqps://h?verify=verify_none&server_name_indication=disable");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_FALSE(url->tls_options.verify_peer);
  EXPECT_TRUE(url->tls_options.server_name_disabled);
  EXPECT_TRUE(url->tls_options.server_name.empty());
  EXPECT_EQ(url->host, "h");
}

TEST(AmqpUrlTest, CertfileAloneHoldsTheKeyToo) {
  Result<AmqpUrl> url = ParseAmqpUrl("amqps://h/v?certfile=/c.pem");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->tls_options.key_file, "/c.pem");
}

TEST(AmqpUrlTest, BadParametersAreInvalidArgumentsWithoutThePassword) {
  for (const char* bad : {
           "amqps://u:s3cretpw@h/v?cacert=/ca.pem",     // mistyped name
           "amqps://u:s3cretpw@h/v?verify=yes",         // bad value
           "amqps://u:s3cretpw@h/v?cacertfile=",        // empty path
           "amqps://u:s3cretpw@h/v?keyfile=/k.pem",     // key without certificate
           "amqp://u:s3cretpw@h/v?cacertfile=/ca.pem",  // TLS option on amqp://
           "amqps://u:s3cretpw@h/v?queue=jobs",         // not the connection's
           "amqps://u:s3cretpw@h/v?heartbeat=30",       // in the spec, not supported
           "http://u:s3cretpw@h/v",                     // not AMQP at all
       }) {
    Result<AmqpUrl> url = ParseAmqpUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.error().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(url.error().message().find("s3cretpw"), std::string::npos) << url.error().message();
  }
  EXPECT_NE(ParseAmqpUrl("amqps://h/v?cacert=/ca.pem").error().message().find("'cacert'"),
            std::string::npos);
  EXPECT_NE(ParseAmqpUrl("amqp://h/v?verify=verify_none").error().message().find("amqps://"),
            std::string::npos);
}

TEST(AmqpUrlTest, TakeQueryParameterLeavesTheOthersInOrder) {
  EXPECT_EQ(TakeQueryParameter("amqp://h/%2f?queue=jobs", "queue"),
            std::make_pair(std::string("amqp://h/%2f"), std::optional<std::string>("jobs")));
  EXPECT_EQ(
      TakeQueryParameter("amqps://h/v?cacertfile=/ca.pem&queue=a%2Eb&verify=verify_peer", "queue"),
      std::make_pair(std::string("amqps://h/v?cacertfile=/ca.pem&verify=verify_peer"),
                     std::optional<std::string>("a.b")));
  EXPECT_EQ(
      TakeQueryParameter("amqps://h/v?cacertfile=/ca.pem", "queue"),
      std::make_pair(std::string("amqps://h/v?cacertfile=/ca.pem"), std::optional<std::string>()));
  EXPECT_EQ(TakeQueryParameter("amqp://h/v", "queue"),
            std::make_pair(std::string("amqp://h/v"), std::optional<std::string>()));
  EXPECT_EQ(TakeQueryParameter("amqp://h/v?queuex=1&queue=", "queue"),
            std::make_pair(std::string("amqp://h/v?queuex=1"), std::optional<std::string>("")));
}

TEST(AmqpUrlTest, RedactUrlIsTheOneRuleOfCore) {
  // The rule itself is tested in core/redact_test.cc.
  for (const char* url : {"amqps://guest:pw@host:5671/%2f?cacertfile=/ca.pem",
                          "https://u:p@h:15671", "amqps://host/v?certfile=/a@b.pem"}) {
    EXPECT_EQ(RedactUrl(url), RedactSecrets(url)) << url;
  }
  EXPECT_EQ(RedactUrl("amqp://u:pw@h/v"), "amqp://u:****@h/v");
}

TEST(AmqpUrlTest, AnAmbiguousPasswordIsRefusedBeforeLibrabbitmqSeesIt) {
  for (const char* url : {"amqp://u:Pa@Secret9@host/v", "amqp://u:Pa:Secret9@host/v",
                          "amqps://u:Pa/Secret9@host:5671/v"}) {
    auto parsed = ParseAmqpUrl(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message().find("Secret9"), std::string::npos)
        << parsed.error().message();
  }
  EXPECT_TRUE(ParseAmqpUrl("amqp://u:Pa%40Secret9@host/v").ok());
}

}  // namespace
}  // namespace pixfleet::amqp
