// amqp::Connection: one RAII librabbitmq connection (TCP socket, login, open channels), plus tiny
// helpers that wrap librabbitmq's C idioms (void* bytes, rpc replies) so that callers compile
// cleanly under -Wold-style-cast. A connection is NOT thread-safe: its owner serialises every
// call (RabbitMqTaskQueue guards each connection with a mutex). Once any call fails at the
// socket or protocol level the connection is marked broken and must be replaced: nothing here
// tries to resurrect it. Error messages name host, port and vhost, never the password.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <amqp.h>

#include "core/status.h"

namespace pixfleet::amqp {

struct ConnectionOptions {
  std::chrono::seconds heartbeat{15};
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds rpc_timeout{10'000};
};

class Connection {
 public:
  // Connects to `url` (amqp://user:password@host:port/vhost) and opens channels 1..`channels`.
  // kInvalidArgument for a malformed URL, kUnavailable when the broker cannot be reached or
  // refuses the login.
  static Result<std::unique_ptr<Connection>> Open(std::string_view url, int channels,
                                                  const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  amqp_connection_state_t state() { return state_; }
  bool broken() const { return broken_; }
  void MarkBroken() { broken_ = true; }
  // "host:port/vhost": safe to log.
  const std::string& where() const { return where_; }

  // Turns the last RPC reply into a Status (OK for a normal reply) and marks the connection
  // broken on any error. A channel-level 404 is kNotFound, 403/406 kInvalidArgument (a
  // configuration conflict such as a queue redeclared with other arguments); everything else is
  // kUnavailable.
  Status CheckReply(const amqp_rpc_reply_t& reply, std::string_view context);
  Status CheckLastReply(std::string_view context) {
    return CheckReply(amqp_get_rpc_reply(state_), context);
  }
  // A librabbitmq status code (< 0 is an error) as a Status; marks the connection broken.
  Status CheckCode(int code, std::string_view context);

  // Sends a heartbeat frame: keeps the connection alive while its owner is busy elsewhere.
  Status SendHeartbeat();

  // Shuts the socket down without the closing handshake, as a crash or network fault would.
  void AbortForTesting();

 private:
  Connection(amqp_connection_state_t state, std::string where)
      : state_(state), where_(std::move(where)) {}

  amqp_connection_state_t state_;
  std::string where_;
  int channels_ = 0;
  bool broken_ = false;
};

// Views over librabbitmq's byte buffers. The amqp_bytes_t borrows `s`: keep it alive.
amqp_bytes_t Bytes(std::string_view s);
std::string ToString(amqp_bytes_t bytes);
// An integer header of any AMQP integer kind, or nullopt.
std::optional<int64_t> IntegerField(const amqp_field_value_t& value);
// Finds `key` in `table`, or nullptr.
const amqp_field_value_t* FindField(const amqp_table_t& table, std::string_view key);
// The URL without its user-info part, for messages.
std::string RedactUrl(std::string_view url);

}  // namespace pixfleet::amqp
