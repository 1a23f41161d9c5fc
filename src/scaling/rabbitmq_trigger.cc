#include "scaling/rabbitmq_trigger.h"

#include <cmath>
#include <string_view>

namespace pixfleet {
namespace {

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// KEDA turns every metric into a milli-quantity and maps NaN, infinities and negatives to 0
// (pkg/scalers/scaler.go); the HPA then never sees them.
double Sanitise(double value) { return std::isfinite(value) && value > 0 ? value : 0; }

}  // namespace

Result<RabbitMqProtocol> EffectiveProtocol(const RabbitMqTrigger& trigger,
                                           const std::string& host_url) {
  RabbitMqProtocol protocol = trigger.protocol;
  if (protocol == RabbitMqProtocol::kAuto) {
    if (StartsWithIgnoringCase(host_url, "amqp://") ||
        StartsWithIgnoringCase(host_url, "amqps://")) {
      protocol = RabbitMqProtocol::kAmqp;
    } else if (StartsWithIgnoringCase(host_url, "http://") ||
               StartsWithIgnoringCase(host_url, "https://")) {
      protocol = RabbitMqProtocol::kHttp;
    } else {
      return InvalidArgument(
          "protocol auto: the host must start with amqp://, amqps://, http:// or https://" +
          std::string(host_url.empty() ? " (the host is empty)" : ""));
    }
  }
  if (protocol == RabbitMqProtocol::kAmqp) {
    // The AMQP protocol only reports a queue's ready count (passive queue.declare).
    if (trigger.mode == RabbitMqMode::kMessageRate) {
      return InvalidArgument("mode MessageRate needs protocol http (AMQP has no rates)");
    }
    if (trigger.exclude_unacknowledged) {
      return InvalidArgument(
          "excludeUnacknowledged needs protocol http (AMQP counts ready messages only anyway)");
    }
    if (trigger.timeout_ms.has_value()) {
      return InvalidArgument("timeout is only allowed with protocol http");
    }
  }
  return protocol;
}

TriggerReading ReadTrigger(const RabbitMqTrigger& trigger, RabbitMqProtocol protocol,
                           const QueueSample& sample) {
  // AMQP sees ready messages only; the management API's `messages` is ready + unacknowledged.
  const bool count_unacked = protocol == RabbitMqProtocol::kHttp && !trigger.exclude_unacknowledged;
  const double count = static_cast<double>(sample.ready) +
                       (count_unacked ? static_cast<double>(sample.unacknowledged) : 0);
  TriggerReading reading;
  // Activity is decided on the raw values, as KEDA does; only the metric is sanitised.
  switch (trigger.mode) {
    case RabbitMqMode::kQueueLength:
      reading.metric = Sanitise(count);
      reading.active = count > trigger.activation_value;
      break;
    case RabbitMqMode::kMessageRate:
      reading.metric = Sanitise(sample.publish_rate);
      reading.active =
          sample.publish_rate > trigger.activation_value || count > trigger.activation_value;
      break;
  }
  return reading;
}

}  // namespace pixfleet
