// Task messages: a TaskSpec as the JSON body of an AMQP message
// ({"task_id","batch_id","input_key","keep_extension"}), the headers pixfleet adds, and what a
// delivery carries. message_id is always the task id: consumers and operators can de-duplicate by
// it. A body is a task only if it is a JSON object with non-empty string task_id, batch_id and
// input_key (and keep_extension, when present, a boolean); anything else is dead-lettered by the
// consumer, with the reason DecodeTask gives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <amqp.h>

#include "core/status.h"
#include "model/task.h"

namespace pixfleet::amqp {

// Deliveries a task had before it was re-published by Retry or Release (the broker's
// x-delivery-count restarts at 0 for the new message).
inline constexpr char kPriorAttemptsHeader[] = "x-pixfleet-attempts";
// Why a task was dead-lettered (DeadLetter's reason) or last retried.
inline constexpr char kReasonHeader[] = "x-pixfleet-reason";
// Set by quorum queues on redelivery: failed deliveries so far.
inline constexpr char kDeliveryCountHeader[] = "x-delivery-count";

std::string EncodeTask(const TaskSpec& task);
// kDataLoss when the body is not a task, saying why ("not JSON (syntax error at byte 1)", "no
// task_id string", ...) in words that quote nothing from the body.
Result<TaskSpec> DecodeTask(std::string_view body);

// A received message, read apart.
struct Delivery {
  Result<TaskSpec> task = DataLoss("not read");
  std::string message_id;      // Clipped(); raw bytes, empty when the publisher set none
  int64_t size = 0;            // body bytes
  int64_t prior_attempts = 0;  // kPriorAttemptsHeader, 0 when absent
  int64_t delivery_count = 0;  // kDeliveryCountHeader, 0 when absent
  std::string reason;          // kReasonHeader (a UTF-8 string), empty when absent
};
Delivery ReadDelivery(const amqp_message_t& message);

// The first `max_bytes` of `bytes`, with "..." after when longer: an untrusted string (a stray
// message's id) bounded in size. The bytes stay raw: whatever prints them escapes them once, at
// the sink (core/terminal_text.h); escaping here too would show every backslash doubled.
std::string Clipped(std::string_view bytes, size_t max_bytes = 64);

// One message to publish with confirms.
struct OutgoingMessage {
  std::string routing_key;  // queue name (default exchange)
  std::string message_id;   // the task id
  std::string body;
  int64_t prior_attempts = 0;  // 0: no header
  std::string reason;          // empty: no header
};

}  // namespace pixfleet::amqp
