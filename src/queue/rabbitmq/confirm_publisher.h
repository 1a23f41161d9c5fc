// ConfirmPublisher: publishes on one channel in publisher-confirm mode (confirm.select).
// PublishAll pipelines a whole span — every basic.publish is written before any confirm is
// awaited — then reads basic.ack / basic.nack (honouring `multiple`) and basic.return frames
// itself with amqp_simple_wait_frame_noblock (librabbitmq 0.11 has no confirm-wait helper).
// Messages are persistent (delivery_mode 2) and mandatory: a basic.return means no queue took
// the message (the topology is gone), reported as kUnavailable. Nacked messages are republished
// with the same message id, up to `rounds` times; the whole call is bounded by `timeout`
// (kDeadlineExceeded: the outcome of the unconfirmed messages is unknown, publish them again),
// measured as socket_deadline.h says: on the injected Clock, and never longer than `timeout` of
// real time blocked on the socket.
// A confirm means the quorum queue committed the message to a majority of its replicas.
// Not thread-safe; the connection must carry nothing but this channel's traffic while waiting.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "core/clock.h"
#include "core/status.h"
#include "queue/rabbitmq/amqp_connection.h"
#include "queue/rabbitmq/task_message.h"

namespace pixfleet::amqp {

class ConfirmPublisher {
 public:
  // `connection` and `clock` must outlive the publisher.
  ConfirmPublisher(Connection& connection, amqp_channel_t channel, Clock& clock)
      : connection_(connection), channel_(channel), clock_(clock) {}

  // Sends confirm.select; call once per channel before PublishAll.
  Status Enable();

  Status PublishAll(std::span<const OutgoingMessage> messages, std::chrono::milliseconds timeout,
                    int rounds);

 private:
  Status Send(const OutgoingMessage& message);

  Connection& connection_;
  const amqp_channel_t channel_;
  Clock& clock_;
  uint64_t next_sequence_ = 1;  // the broker numbers publishes on a confirm channel from 1
};

}  // namespace pixfleet::amqp
