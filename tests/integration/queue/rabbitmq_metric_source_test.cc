// `pixfleet scale`'s metric sources (autoscale/rabbitmq_metric_source.h) against the real
// broker: the AMQP source (passive queue.declare) and the management API source read the same
// queue; the management API's publish rate (MessageRate); a missing queue is kNotFound, poll
// after poll; an unreachable broker is a failure, not a zero. Skipped
// unless PIXFLEET_TEST_AMQP_URL and PIXFLEET_TEST_RABBITMQ_API are set.
#include "autoscale/rabbitmq_metric_source.h"

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/clock.h"
#include "queue/rabbitmq/rabbitmq_task_queue.h"

namespace pixfleet {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): no setenv here
  return value != nullptr ? value : "";
}

// Unique per process and test, valid as a queue name.
std::string UniqueQueueName() {
  return "pftest-metric." + std::to_string(getpid()) + "." +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

const char* NoEnvironment(const char* /*name*/) { return nullptr; }

class RabbitMqMetricSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Env("PIXFLEET_TEST_AMQP_URL").empty() || Env("PIXFLEET_TEST_RABBITMQ_API").empty()) {
      GTEST_SKIP() << "PIXFLEET_TEST_AMQP_URL or PIXFLEET_TEST_RABBITMQ_API unset (source "
                      "build/services/env.sh)";
    }
    RabbitMqOptions options;
    options.queue_name = name_;
    auto queue =
        RabbitMqTaskQueue::Open(Env("PIXFLEET_TEST_AMQP_URL"), options, RealClock::Instance());
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(*queue);
  }
  void TearDown() override {
    if (queue_) {
      EXPECT_TRUE(queue_->DeleteQueues().ok());
    }
  }

  void PublishTasks(int count) {
    std::vector<TaskSpec> tasks;
    for (int i = 0; i < count; ++i) {
      tasks.push_back(TaskSpec{"t" + std::to_string(i), "b", std::to_string(i) + ".jpg"});
    }
    ASSERT_TRUE(queue_->Publish(tasks).ok());
  }

  std::unique_ptr<QueueMetricSource> Open(const std::string& host, const std::string& queue_name) {
    RabbitMqTrigger trigger;
    trigger.host = host;
    trigger.queue_name = queue_name;
    auto opened = OpenRabbitMqMetricSource(trigger, NoEnvironment);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened->source) : nullptr;
  }

  std::string name_ = UniqueQueueName();
  std::unique_ptr<RabbitMqTaskQueue> queue_;
};

TEST_F(RabbitMqMetricSourceTest, AmqpAndManagementApiSeeTheReadyMessages) {
  PublishTasks(7);
  const auto amqp = Open(Env("PIXFLEET_TEST_AMQP_URL"), name_);
  ASSERT_NE(amqp, nullptr);
  const Result<QueueSample> sample = amqp->Sample();
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->ready, 7);
  // The kept connection serves the next poll too.
  EXPECT_EQ(amqp->Sample().value().ready, 7);

  // The management API's statistics lag the queue (5 s collection interval): wait for them.
  const auto http = Open(Env("PIXFLEET_TEST_RABBITMQ_API") + "/%2F", name_);
  ASSERT_NE(http, nullptr);
  Result<QueueSample> seen = http->Sample();
  for (int i = 0; i < 150 && (!seen.ok() || seen->ready != 7); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    seen = http->Sample();
  }
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->ready, 7);
  EXPECT_EQ(seen->unacknowledged, 0);
}

// MessageRate's metric: the management API's publish rate, seen once its statistics cover a
// sample interval with publishing in it; the AMQP source has no rates (0).
TEST_F(RabbitMqMetricSourceTest, TheManagementApiSourceSeesThePublishRate) {
  const auto http = Open(Env("PIXFLEET_TEST_RABBITMQ_API") + "/%2F", name_);
  ASSERT_NE(http, nullptr);
  Result<QueueSample> seen = http->Sample();
  // Publishes 5 tasks every 200 ms until the API reports a rate (within 30 s).
  for (int i = 0; i < 150 && (!seen.ok() || seen->publish_rate <= 0); ++i) {
    PublishTasks(5);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    seen = http->Sample();
  }
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_GT(seen->publish_rate, 0);
  const auto amqp = Open(Env("PIXFLEET_TEST_AMQP_URL"), name_);
  ASSERT_NE(amqp, nullptr);
  const Result<QueueSample> amqp_seen = amqp->Sample();
  ASSERT_TRUE(amqp_seen.ok()) << amqp_seen.status().ToString();
  EXPECT_EQ(amqp_seen->publish_rate, 0);
}

TEST_F(RabbitMqMetricSourceTest, AMissingQueueIsNotFoundByBothProtocols) {
  const auto amqp = Open(Env("PIXFLEET_TEST_AMQP_URL"), name_ + ".missing");
  ASSERT_NE(amqp, nullptr);
  const Result<QueueSample> missing = amqp->Sample();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  // Asked again, on a new connection (the 404 closed the channel): the same answer.
  EXPECT_EQ(amqp->Sample().status().code(), StatusCode::kNotFound);

  const auto http = Open(Env("PIXFLEET_TEST_RABBITMQ_API") + "/%2F", name_ + ".missing");
  ASSERT_NE(http, nullptr);
  const Result<QueueSample> http_missing = http->Sample();
  ASSERT_FALSE(http_missing.ok());
  EXPECT_EQ(http_missing.status().code(), StatusCode::kNotFound);
}

TEST_F(RabbitMqMetricSourceTest, AnUnreachableBrokerIsAFailureNotAZero) {
  const auto amqp = Open("amqp://guest:guest@127.0.0.1:1/", name_);
  ASSERT_NE(amqp, nullptr);
  const Result<QueueSample> sample = amqp->Sample();
  ASSERT_FALSE(sample.ok());
  EXPECT_EQ(sample.status().code(), StatusCode::kUnavailable) << sample.status().ToString();
}

}  // namespace
}  // namespace pixfleet
