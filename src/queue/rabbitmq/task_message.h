// Task messages: a TaskSpec as the JSON body of an AMQP message
// ({"task_id","batch_id","input_key","keep_extension"}) and the headers pixfleet adds.
// message_id is always the task id: consumers and operators can de-duplicate by it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "model/task.h"

namespace pixfleet::amqp {

// Deliveries a task had before it was re-published by Retry (the broker's x-delivery-count
// restarts at 0 for the new message).
inline constexpr char kPriorAttemptsHeader[] = "x-pixfleet-attempts";
// Why a task was dead-lettered (DeadLetter's reason) or last retried.
inline constexpr char kReasonHeader[] = "x-pixfleet-reason";
// Set by quorum queues on redelivery: failed deliveries so far.
inline constexpr char kDeliveryCountHeader[] = "x-delivery-count";

std::string EncodeTask(const TaskSpec& task);
// kDataLoss when the body is not a task.
Result<TaskSpec> DecodeTask(std::string_view body);

// One message to publish with confirms.
struct OutgoingMessage {
  std::string routing_key;  // queue name (default exchange)
  std::string message_id;   // the task id
  std::string body;
  int64_t prior_attempts = 0;  // 0: no header
  std::string reason;          // empty: no header
};

}  // namespace pixfleet::amqp
