// Topology: see topology.h.
#include "queue/rabbitmq/topology.h"

#include <algorithm>

namespace pixfleet::amqp {
namespace {

amqp_table_entry_t Utf8Entry(const char* key, const std::string& value) {
  amqp_table_entry_t entry{};
  entry.key = amqp_cstring_bytes(key);
  entry.value.kind = AMQP_FIELD_KIND_UTF8;
  entry.value.value.bytes = Bytes(value);
  return entry;
}

amqp_table_entry_t IntEntry(const char* key, int64_t value) {
  amqp_table_entry_t entry{};
  entry.key = amqp_cstring_bytes(key);
  entry.value.kind = AMQP_FIELD_KIND_I64;
  entry.value.value.i64 = value;
  return entry;
}

Status DeclareQueue(Connection& connection, amqp_channel_t channel, const std::string& name,
                    std::vector<amqp_table_entry_t>& arguments) {
  amqp_table_t table{};
  table.num_entries = static_cast<int>(arguments.size());
  table.entries = arguments.data();
  amqp_queue_declare(connection.State(), channel, Bytes(name), /*passive=*/0, /*durable=*/1,
                     /*exclusive=*/0, /*auto_delete=*/0, table);
  return connection.CheckLastReply("queue.declare " + name);
}

}  // namespace

Topology Topology::ForName(const std::string& name, std::vector<int64_t> retry_delays_ms,
                           int delivery_limit) {
  std::sort(retry_delays_ms.begin(), retry_delays_ms.end());
  retry_delays_ms.erase(std::unique(retry_delays_ms.begin(), retry_delays_ms.end()),
                        retry_delays_ms.end());
  std::erase_if(retry_delays_ms, [](int64_t ms) { return ms <= 0; });
  return Topology{name, name + ".dead", std::move(retry_delays_ms), delivery_limit};
}

std::string Topology::RetryQueue(int64_t bucket_ms) const {
  return work + ".retry." + std::to_string(bucket_ms);
}

int64_t Topology::BucketFor(std::chrono::milliseconds delay) const {
  if (delay.count() <= 0 || retry_delays_ms.empty()) return 0;
  for (int64_t bucket : retry_delays_ms) {
    if (bucket >= delay.count()) return bucket;
  }
  return retry_delays_ms.back();
}

Status Declare(Connection& connection, amqp_channel_t channel, const Topology& topology) {
  const std::string quorum = "quorum";
  const std::string default_exchange;
  std::vector<amqp_table_entry_t> dead_args = {Utf8Entry("x-queue-type", quorum)};
  PIXFLEET_RETURN_IF_ERROR(DeclareQueue(connection, channel, topology.dead, dead_args));

  // RabbitMQ 3.10 dead-letters a quorum-queue message once it has been returned more than
  // x-delivery-limit times, i.e. after limit + 1 deliveries: limit - 1 allows `delivery_limit`.
  std::vector<amqp_table_entry_t> work_args = {
      Utf8Entry("x-queue-type", quorum),
      IntEntry("x-delivery-limit", std::max<int64_t>(topology.delivery_limit - 1, 0)),
      Utf8Entry("x-dead-letter-exchange", default_exchange),
      Utf8Entry("x-dead-letter-routing-key", topology.dead),
  };
  PIXFLEET_RETURN_IF_ERROR(DeclareQueue(connection, channel, topology.work, work_args));

  for (int64_t bucket : topology.retry_delays_ms) {
    std::vector<amqp_table_entry_t> retry_args = {
        IntEntry("x-message-ttl", bucket),
        Utf8Entry("x-dead-letter-exchange", default_exchange),
        Utf8Entry("x-dead-letter-routing-key", topology.work),
    };
    PIXFLEET_RETURN_IF_ERROR(
        DeclareQueue(connection, channel, topology.RetryQueue(bucket), retry_args));
  }
  return Status::Ok();
}

Result<int64_t> ReadyCount(Connection& connection, amqp_channel_t channel,
                           const std::string& queue) {
  amqp_queue_declare_ok_t* ok = amqp_queue_declare(connection.State(), channel, Bytes(queue),
                                                   /*passive=*/1, 0, 0, 0, amqp_empty_table);
  PIXFLEET_RETURN_IF_ERROR(connection.CheckLastReply("passive queue.declare " + queue));
  if (ok == nullptr) return Internal("queue.declare-ok without a body");
  return static_cast<int64_t>(ok->message_count);
}

Status Delete(Connection& connection, amqp_channel_t channel, const Topology& topology) {
  std::vector<std::string> names = {topology.work, topology.dead};
  for (int64_t bucket : topology.retry_delays_ms) names.push_back(topology.RetryQueue(bucket));
  for (const std::string& name : names) {
    amqp_queue_delete(connection.State(), channel, Bytes(name), 0, 0);
    PIXFLEET_RETURN_IF_ERROR(connection.CheckLastReply("queue.delete " + name));
  }
  return Status::Ok();
}

}  // namespace pixfleet::amqp
