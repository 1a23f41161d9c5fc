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

TEST(RabbitMqCodecTest, NonTaskBodiesAreDataLossSayingWhy) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "not JSON (syntax error at byte 1)"},
      {"not json", "not JSON (syntax error at byte 2)"},
      {"[]", "JSON, but not an object"},
      {R"({"batch_id":"b"})", "no task_id string"},
      {R"({"task_id":7})", "no task_id string"},
      {R"({"task_id":"","batch_id":"b","input_key":"k"})", "empty task_id"},
      {R"({"task_id":"t","input_key":"k"})", "no batch_id string"},
      // Fields of the wrong type used to throw out of the consumer and end the worker.
      {R"({"task_id":"t","batch_id":5,"input_key":"k"})", "no batch_id string"},
      {R"({"task_id":"t","batch_id":"b","input_key":["k"]})", "no input_key string"},
      {R"({"task_id":"t","batch_id":"b","input_key":"k","keep_extension":"yes"})",
       "keep_extension is not a boolean"},
  };
  for (const auto& [body, why] : cases) {
    const Result<TaskSpec> decoded = amqp::DecodeTask(body);
    ASSERT_FALSE(decoded.ok()) << body;
    EXPECT_EQ(decoded.error().code(), StatusCode::kDataLoss) << body;
    EXPECT_EQ(decoded.error().message(), why) << body;
  }
  // keep_extension is optional (false), as older publishers left it out.
  const Result<TaskSpec> older =
      amqp::DecodeTask(R"({"task_id":"t","batch_id":"b","input_key":"k"})");
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(*older, (TaskSpec{"t", "b", "k", false}));
}

TEST(RabbitMqCodecTest, ClippedBoundsUntrustedBytesAndLeavesEscapingToTheSink) {
  EXPECT_EQ(amqp::Clipped("task-1"), "task-1");
  EXPECT_EQ(amqp::Clipped("a\x1b[31mred\n\\"), "a\x1b[31mred\n\\");
  EXPECT_EQ(amqp::Clipped(std::string(8, 'x'), 8), "xxxxxxxx");
  EXPECT_EQ(amqp::Clipped(std::string(100, 'x'), 8), "xxxxxxxx...");
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
