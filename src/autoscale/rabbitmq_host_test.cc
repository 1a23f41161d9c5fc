#include "autoscale/rabbitmq_host.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

RabbitMqTrigger Trigger(std::string host, std::string host_from_env, std::string auth = "",
                        RabbitMqProtocol protocol = RabbitMqProtocol::kAuto) {
  RabbitMqTrigger trigger;
  trigger.host = std::move(host);
  trigger.host_from_env = std::move(host_from_env);
  trigger.authentication_ref = std::move(auth);
  trigger.protocol = protocol;
  return trigger;
}

TEST(ResolveTriggerHostTest, HostThenTheVariableHostFromEnvNames) {
  const auto env = [](const char* name) -> const char* {
    return std::string(name) == "RABBIT" ? "amqp://u:p@h/" : nullptr;
  };
  EXPECT_EQ(ResolveTriggerHost(Trigger("amqp://a/", "RABBIT"), env).value(), "amqp://a/");
  EXPECT_EQ(ResolveTriggerHost(Trigger("", "RABBIT"), env).value(), "amqp://u:p@h/");
  const auto unset = ResolveTriggerHost(Trigger("", "MISSING"), env);
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unset.status().message().find("MISSING"), std::string::npos);
  EXPECT_FALSE(ResolveTriggerHost(Trigger("", ""), env).ok());
}

// A host only a cluster can read (a TriggerAuthentication's Secret) comes, in a run here, from
// the variable pixfleet's other commands read the same URL from, chosen by the protocol.
TEST(ResolveTriggerHostTest, AnAuthenticationRefTakesPixfleetsOwnVariableForItsProtocol) {
  struct Case {
    RabbitMqProtocol protocol;
    bool api_set, queue_set;
    const char* expected;  // the URL, or a part of the error message
    bool ok;
  };
  const std::vector<Case> cases = {
      {RabbitMqProtocol::kHttp, true, true, "http://m:p@h:15672", true},
      {RabbitMqProtocol::kHttp, false, true, "set PIXFLEET_QUEUE_API (the management API", false},
      {RabbitMqProtocol::kAmqp, true, true, "amqp://q:p@h:5672/", true},
      {RabbitMqProtocol::kAmqp, true, false, "set PIXFLEET_QUEUE (the AMQP URL)", false},
      {RabbitMqProtocol::kAuto, true, true, "http://m:p@h:15672", true},
      {RabbitMqProtocol::kAuto, false, true, "amqp://q:p@h:5672/", true},
      {RabbitMqProtocol::kAuto, false, false, "PIXFLEET_QUEUE_API or PIXFLEET_QUEUE", false},
  };
  for (const Case& c : cases) {
    const auto env = [&c](const char* name) -> const char* {
      if (c.api_set && std::string(name) == "PIXFLEET_QUEUE_API") return "http://m:p@h:15672";
      if (c.queue_set && std::string(name) == "PIXFLEET_QUEUE") return "amqp://q:p@h:5672/";
      return nullptr;
    };
    const auto host = ResolveTriggerHost(Trigger("", "", "rabbit-auth", c.protocol), env);
    ASSERT_EQ(host.ok(), c.ok) << c.expected;
    if (c.ok) {
      EXPECT_EQ(*host, c.expected);
    } else {
      EXPECT_NE(host.status().message().find(c.expected), std::string::npos)
          << host.status().message();
      EXPECT_NE(host.status().message().find("TriggerAuthentication rabbit-auth"),
                std::string::npos);
    }
  }
}

TEST(AmqpUrlWithVhostTest, ReplacesThePathKeepsTheQuery) {
  struct Case {
    std::string url, vhost, expected;
  };
  const std::vector<Case> cases = {
      {"amqp://u:p@h:5672/old", "", "amqp://u:p@h:5672/old"},
      {"amqp://u:p@h:5672/old", "new", "amqp://u:p@h:5672/new"},
      {"amqp://u:p@h:5672", "new", "amqp://u:p@h:5672/new"},
      {"amqp://u:p@h/", "/", "amqp://u:p@h/%2F"},
      {"amqps://h/v?cacertfile=%2Fca.pem", "a b", "amqps://h/a%20b?cacertfile=%2Fca.pem"},
  };
  for (const Case& c : cases) EXPECT_EQ(AmqpUrlWithVhost(c.url, c.vhost), c.expected) << c.url;
}

TEST(ManagementApiOfTest, TheLastPathSegmentIsTheVhost) {
  struct Case {
    std::string url, override_vhost, api_url, vhost;
  };
  const std::vector<Case> cases = {
      {"http://u:p@h:15672", "", "http://u:p@h:15672", "/"},
      {"http://u:p@h:15672/", "", "http://u:p@h:15672", "/"},
      {"http://u:p@h:15672/%2F", "", "http://u:p@h:15672", "/"},
      {"http://u:p@h:15672/prod", "", "http://u:p@h:15672", "prod"},
      {"http://u:p@h:15672/prod", "test", "http://u:p@h:15672", "test"},
      {"https://h/rabbit/api-root/prod?verify=verify_none", "",
       "https://h/rabbit/api-root?verify=verify_none", "prod"},
  };
  for (const Case& c : cases) {
    const ManagementApiLocation location = ManagementApiOf(c.url, c.override_vhost);
    EXPECT_EQ(location.api_url, c.api_url) << c.url;
    EXPECT_EQ(location.vhost, c.vhost) << c.url;
  }
}

}  // namespace
}  // namespace pixfleet
