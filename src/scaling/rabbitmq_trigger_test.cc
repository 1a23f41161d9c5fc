// The RabbitMQ trigger: which protocol a host implies, what each protocol counts, and activation
// strictly above activationValue. Expected values are worked out by hand in each row.
#include "scaling/rabbitmq_trigger.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "scaling/scaling_test_util.h"

namespace pixfleet {
namespace {

RabbitMqTrigger Trigger(RabbitMqProtocol protocol, RabbitMqMode mode = RabbitMqMode::kQueueLength) {
  RabbitMqTrigger trigger = TestTrigger();
  trigger.protocol = protocol;
  trigger.mode = mode;
  return trigger;
}

TEST(RabbitMqTriggerTest, ProtocolComesFromTheHostSchemeUnlessGiven) {
  struct Row {
    RabbitMqProtocol given;
    const char* host;
    std::optional<RabbitMqProtocol> expected;  // nullopt: refused
  };
  const Row rows[] = {
      {RabbitMqProtocol::kAuto, "amqp://guest:guest@localhost:5672/", RabbitMqProtocol::kAmqp},
      {RabbitMqProtocol::kAuto, "AMQPS://broker/vh", RabbitMqProtocol::kAmqp},
      {RabbitMqProtocol::kAuto, "http://guest:guest@localhost:15672/", RabbitMqProtocol::kHttp},
      {RabbitMqProtocol::kAuto, "https://broker/api", RabbitMqProtocol::kHttp},
      {RabbitMqProtocol::kAuto, "redis://broker", std::nullopt},
      {RabbitMqProtocol::kAuto, "", std::nullopt},
      // An explicit protocol wins over the scheme (KEDA only looks at it for auto).
      {RabbitMqProtocol::kHttp, "amqp://broker", RabbitMqProtocol::kHttp},
      {RabbitMqProtocol::kAmqp, "", RabbitMqProtocol::kAmqp},
  };
  for (const Row& row : rows) {
    const Result<RabbitMqProtocol> protocol = EffectiveProtocol(Trigger(row.given), row.host);
    if (row.expected) {
      ASSERT_TRUE(protocol.ok()) << row.host << ": " << protocol.status().ToString();
      EXPECT_EQ(*protocol, *row.expected) << row.host;
    } else {
      ASSERT_FALSE(protocol.ok()) << row.host;
      EXPECT_EQ(protocol.error().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(RabbitMqTriggerTest, HttpOnlySettingsAreRefusedWithAmqp) {
  RabbitMqTrigger rate = Trigger(RabbitMqProtocol::kAuto, RabbitMqMode::kMessageRate);
  RabbitMqTrigger exclude = Trigger(RabbitMqProtocol::kAuto);
  exclude.exclude_unacknowledged = true;
  RabbitMqTrigger timeout = Trigger(RabbitMqProtocol::kAuto);
  timeout.timeout_ms = 1000;
  for (const RabbitMqTrigger* trigger : {&rate, &exclude, &timeout}) {
    EXPECT_FALSE(EffectiveProtocol(*trigger, "amqp://broker").ok());
    EXPECT_TRUE(EffectiveProtocol(*trigger, "http://broker").ok());
  }
}

TEST(RabbitMqTriggerTest, ReadingsPerProtocolAndMode) {
  const double inf = std::numeric_limits<double>::infinity();
  struct Row {
    const char* what;
    RabbitMqProtocol protocol;
    RabbitMqMode mode;
    bool exclude_unacked;
    double activation;
    QueueSample sample;
    double metric;
    bool active;
  };
  using P = RabbitMqProtocol;
  using M = RabbitMqMode;
  const Row rows[] = {
      // AMQP sees ready messages only: 7 of 7 ready + 3 unacked.
      {"amqp ready only", P::kAmqp, M::kQueueLength, false, 0, {7, 3, 0}, 7, true},
      // The management API's messages = ready + unacked = 10.
      {"http total", P::kHttp, M::kQueueLength, false, 0, {7, 3, 0}, 10, true},
      {"http excludeUnacknowledged", P::kHttp, M::kQueueLength, true, 0, {7, 3, 0}, 7, true},
      // In-flight work only: AMQP sees 0 and is inactive, HTTP sees 3 and stays active.
      {"amqp in flight only", P::kAmqp, M::kQueueLength, false, 0, {0, 3, 0}, 0, false},
      {"http in flight only", P::kHttp, M::kQueueLength, false, 0, {0, 3, 0}, 3, true},
      // Activation is strictly greater: 5 > 5 is false, 6 > 5 true, 0 > 0 false.
      {"at activationValue", P::kAmqp, M::kQueueLength, false, 5, {5, 0, 0}, 5, false},
      {"above activationValue", P::kAmqp, M::kQueueLength, false, 5, {6, 0, 0}, 6, true},
      {"empty", P::kAmqp, M::kQueueLength, false, 0, {0, 0, 0}, 0, false},
      // MessageRate: metric is the publish rate; active by rate or by count.
      {"rate", P::kHttp, M::kMessageRate, false, 0, {0, 0, 2.5}, 2.5, true},
      {"rate 0, messages 3", P::kHttp, M::kMessageRate, false, 0, {3, 0, 0}, 0, true},
      {"rate 0, nothing", P::kHttp, M::kMessageRate, false, 0, {0, 0, 0}, 0, false},
      // NaN, infinities and negatives become a metric of 0; activity uses the raw rate.
      {"rate NaN", P::kHttp, M::kMessageRate, false, 0, {0, 0, std::nan("")}, 0, false},
      {"rate negative", P::kHttp, M::kMessageRate, false, 0, {0, 0, -1}, 0, false},
      {"rate infinite", P::kHttp, M::kMessageRate, false, 0, {0, 0, inf}, 0, true},
  };
  for (const Row& row : rows) {
    RabbitMqTrigger trigger = Trigger(row.protocol, row.mode);
    trigger.exclude_unacknowledged = row.exclude_unacked;
    trigger.activation_value = row.activation;
    const TriggerReading reading = ReadTrigger(trigger, row.protocol, row.sample);
    EXPECT_EQ(reading.metric, row.metric) << row.what;
    EXPECT_EQ(reading.active, row.active) << row.what;
  }
}

}  // namespace
}  // namespace pixfleet
