// RabbitMqTaskQueue: see rabbitmq_task_queue.h.
#include "queue/rabbitmq/rabbitmq_task_queue.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <thread>

#include <amqp_framing.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include "queue/rabbitmq/socket_deadline.h"
#include "queue/rabbitmq/task_message.h"

namespace pixfleet {
namespace {

using std::chrono::milliseconds;

constexpr amqp_channel_t kPublishChannel = 1;
constexpr amqp_channel_t kAdminChannel = 2;
constexpr amqp_channel_t kBrowseChannel = 3;
constexpr amqp_channel_t kConsumeChannel = 1;
// How long one thread waits on the consumer socket before letting other threads use it. Short
// while leases are out, because an Ack that finds the socket busy is queued and sent by the
// waiter after its slice (a long slice would hold acks, and with them the prefetch window);
// long when nothing is leased, so an idle worker does not spin.
constexpr milliseconds kBusyWaitSlice{2};
constexpr milliseconds kIdleWaitSlice{50};

std::vector<int64_t> DelaysMs(const std::vector<milliseconds>& delays) {
  std::vector<int64_t> out;
  out.reserve(delays.size());
  for (milliseconds delay : delays) out.push_back(delay.count());
  return out;
}

std::string MakeToken(uint64_t generation, uint64_t tag) {
  return std::to_string(generation) + ":" + std::to_string(tag);
}

bool ParseToken(std::string_view token, uint64_t* generation, uint64_t* tag) {
  const size_t colon = token.find(':');
  if (colon == std::string_view::npos) return false;
  const char* begin = token.data();
  const auto g = std::from_chars(begin, begin + colon, *generation);
  const auto t = std::from_chars(begin + colon + 1, begin + token.size(), *tag);
  return g.ec == std::errc() && t.ec == std::errc() && t.ptr == begin + token.size();
}

Status ConnectionLost() {
  return Aborted("lease lost: its connection closed (the broker requeues unacked deliveries)");
}

timeval ToTimeval(std::chrono::microseconds us) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(us.count() / 1'000'000);
  tv.tv_usec = static_cast<suseconds_t>(us.count() % 1'000'000);
  return tv;
}

// The reason of the newest entry of an x-death header (an array of tables).
std::string DeathReason(const amqp_field_value_t& death) {
  if (death.kind != AMQP_FIELD_KIND_ARRAY || death.value.array.num_entries < 1) return "unknown";
  const amqp_field_value_t& first = death.value.array.entries[0];
  if (first.kind != AMQP_FIELD_KIND_TABLE) return "unknown";
  const amqp_field_value_t* reason = amqp::FindField(first.value.table, "reason");
  if (reason == nullptr) return "unknown";
  if (reason->kind == AMQP_FIELD_KIND_UTF8 || reason->kind == AMQP_FIELD_KIND_BYTES) {
    return amqp::ToString(reason->value.bytes);
  }
  return "unknown";
}

}  // namespace

struct RabbitMqTaskQueue::Link {
  Link(Clock& clock, const RabbitMqOptions& options)
      : backoff(clock, options.reconnect_backoff_min, options.reconnect_backoff_max) {}

  std::unique_ptr<amqp::Connection> connection;
  std::unique_ptr<amqp::ConfirmPublisher> confirms;
  amqp::ReconnectBackoff backoff;

  bool Usable() const { return connection != nullptr && !connection->Broken(); }

  // Backoff bookkeeping around one connection attempt made by `connect`.
  template <typename Connect>
  Status Reconnect(Connect connect) {
    if (Usable()) return Status::Ok();
    confirms.reset();
    connection.reset();
    if (!backoff.Ready()) {
      return Unavailable("amqp: reconnecting to the broker after " +
                         std::to_string(backoff.Failures()) + " failed attempts (backing off)");
    }
    Status status = connect();
    if (status.ok()) {
      backoff.Succeeded();
      return status;
    }
    confirms.reset();
    connection.reset();
    backoff.Failed();
    return status;
  }
};

RabbitMqTaskQueue::RabbitMqTaskQueue(std::string url, RabbitMqOptions options, Clock& clock)
    : url_(std::move(url)),
      options_(std::move(options)),
      topology_(amqp::Topology::ForName(options_.queue_name, DelaysMs(options_.retry_delays),
                                        options_.delivery_limit)),
      clock_(clock),
      publisher_(std::make_unique<Link>(clock, options_)),
      consumer_(std::make_unique<Link>(clock, options_)) {}

RabbitMqTaskQueue::~RabbitMqTaskQueue() = default;

Result<std::unique_ptr<RabbitMqTaskQueue>> RabbitMqTaskQueue::Open(std::string_view amqp_url,
                                                                   RabbitMqOptions options,
                                                                   Clock& clock) {
  PIXFLEET_RETURN_IF_ERROR(ValidateTaskQueueOptions(options));
  if (options.queue_name.empty()) return InvalidArgument("rabbitmq: empty queue name");
  if (options.prefetch < 1 || options.prefetch > 65535) {
    return InvalidArgument("rabbitmq: prefetch must be in [1, 65535]");
  }
  std::unique_ptr<RabbitMqTaskQueue> queue(
      new RabbitMqTaskQueue(std::string(amqp_url), std::move(options), clock));
  std::lock_guard<std::mutex> lock(queue->publish_mutex_);
  PIXFLEET_RETURN_IF_ERROR(queue->EnsurePublisher());
  return queue;
}

Status RabbitMqTaskQueue::EnsurePublisher() {
  return publisher_->Reconnect([this]() -> Status {
    amqp::ConnectionOptions connection_options{options_.heartbeat, options_.connect_timeout};
    PIXFLEET_ASSIGN_OR_RETURN(publisher_->connection,
                              amqp::Connection::Open(url_, 2, connection_options));
    PIXFLEET_RETURN_IF_ERROR(amqp::Declare(*publisher_->connection, kAdminChannel, topology_));
    publisher_->confirms =
        std::make_unique<amqp::ConfirmPublisher>(*publisher_->connection, kPublishChannel, clock_);
    return publisher_->confirms->Enable();
  });
}

Status RabbitMqTaskQueue::EnsureConsumer() {
  if (consumer_->Usable()) return Status::Ok();
  if (consumer_->connection != nullptr) {
    // Every lease of the lost connection is gone: the broker has requeued them.
    std::lock_guard<std::mutex> settle(settle_mutex_);
    outstanding_.clear();
    pending_acks_.clear();
  }
  return consumer_->Reconnect([this]() -> Status {
    amqp::ConnectionOptions connection_options{options_.heartbeat, options_.connect_timeout};
    PIXFLEET_ASSIGN_OR_RETURN(consumer_->connection,
                              amqp::Connection::Open(url_, 1, connection_options));
    amqp::Connection& connection = *consumer_->connection;
    // The consumer may be first: a worker can start before anything was published.
    PIXFLEET_RETURN_IF_ERROR(amqp::Declare(connection, kConsumeChannel, topology_));
    amqp_basic_qos(connection.State(), kConsumeChannel, 0, static_cast<uint16_t>(options_.prefetch),
                   0);
    PIXFLEET_RETURN_IF_ERROR(connection.CheckLastReply("basic.qos"));
    const amqp_basic_consume_ok_t* consuming = amqp_basic_consume(
        connection.State(), kConsumeChannel, amqp::Bytes(topology_.work), amqp_empty_bytes,
        /*no_local=*/0, /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
    PIXFLEET_RETURN_IF_ERROR(connection.CheckLastReply("basic.consume " + topology_.work));
    consumer_tag_ = amqp::ToString(consuming->consumer_tag);
    std::lock_guard<std::mutex> settle(settle_mutex_);
    ++generation_;
    outstanding_.clear();
    pending_acks_.clear();
    return Status::Ok();
  });
}

Status RabbitMqTaskQueue::PublishMessages(std::span<const amqp::OutgoingMessage> messages) {
  std::lock_guard<std::mutex> lock(publish_mutex_);
  // A connection that died since the last call (broker restart) is noticed only when used:
  // then reconnect once and publish everything again (unconfirmed messages may be duplicated).
  for (int attempt = 0;; ++attempt) {
    PIXFLEET_RETURN_IF_ERROR(EnsurePublisher());
    Status status = publisher_->confirms->PublishAll(messages, options_.publish_timeout,
                                                     options_.publish_rounds);
    if (status.ok() || attempt > 0 || !publisher_->connection->Broken()) return status;
  }
}

Status RabbitMqTaskQueue::Publish(std::span<const TaskSpec> tasks) {
  std::vector<amqp::OutgoingMessage> messages;
  messages.reserve(tasks.size());
  for (const TaskSpec& task : tasks) {
    if (task.task_id.empty()) return InvalidArgument("task without an id");
    messages.push_back(
        amqp::OutgoingMessage{topology_.work, task.task_id, amqp::EncodeTask(task), 0, ""});
  }
  if (messages.empty()) return Status::Ok();
  return PublishMessages(messages);
}

Result<std::optional<Lease>> RabbitMqTaskQueue::AcceptDeliveryLocked(amqp_envelope_t& envelope) {
  amqp::Connection& connection = *consumer_->connection;
  const uint64_t tag = envelope.delivery_tag;
  amqp::Delivery delivery = amqp::ReadDelivery(envelope.message);
  amqp_destroy_envelope(&envelope);
  if (!delivery.task.ok()) {
    // Not a task at all: to the dead-letter queue (via the DLX), said and counted.
    PIXFLEET_RETURN_IF_ERROR(connection.CheckCode(
        amqp_basic_reject(connection.State(), kConsumeChannel, tag, /*requeue=*/0),
        "basic.reject"));
    ReportMalformed(delivery);
    return std::optional<Lease>();
  }
  Lease lease;
  {
    std::lock_guard<std::mutex> settle(settle_mutex_);
    outstanding_.insert(tag);
    lease.token = MakeToken(generation_, tag);
  }
  lease.task = std::move(delivery.task).value();
  lease.attempt = static_cast<int>(delivery.prior_attempts + delivery.delivery_count + 1);
  lease.expires_ms = clock_.NowMillis() + options_.lease_duration.count();
  return std::optional<Lease>(std::move(lease));
}

Result<std::optional<Lease>> RabbitMqTaskQueue::LeaseNext(milliseconds max_wait) {
  amqp::SocketDeadline deadline(clock_, max_wait);
  bool reconnected = false;  // a connection found dead is replaced once per call
  while (true) {
    {
      std::lock_guard<std::mutex> lock(consume_mutex_);
      if (receiving_stopped_) {
        // Not an error: a worker's other slots may still be in here when it stops leasing.
        // Deliveries kept by StopReceiving died with their connection, if it was lost.
        if (received_.empty() || !consumer_->Usable()) return std::optional<Lease>();
        Lease kept = std::move(received_.front());
        received_.pop_front();
        return std::optional<Lease>(std::move(kept));
      }
      PIXFLEET_RETURN_IF_ERROR(EnsureConsumer());
      amqp::Connection& connection = *consumer_->connection;
      // While this thread waits on the socket, other threads' Acks are queued; they are sent
      // when the wait ends, on every way out of this block.
      const WaitingOnConsumer waiting(*this);
      amqp_maybe_release_buffers(connection.State());
      const milliseconds slice = waiting.LeasesOut() ? kBusyWaitSlice : kIdleWaitSlice;
      timeval tv = ToTimeval(deadline.BeginWait(slice));
      amqp_envelope_t envelope;
      const amqp_rpc_reply_t reply = amqp_consume_message(connection.State(), &envelope, &tv, 0);
      if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
        PIXFLEET_ASSIGN_OR_RETURN(std::optional<Lease> lease, AcceptDeliveryLocked(envelope));
        if (!lease.has_value()) continue;  // not a task: rejected
        return lease;
      }
      if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
          reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        // Not a delivery: read the frame. A close or a basic.cancel (queue deleted) ends the
        // consumer; anything else is ignored.
        amqp_frame_t frame;
        PIXFLEET_RETURN_IF_ERROR(connection.CheckCode(
            amqp_simple_wait_frame(connection.State(), &frame), "reading a frame"));
        if (frame.frame_type == AMQP_FRAME_METHOD &&
            (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
             frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
             frame.payload.method.id == AMQP_BASIC_CANCEL_METHOD)) {
          connection.MarkBroken();
          return Unavailable("amqp (" + connection.Where() + "): the broker ended the consumer");
        }
      } else if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
                 reply.library_error == AMQP_STATUS_TIMEOUT) {
        deadline.WaitedOut();
      } else {
        Status status = connection.CheckReply(reply, "basic.consume");
        if (reconnected) return status;
        reconnected = true;
        continue;
      }
    }
    if (deadline.Passed()) return std::optional<Lease>();
  }
}

void RabbitMqTaskQueue::ReportMalformed(const amqp::Delivery& delivery) const {
  const MalformedMessage message{delivery.message_id, delivery.size,
                                 std::string(delivery.task.error().message())};
  spdlog::warn(
      "queue {}: dead-lettered a message that is not a pixfleet task (message id {}, {} bytes): "
      "{}",
      topology_.work, message.message_id.empty() ? "none" : message.message_id, message.size,
      message.reason);
  if (options_.observer != nullptr) options_.observer->OnMalformedMessage(message);
}

int64_t RabbitMqTaskQueue::LeasedCount() {
  std::lock_guard<std::mutex> settle(settle_mutex_);
  return static_cast<int64_t>(outstanding_.size());
}

Status RabbitMqTaskQueue::CheckLeaseLocked(const Lease& lease, uint64_t* tag) {
  if (!consumer_->Usable()) return ConnectionLost();
  std::lock_guard<std::mutex> settle(settle_mutex_);
  return CheckLeaseSettleLocked(lease, tag);
}

Status RabbitMqTaskQueue::CheckLeaseSettleLocked(const Lease& lease, uint64_t* tag) const {
  uint64_t generation = 0;
  if (!ParseToken(lease.token, &generation, tag)) return Aborted("not a rabbitmq lease token");
  if (generation != generation_ || !outstanding_.contains(*tag)) {
    return Aborted(
        "lease lost: its delivery was settled or its connection closed (the broker "
        "requeues unacked deliveries)");
  }
  return Status::Ok();
}

Status RabbitMqTaskQueue::FlushAcksLocked(bool end_wait) {
  std::vector<uint64_t> tags;
  uint64_t lowest_unsettled = UINT64_MAX;
  {
    std::lock_guard<std::mutex> settle(settle_mutex_);
    // From here on an Ack sends its own (it cannot be left in pending_acks_ unseen).
    if (end_wait) waiting_ = false;
    tags.swap(pending_acks_);
    if (!outstanding_.empty()) lowest_unsettled = *outstanding_.begin();
  }
  if (tags.empty()) return Status::Ok();
  if (!consumer_->Usable()) return ConnectionLost();
  amqp::Connection& connection = *consumer_->connection;
  std::sort(tags.begin(), tags.end());
  // Every delivery below the lowest one still leased is settled or in `tags`, so one ack with
  // `multiple` covers the run below it (one frame, and one settlement in the quorum queue's
  // log instead of one per message); the rest go one by one.
  const auto below = std::lower_bound(tags.begin(), tags.end(), lowest_unsettled);
  Status sent = Status::Ok();
  if (below != tags.begin()) {
    sent = connection.CheckCode(
        amqp_basic_ack(connection.State(), kConsumeChannel, *(below - 1), /*multiple=*/1),
        "basic.ack");
  }
  for (auto it = below; sent.ok() && it != tags.end(); ++it) {
    sent = connection.CheckCode(
        amqp_basic_ack(connection.State(), kConsumeChannel, *it, /*multiple=*/0), "basic.ack");
  }
  // The broker requeues whatever an ack lost with the connection did not settle.
  return sent.ok() ? sent : Aborted(sent.message());
}

Status RabbitMqTaskQueue::QueueAckSettleLocked(const Lease& lease) {
  uint64_t tag = 0;
  PIXFLEET_RETURN_IF_ERROR(CheckLeaseSettleLocked(lease, &tag));
  outstanding_.erase(tag);
  pending_acks_.push_back(tag);
  return Status::Ok();
}

Status RabbitMqTaskQueue::AckLocked(const Lease& lease) {
  if (!consumer_->Usable()) return ConnectionLost();
  {
    std::lock_guard<std::mutex> settle(settle_mutex_);
    PIXFLEET_RETURN_IF_ERROR(QueueAckSettleLocked(lease));
  }
  return FlushAcksLocked(/*end_wait=*/false);
}

RabbitMqTaskQueue::WaitingOnConsumer::WaitingOnConsumer(RabbitMqTaskQueue& queue) : queue_(queue) {
  std::lock_guard<std::mutex> settle(queue_.settle_mutex_);
  queue_.waiting_ = true;
  leases_out_ = !queue_.outstanding_.empty();
}

RabbitMqTaskQueue::WaitingOnConsumer::~WaitingOnConsumer() {
  // A failure means the connection broke: the next call notices and reconnects, and the broker
  // requeues what the lost acks did not settle.
  static_cast<void>(queue_.FlushAcksLocked(/*end_wait=*/true));
}

Status RabbitMqTaskQueue::Heartbeat(Lease& lease) {
  std::lock_guard<std::mutex> lock(consume_mutex_);
  uint64_t tag = 0;
  PIXFLEET_RETURN_IF_ERROR(CheckLeaseLocked(lease, &tag));
  Status sent = consumer_->connection->SendHeartbeat();
  if (!sent.ok()) return Aborted(sent.message());
  lease.expires_ms = clock_.NowMillis() + options_.lease_duration.count();
  return Status::Ok();
}

Status RabbitMqTaskQueue::Ack(const Lease& lease) {
  {
    std::lock_guard<std::mutex> settle(settle_mutex_);
    if (waiting_) {
      // Another thread is waiting on the consumer socket (for at most kBusyWaitSlice): queue
      // the ack; that thread sends it when its wait ends.
      return QueueAckSettleLocked(lease);
    }
  }
  std::lock_guard<std::mutex> lock(consume_mutex_);
  return AckLocked(lease);
}

Status RabbitMqTaskQueue::Settle(const Lease& lease, amqp::OutgoingMessage copy) {
  {
    std::lock_guard<std::mutex> lock(consume_mutex_);
    uint64_t tag = 0;
    PIXFLEET_RETURN_IF_ERROR(CheckLeaseLocked(lease, &tag));
    // A write probes the connection: a lease already lost is not copied (a connection that
    // dies after this point still leaves a duplicate, see the header).
    Status alive = consumer_->connection->SendHeartbeat();
    if (!alive.ok()) return Aborted(alive.message());
  }
  PIXFLEET_RETURN_IF_ERROR(PublishMessages({&copy, 1}));
  std::lock_guard<std::mutex> lock(consume_mutex_);
  return AckLocked(lease);
}

Status RabbitMqTaskQueue::Retry(const Lease& lease, milliseconds delay, std::string_view reason) {
  const int64_t bucket = topology_.BucketFor(delay);
  const std::string target = bucket == 0 ? topology_.work : topology_.RetryQueue(bucket);
  return Settle(lease,
                amqp::OutgoingMessage{target, lease.task.task_id, amqp::EncodeTask(lease.task),
                                      lease.attempt, std::string(reason)});
}

Status RabbitMqTaskQueue::DeadLetter(const Lease& lease, std::string_view reason) {
  return Settle(lease,
                amqp::OutgoingMessage{
                    topology_.dead, lease.task.task_id, amqp::EncodeTask(lease.task), lease.attempt,
                    reason.empty() ? std::string("dead-lettered") : std::string(reason)});
}

amqp::OutgoingMessage RabbitMqTaskQueue::ReleaseCopy(const Lease& lease) const {
  // A copy that says this delivery did not happen: the next one has the same attempt number
  // (prior attempts + the copy's own x-delivery-count 0 + 1). See the header for why not nack.
  return amqp::OutgoingMessage{topology_.work, lease.task.task_id, amqp::EncodeTask(lease.task),
                               lease.attempt - 1, ""};
}

Status RabbitMqTaskQueue::Release(const Lease& lease, std::string_view /*reason*/) {
  return Settle(lease, ReleaseCopy(lease));
}

Result<std::vector<Lease>> RabbitMqTaskQueue::CancelConsumerLocked() {
  amqp::Connection& connection = *consumer_->connection;
  // An RPC: librabbitmq keeps the deliveries that arrive before its cancel-ok as queued frames,
  // and the broker sends none after it, so reading without waiting finds every one.
  amqp_basic_cancel(connection.State(), kConsumeChannel, amqp::Bytes(consumer_tag_));
  PIXFLEET_RETURN_IF_ERROR(connection.CheckLastReply("basic.cancel"));
  std::vector<Lease> unleased;
  while (true) {
    timeval no_wait{};
    amqp_envelope_t envelope;
    const amqp_rpc_reply_t reply = amqp_consume_message(connection.State(), &envelope, &no_wait, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      PIXFLEET_ASSIGN_OR_RETURN(std::optional<Lease> lease, AcceptDeliveryLocked(envelope));
      if (lease.has_value()) unleased.push_back(std::move(*lease));
    } else if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
               reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      // Not a delivery (e.g. connection.blocked): skip it.
      amqp_frame_t frame;
      PIXFLEET_RETURN_IF_ERROR(connection.CheckCode(
          amqp_simple_wait_frame(connection.State(), &frame), "reading a frame"));
    } else if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
               reply.library_error == AMQP_STATUS_TIMEOUT) {
      return unleased;  // nothing more was received
    } else {
      return connection.CheckReply(reply, "reading the deliveries before basic.cancel-ok");
    }
  }
}

Status RabbitMqTaskQueue::StopReceivingLocked() {
  if (receiving_stopped_) return Status::Ok();
  receiving_stopped_ = true;
  // Never consumed, or the connection is lost: the broker holds nothing for this object.
  if (!consumer_->Usable()) return Status::Ok();
  PIXFLEET_ASSIGN_OR_RETURN(std::vector<Lease> unleased, CancelConsumerLocked());
  received_.assign(std::make_move_iterator(unleased.begin()),
                   std::make_move_iterator(unleased.end()));
  return Status::Ok();
}

Status RabbitMqTaskQueue::StopReceiving() {
  std::lock_guard<std::mutex> lock(consume_mutex_);
  return StopReceivingLocked();
}

Status RabbitMqTaskQueue::StopLeasing() {
  std::vector<Lease> unleased;
  {
    std::lock_guard<std::mutex> lock(consume_mutex_);
    PIXFLEET_RETURN_IF_ERROR(StopReceivingLocked());
    // With the connection lost, the broker has requeued them itself.
    if (consumer_->Usable()) {
      unleased.assign(std::make_move_iterator(received_.begin()),
                      std::make_move_iterator(received_.end()));
    }
    received_.clear();
  }
  if (unleased.empty()) return Status::Ok();
  std::vector<amqp::OutgoingMessage> copies;
  copies.reserve(unleased.size());
  for (const Lease& lease : unleased) copies.push_back(ReleaseCopy(lease));
  PIXFLEET_RETURN_IF_ERROR(PublishMessages(copies));
  std::lock_guard<std::mutex> lock(consume_mutex_);
  Status acked = Status::Ok();
  for (const Lease& lease : unleased) {
    Status status = AckLocked(lease);
    if (acked.ok()) acked = status;
  }
  return acked;
}

Result<QueueDepth> RabbitMqTaskQueue::ReadCountsLocked() {
  QueueDepth depth;
  PIXFLEET_RETURN_IF_ERROR(EnsurePublisher());
  amqp::Connection& connection = *publisher_->connection;
  PIXFLEET_ASSIGN_OR_RETURN(depth.ready,
                            amqp::ReadyCount(connection, kAdminChannel, topology_.work));
  for (int64_t bucket : topology_.retry_delays_ms) {
    PIXFLEET_ASSIGN_OR_RETURN(
        int64_t delayed, amqp::ReadyCount(connection, kAdminChannel, topology_.RetryQueue(bucket)));
    depth.delayed += delayed;
  }
  PIXFLEET_ASSIGN_OR_RETURN(depth.dead,
                            amqp::ReadyCount(connection, kAdminChannel, topology_.dead));
  return depth;
}

Result<QueueDepth> RabbitMqTaskQueue::Depth() {
  Result<QueueDepth> counts = Status(StatusCode::kInternal, "not read");
  {
    std::lock_guard<std::mutex> lock(publish_mutex_);
    counts = ReadCountsLocked();
    // An idle publisher connection may have been closed by the broker: reconnect once.
    if (!counts.ok() && !publisher_->Usable()) counts = ReadCountsLocked();
  }
  PIXFLEET_RETURN_IF_ERROR(counts.status());
  QueueDepth depth = *counts;
  std::lock_guard<std::mutex> lock(consume_mutex_);
  depth.leased = consumer_->Usable() ? LeasedCount() : 0;
  return depth;
}

Result<std::vector<DeadTask>> RabbitMqTaskQueue::ListDead(int limit) {
  std::lock_guard<std::mutex> lock(publish_mutex_);
  PIXFLEET_RETURN_IF_ERROR(EnsurePublisher());
  amqp::Connection& connection = *publisher_->connection;
  amqp_channel_open(connection.State(), kBrowseChannel);
  PIXFLEET_RETURN_IF_ERROR(connection.CheckLastReply("channel.open"));
  std::vector<DeadTask> dead;
  Status status;
  while (static_cast<int>(dead.size()) < limit) {
    const amqp_rpc_reply_t reply = amqp_basic_get(connection.State(), kBrowseChannel,
                                                  amqp::Bytes(topology_.dead), /*no_ack=*/0);
    status = connection.CheckReply(reply, "basic.get " + topology_.dead);
    if (!status.ok() || reply.reply.id != AMQP_BASIC_GET_OK_METHOD) break;
    amqp_message_t message;
    status = connection.CheckReply(
        amqp_read_message(connection.State(), kBrowseChannel, &message, 0), "reading a message");
    if (!status.ok()) break;
    DeadTask task;
    amqp::Delivery delivery = amqp::ReadDelivery(message);
    if (delivery.task.ok()) task.task = *delivery.task;
    task.reason = delivery.reason;
    task.attempts = static_cast<int>(delivery.prior_attempts);
    const amqp_field_value_t* death = nullptr;
    if (message.properties._flags & AMQP_BASIC_HEADERS_FLAG) {
      death = amqp::FindField(message.properties.headers, "x-death");
    }
    if (death != nullptr) {
      // Dead-lettered by the broker: x-death[0].reason is "delivery_limit", or "rejected" for a
      // message that was not a task.
      const std::string why = DeathReason(*death);
      task.reason = why == "delivery_limit"
                        ? DeliveryLimitReason(options_.delivery_limit, task.reason)
                        : "dead-lettered by the broker (" + why + ")";
      // The broker restarts the count in <name>.dead (x-delivery-count 0 there): a task it
      // dead-lettered for the limit was delivered delivery_limit times since its last publish.
      task.attempts = static_cast<int>(
          delivery.prior_attempts +
          (why == "delivery_limit" ? options_.delivery_limit : delivery.delivery_count + 1));
    }
    amqp_destroy_message(&message);
    dead.push_back(std::move(task));
  }
  if (!connection.Broken()) {
    // Closing the channel returns every message it got to the queue.
    amqp_channel_close(connection.State(), kBrowseChannel, AMQP_REPLY_SUCCESS);
    PIXFLEET_RETURN_IF_ERROR(connection.CheckLastReply("channel.close"));
  }
  PIXFLEET_RETURN_IF_ERROR(status);
  return dead;
}

Status RabbitMqTaskQueue::DeleteQueues() {
  {
    std::lock_guard<std::mutex> lock(consume_mutex_);
    consumer_->confirms.reset();
    consumer_->connection.reset();
    std::lock_guard<std::mutex> settle(settle_mutex_);
    outstanding_.clear();
    pending_acks_.clear();
  }
  std::lock_guard<std::mutex> lock(publish_mutex_);
  PIXFLEET_RETURN_IF_ERROR(EnsurePublisher());
  return amqp::Delete(*publisher_->connection, kAdminChannel, topology_);
}

void RabbitMqTaskQueue::DropConsumerConnectionForTesting() {
  std::lock_guard<std::mutex> lock(consume_mutex_);
  if (consumer_->connection != nullptr) consumer_->connection->AbortForTesting();
}

void RabbitMqTaskQueue::DropConnectionsForTesting() {
  DropConsumerConnectionForTesting();
  std::lock_guard<std::mutex> lock(publish_mutex_);
  if (publisher_->connection != nullptr) publisher_->connection->AbortForTesting();
}

}  // namespace pixfleet
