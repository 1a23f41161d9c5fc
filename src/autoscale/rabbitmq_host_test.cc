#include "autoscale/rabbitmq_host.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(ResolveTriggerHostTest, HostThenTheVariableHostFromEnvNames) {
  const auto env = [](const char* name) -> const char* {
    return std::string(name) == "RABBIT" ? "amqp://u:p@h/" : nullptr;
  };
  EXPECT_EQ(ResolveTriggerHost("amqp://a/", "RABBIT", env).value(), "amqp://a/");
  EXPECT_EQ(ResolveTriggerHost("", "RABBIT", env).value(), "amqp://u:p@h/");
  const auto unset = ResolveTriggerHost("", "MISSING", env);
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unset.status().message().find("MISSING"), std::string::npos);
  EXPECT_FALSE(ResolveTriggerHost("", "", env).ok());
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
