// ManagementApiCounts: a queue's message counts from the RabbitMQ management HTTP API
// (GET <api_url>/api/queues/<vhost>/<queue>), the numbers KEDA's RabbitMQ scaler reads in
// "http" mode: messages_ready + messages_unacknowledged. Unlike a passive queue.declare it sees
// unacknowledged (in-flight) messages of every consumer. The API refreshes its statistics every
// few seconds (collect_statistics_interval, 5 s by default), so the counts lag the queue.
// api_url is "http(s)://user:password@host:port[?TLS options]"; over https the server's
// certificate is verified (system CA store by default), with the TLS query parameters of
// amqps:// URLs (amqp_url.h): cacertfile, certfile, keyfile, verify=verify_peer|verify_none
// (server_name_indication is refused: curl has no equivalent here). Messages never include the
// password.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace pixfleet {

struct QueueCounts {
  int64_t ready = 0;           // messages_ready
  int64_t unacknowledged = 0;  // messages_unacknowledged
  // message_stats.publish_details.rate: messages published per second, averaged by the API over
  // its last sample interval; 0 before anything was published (the API then omits it).
  double publish_rate = 0;
  friend bool operator==(const QueueCounts&, const QueueCounts&) = default;
};

// kNotFound when the queue does not exist, kUnavailable when the API cannot be reached or
// answers with a server error, kInvalidArgument for a bad URL, refused credentials, or a
// certificate refused or unreadable (as for amqps://: retrying will not fix it).
Result<QueueCounts> ManagementApiCounts(
    std::string_view api_url, std::string_view queue, std::string_view vhost = "/",
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000));

}  // namespace pixfleet
