// Topology: the RabbitMQ objects of one pipeline and their declaration.
//   <name>              durable QUORUM work queue; x-delivery-limit (a task that keeps crashing
//                       its workers is dead-lettered by the broker), x-dead-letter-exchange ""
//                       (the default exchange) routing to <name>.dead.
//   <name>.dead         durable quorum queue of dead-lettered tasks, kept until an operator acts.
//   <name>.retry.<ms>   one durable classic queue per retry delay bucket, x-message-ttl = ms,
//                       dead-lettering expired messages back to <name>: a delayed retry.
// Every message goes through the default exchange, routed by queue name. Declaring is
// idempotent; redeclaring with other arguments (another delivery limit) fails with
// kInvalidArgument and the existing queues must be deleted first.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "queue/rabbitmq/amqp_connection.h"

namespace pixfleet::amqp {

struct Topology {
  std::string work;                      // "<name>"
  std::string dead;                      // "<name>.dead"
  std::vector<int64_t> retry_delays_ms;  // ascending buckets
  int64_t delivery_limit = 10;           // deliveries allowed (TaskQueueOptions semantics)

  static Topology ForName(const std::string& name, std::vector<int64_t> retry_delays_ms,
                          int delivery_limit);
  std::string RetryQueue(int64_t bucket_ms) const;
  // The smallest bucket not shorter than `delay` (a retry never comes back early), capped at the
  // longest bucket; 0 for no delay (publish straight to the work queue).
  int64_t BucketFor(std::chrono::milliseconds delay) const;
};

// Declares every queue of `topology` on `channel`.
Status Declare(Connection& connection, amqp_channel_t channel, const Topology& topology);

// The ready message count of `queue` via a passive queue.declare (kNotFound if it is missing).
Result<int64_t> ReadyCount(Connection& connection, amqp_channel_t channel,
                           const std::string& queue);

// Deletes every queue of `topology` (for tests and decommissioning).
Status Delete(Connection& connection, amqp_channel_t channel, const Topology& topology);

}  // namespace pixfleet::amqp
