// The broker-free parts of the RabbitMQ backend: task bodies, retry delay buckets, queue names,
// URL redaction and option validation (the behaviour against a broker is tested in
// tests/integration/queue).
#include <gtest/gtest.h>

#include "queue/rabbitmq/amqp_connection.h"
#include "queue/rabbitmq/rabbitmq_task_queue.h"
#include "queue/rabbitmq/task_message.h"
#include "queue/rabbitmq/topology.h"

namespace pixfleet {
namespace {

using std::chrono::milliseconds;

TEST(RabbitMqCodecTest, TaskBodyRoundTrips) {
  const TaskSpec task{"t1", "b1", "Ferien/Strand \xc3\xa4 \"1\".HEIC", /*keep_extension=*/true};
  Result<TaskSpec> decoded = amqp::DecodeTask(amqp::EncodeTask(task));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, task);
  EXPECT_EQ(amqp::EncodeTask(TaskSpec{"t", "b", "k", false}),
            R"({"batch_id":"b","input_key":"k","keep_extension":false,"task_id":"t"})");
}

TEST(RabbitMqCodecTest, NonTaskBodiesAreDataLoss) {
  for (const char* body : {"", "not json", "[]", R"({"batch_id":"b"})", R"({"task_id":7})"}) {
    EXPECT_EQ(amqp::DecodeTask(body).status().code(), StatusCode::kDataLoss) << body;
  }
}

TEST(RabbitMqCodecTest, DelaysRoundUpToABucket) {
  const amqp::Topology topology =
      amqp::Topology::ForName("pf", {30'000, 1'000, 5'000, 1'000, 0}, 10);
  EXPECT_EQ(topology.retry_delays_ms, (std::vector<int64_t>{1'000, 5'000, 30'000}));
  EXPECT_EQ(topology.dead, "pf.dead");
  EXPECT_EQ(topology.RetryQueue(5'000), "pf.retry.5000");
  EXPECT_EQ(topology.BucketFor(milliseconds(0)), 0);
  EXPECT_EQ(topology.BucketFor(milliseconds(1)), 1'000);
  EXPECT_EQ(topology.BucketFor(milliseconds(1'000)), 1'000);
  EXPECT_EQ(topology.BucketFor(milliseconds(1'001)), 5'000);
  EXPECT_EQ(topology.BucketFor(milliseconds(10'000'000)), 30'000) << "capped at the longest";
}

TEST(RabbitMqCodecTest, RedactUrlMasksThePassword) {
  EXPECT_EQ(amqp::RedactUrl("amqp://guest:pw@host:5672/%2f"), "amqp://guest:****@host:5672/%2f");
  EXPECT_EQ(amqp::RedactUrl("http://u:p@h:1/api/queues/%2f/q"),
            "http://u:****@h:1/api/queues/%2f/q");
  EXPECT_EQ(amqp::RedactUrl("amqp://host/vhost@x"), "amqp://host/vhost@x");
}

TEST(RabbitMqCodecTest, OpenRejectsBadOptionsBeforeConnecting) {
  RabbitMqOptions options;
  options.prefetch = 0;
  auto queue = RabbitMqTaskQueue::Open("amqp://127.0.0.1:1", options, RealClock::Instance());
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.error().code(), StatusCode::kInvalidArgument);
  options = RabbitMqOptions();
  options.queue_name = "";
  queue = RabbitMqTaskQueue::Open("amqp://127.0.0.1:1", options, RealClock::Instance());
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pixfleet
