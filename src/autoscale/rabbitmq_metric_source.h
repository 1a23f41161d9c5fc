// The real broker behind a KEDA rabbitmq trigger, as KEDA's RabbitMQ scaler queries it:
//   * amqp: a passive queue.declare on one kept connection (opened at the first poll, dropped
//     after any error and opened again at the next poll); it sees ready messages only;
//   * http: GET /api/queues/{vhost}/{queue} of the management API (ready, unacknowledged); the
//     API's statistics lag the queue by its collection interval (5 s by default).
// Each query is bounded by the trigger's `timeout` (KEDA's default 3000 ms, also used for the
// AMQP connect and RPC). Errors name the broker as host:port/vhost, never a credential.
#pragma once

#include <functional>
#include <memory>

#include "autoscale/queue_metric_source.h"
#include "core/status.h"
#include "scaling/rabbitmq_trigger.h"

namespace pixfleet {

struct TriggerSource {
  std::unique_ptr<QueueMetricSource> source;
  RabbitMqProtocol protocol = RabbitMqProtocol::kAmqp;  // the effective one (never kAuto)
};

// The source for `trigger`, whose host is resolved from `host` or the environment (through
// `getenv_fn`). kInvalidArgument for a trigger this cannot query: no host, an unknown scheme,
// or an http-only setting (MessageRate among them) with amqp (EffectiveProtocol). Connects
// lazily: nothing is opened before the first Sample.
Result<TriggerSource> OpenRabbitMqMetricSource(
    const RabbitMqTrigger& trigger, const std::function<const char*(const char*)>& getenv_fn);

}  // namespace pixfleet
