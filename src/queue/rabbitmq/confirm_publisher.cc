// ConfirmPublisher: see confirm_publisher.h.
#include "queue/rabbitmq/confirm_publisher.h"

#include <map>
#include <set>
#include <vector>

#include <amqp_framing.h>
#include <sys/time.h>

#include "queue/rabbitmq/socket_deadline.h"

namespace pixfleet::amqp {

Status ConfirmPublisher::Enable() {
  amqp_confirm_select(connection_.State(), channel_);
  return connection_.CheckLastReply("confirm.select");
}

Status ConfirmPublisher::Send(const OutgoingMessage& message) {
  amqp_table_entry_t headers[2];
  int header_count = 0;
  if (message.prior_attempts > 0) {
    headers[header_count].key = amqp_cstring_bytes(kPriorAttemptsHeader);
    headers[header_count].value.kind = AMQP_FIELD_KIND_I64;
    headers[header_count].value.value.i64 = message.prior_attempts;
    ++header_count;
  }
  if (!message.reason.empty()) {
    headers[header_count].key = amqp_cstring_bytes(kReasonHeader);
    headers[header_count].value.kind = AMQP_FIELD_KIND_UTF8;
    headers[header_count].value.value.bytes = Bytes(message.reason);
    ++header_count;
  }
  amqp_basic_properties_t props{};
  props._flags =
      AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
  props.message_id = Bytes(message.message_id);
  if (header_count > 0) {
    props._flags |= AMQP_BASIC_HEADERS_FLAG;
    props.headers.num_entries = header_count;
    props.headers.entries = headers;
  }
  const int rc = amqp_basic_publish(connection_.State(), channel_, amqp_empty_bytes,
                                    Bytes(message.routing_key), /*mandatory=*/1,
                                    /*immediate=*/0, &props, Bytes(message.body));
  return connection_.CheckCode(rc, "basic.publish to " + message.routing_key);
}

Status ConfirmPublisher::PublishAll(std::span<const OutgoingMessage> messages,
                                    std::chrono::milliseconds timeout, int rounds) {
  SocketDeadline deadline(clock_, timeout);
  std::vector<size_t> to_send(messages.size());
  for (size_t i = 0; i < to_send.size(); ++i) to_send[i] = i;

  for (int round = 0; round < rounds && !to_send.empty(); ++round) {
    std::map<uint64_t, size_t> pending;  // sequence number -> index into messages
    for (size_t index : to_send) {
      PIXFLEET_RETURN_IF_ERROR(Send(messages[index]));
      pending.emplace(next_sequence_++, index);
    }
    std::vector<size_t> nacked;
    std::set<std::string> returned;  // message ids the broker could not route
    while (!pending.empty()) {
      const std::chrono::microseconds left = deadline.BeginWait(timeout);
      if (left.count() <= 0) {
        return DeadlineExceeded("amqp publish (" + connection_.Where() + "): " +
                                std::to_string(pending.size()) + " messages unconfirmed after " +
                                std::to_string(timeout.count()) + " ms; outcome unknown");
      }
      timeval tv{};
      tv.tv_sec = static_cast<time_t>(left.count() / 1'000'000);
      tv.tv_usec = static_cast<suseconds_t>(left.count() % 1'000'000);
      amqp_frame_t frame;
      const int rc = amqp_simple_wait_frame_noblock(connection_.State(), &frame, &tv);
      if (rc == AMQP_STATUS_TIMEOUT) {
        deadline.WaitedOut();
        continue;
      }
      PIXFLEET_RETURN_IF_ERROR(connection_.CheckCode(rc, "waiting for publisher confirms"));
      if (frame.frame_type != AMQP_FRAME_METHOD || frame.channel != channel_) continue;

      const amqp_method_number_t id = frame.payload.method.id;
      if (id == AMQP_BASIC_ACK_METHOD || id == AMQP_BASIC_NACK_METHOD) {
        uint64_t tag = 0;
        bool multiple = false;
        if (id == AMQP_BASIC_ACK_METHOD) {
          const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
          tag = ack->delivery_tag;
          multiple = ack->multiple != 0;
        } else {
          const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
          tag = nack->delivery_tag;
          multiple = nack->multiple != 0;
        }
        auto end = multiple ? pending.upper_bound(tag) : pending.find(tag);
        auto begin = multiple ? pending.begin() : end;
        if (!multiple && end != pending.end()) end = std::next(end);
        for (auto it = begin; it != end; ++it) {
          if (id == AMQP_BASIC_NACK_METHOD) nacked.push_back(it->second);
        }
        pending.erase(begin, end);
      } else if (id == AMQP_BASIC_RETURN_METHOD) {
        // The returned message's header and body frames follow; the ack for it comes after.
        amqp_message_t message;
        PIXFLEET_RETURN_IF_ERROR(connection_.CheckReply(
            amqp_read_message(connection_.State(), channel_, &message, 0), "basic.return"));
        if (message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
          returned.insert(ToString(message.properties.message_id));
        }
        amqp_destroy_message(&message);
      } else if (id == AMQP_CHANNEL_CLOSE_METHOD || id == AMQP_CONNECTION_CLOSE_METHOD) {
        amqp_rpc_reply_t reply{};
        reply.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
        reply.reply = frame.payload.method;
        return connection_.CheckReply(reply, "publish");
      }
    }
    if (!returned.empty()) {
      connection_.MarkBroken();  // reconnecting declares the topology again
      return Unavailable("amqp publish (" + connection_.Where() +
                         "): " + std::to_string(returned.size()) +
                         " messages unroutable (queue missing?), e.g. task " + *returned.begin());
    }
    to_send = std::move(nacked);
  }
  if (!to_send.empty()) {
    return Unavailable("amqp publish (" + connection_.Where() + "): broker nacked " +
                       std::to_string(to_send.size()) + " messages " + std::to_string(rounds) +
                       " times");
  }
  return Status::Ok();
}

}  // namespace pixfleet::amqp
