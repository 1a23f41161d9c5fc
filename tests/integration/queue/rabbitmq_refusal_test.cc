// How a RabbitMQ broker's refusals at start-up are classified, against a real broker
// (PIXFLEET_TEST_AMQP_URL from tools/services/up.sh): a virtual host that does not exist and a
// refused login are configuration (kInvalidArgument: the worker stops at once with exit 2, no
// minute of retries), a broker that cannot be reached stays kUnavailable.
#include <chrono>
#include <cstdlib>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "queue/rabbitmq/amqp_connection.h"
#include "queue/rabbitmq/amqp_url.h"
#include "queue/rabbitmq/rabbitmq_task_queue.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

using ::testing::HasSubstr;

std::string Env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): tests, one thread
  return value == nullptr ? "" : value;
}

class RabbitMqRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = Env("PIXFLEET_TEST_AMQP_URL");
    if (url_.empty()) GTEST_SKIP() << "PIXFLEET_TEST_AMQP_URL is not set";
    auto parsed = amqp::ParseAmqpUrl(url_);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    broker_ = *parsed;
  }

  // The test broker's URL with another user, password or vhost.
  std::string UrlWith(const std::string& user, const std::string& password,
                      const std::string& vhost_encoded) const {
    return "amqp://" + user + ":" + password + "@" + broker_.host + ":" +
           std::to_string(broker_.port) + "/" + vhost_encoded;
  }

  Status OpenQueue(const std::string& url) {
    RabbitMqOptions options;
    // Never declared: the broker refuses the connection first.
    options.queue_name = "pftest.refused";
    return RabbitMqTaskQueue::Open(url, options, clock_).status();
  }

  FakeClock clock_;
  std::string url_;
  amqp::AmqpUrl broker_;
};

TEST_F(RabbitMqRefusalTest, AVirtualHostThatDoesNotExistIsConfiguration) {
  const std::string url = UrlWith(broker_.user, broker_.password, "no-such-vhost");
  const Status connection = amqp::Connection::Open(url, 1, {}).status();
  EXPECT_EQ(connection.code(), StatusCode::kInvalidArgument) << connection.ToString();
  EXPECT_THAT(connection.message(), HasSubstr("no-such-vhost"));
  EXPECT_EQ(connection.message().find(broker_.password), std::string::npos);
  const Status queue = OpenQueue(url);
  EXPECT_EQ(queue.code(), StatusCode::kInvalidArgument) << queue.ToString();
}

TEST_F(RabbitMqRefusalTest, ARefusedLoginIsConfiguration) {
  const std::string wrong_password = UrlWith(broker_.user, "not-the-password", "%2f");
  const Status connection = amqp::Connection::Open(wrong_password, 1, {}).status();
  EXPECT_EQ(connection.code(), StatusCode::kInvalidArgument) << connection.ToString();
  EXPECT_THAT(connection.message(), HasSubstr("login"));
  EXPECT_EQ(connection.message().find("not-the-password"), std::string::npos);
  const Status unknown_user = OpenQueue(UrlWith("pixfleet-no-such-user", "x", "%2f"));
  EXPECT_EQ(unknown_user.code(), StatusCode::kInvalidArgument) << unknown_user.ToString();
}

TEST_F(RabbitMqRefusalTest, ABrokerThatCannotBeReachedStaysUnavailable) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  const std::string url =
      "amqp://" + broker_.user + ":" + broker_.password + "@" + broker_.host + ":1/%2f";
  const Status connection = amqp::Connection::Open(url, 1, {}).status();
  EXPECT_EQ(connection.code(), StatusCode::kUnavailable) << connection.ToString();
  EXPECT_TRUE(connection.IsRetryable());
}

}  // namespace
}  // namespace pixfleet
