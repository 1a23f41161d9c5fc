// A RabbitMQ trigger for the scaling tests: queue "tasks" on a local AMQP host, the given
// per-replica target, everything else at KEDA's defaults.
#pragma once

#include "scaling/rabbitmq_trigger.h"

namespace pixfleet {

inline RabbitMqTrigger TestTrigger(double value = 10, double activation = 0) {
  RabbitMqTrigger trigger;
  trigger.host = "amqp://localhost/";
  trigger.queue_name = "tasks";
  trigger.value = value;
  trigger.activation_value = activation;
  return trigger;
}

}  // namespace pixfleet
