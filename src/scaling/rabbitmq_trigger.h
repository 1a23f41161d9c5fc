// RabbitMqTrigger: KEDA's `rabbitmq` trigger (pkg/scalers/rabbitmq_scaler.go) reduced to what
// decides scaling: which count of the queue it reads and when it calls the queue active.
//   * protocol amqp: a passive queue.declare, which reports ready messages only (messages being
//     processed are invisible); http: the management API's `messages` (ready + unacknowledged),
//     or `messages_ready` with excludeUnacknowledged. auto: from the host URL's scheme.
//   * mode QueueLength: metric = that count, active = count > activationValue (strictly);
//     MessageRate (http only): metric = publish rate, active = rate > activationValue or
//     count > activationValue.
// Pure: the caller fetches a QueueSample from the broker (or a simulation) and asks here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"

namespace pixfleet {

enum class MetricTargetType { kAverageValue, kValue };
enum class RabbitMqProtocol { kAuto, kAmqp, kHttp };
enum class RabbitMqMode { kQueueLength, kMessageRate };

struct RabbitMqTrigger {
  std::string name;  // the trigger's optional `name`
  std::string host;  // amqp[s]://user:pass@host:port/vhost or http[s]://user:pass@host:port/vhost
  std::string host_from_env;  // the environment variable holding `host`
  // The KEDA TriggerAuthentication giving `host` when neither of the above is set (read in the
  // cluster only; a local run takes the host from pixfleet's own variables: rabbitmq_host.h).
  std::string authentication_ref;
  RabbitMqProtocol protocol = RabbitMqProtocol::kAuto;
  std::string queue_name;
  std::string vhost_name;  // overrides the vhost of the host URL when set
  RabbitMqMode mode = RabbitMqMode::kQueueLength;
  double value = 20;  // per-replica target
  double activation_value = 0;
  bool exclude_unacknowledged = false;  // http only
  MetricTargetType metric_type = MetricTargetType::kAverageValue;
  std::optional<int> timeout_ms;  // http only
};

// The protocol actually used: `protocol`, or for kAuto the scheme of `host_url` (amqp/amqps →
// amqp, http/https → http). kInvalidArgument for any other scheme, or an http-only setting
// (MessageRate, excludeUnacknowledged, timeout) with amqp.
Result<RabbitMqProtocol> EffectiveProtocol(const RabbitMqTrigger& trigger,
                                           const std::string& host_url);

// What one poll of the broker saw of the queue.
struct QueueSample {
  int64_t ready = 0;           // messages_ready
  int64_t unacknowledged = 0;  // messages_unacknowledged (delivered, not yet acked)
  double publish_rate = 0;     // message_stats.publish_details.rate (http only)
};

struct TriggerReading {
  double metric = 0;  // the value the HPA compares with `value`
  bool active = false;
};

// The metric and activity KEDA derives from `sample` under `protocol` (already effective).
// NaN, infinities and negatives become 0, as KEDA does.
TriggerReading ReadTrigger(const RabbitMqTrigger& trigger, RabbitMqProtocol protocol,
                           const QueueSample& sample);

}  // namespace pixfleet
