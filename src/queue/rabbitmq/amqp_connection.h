// amqp::Connection: one RAII librabbitmq connection (TCP or TLS socket, login, open channels),
// plus tiny helpers that wrap librabbitmq's C idioms (void* bytes, rpc replies) so that callers
// compile cleanly under -Wold-style-cast. A connection is NOT thread-safe: its owner serialises
// every call (RabbitMqTaskQueue guards each connection with a mutex). Once any call fails at the
// socket or protocol level the connection is marked broken and must be replaced: nothing here
// tries to resurrect it. Error messages name host, port and vhost, never the password.
//
// TLS (amqps://, options in the URL: amqp_url.h) runs on librabbitmq's OpenSSL socket, with
// verification done by OpenSSL during the handshake (SSL_VERIFY_PEER on the socket's SSL_CTX and
// the expected name in its X509_VERIFY_PARAM) rather than by librabbitmq's own checks: OpenSSL
// also matches IP-address subjectAltNames (amqps://10.0.0.5) and reports WHY a certificate was
// refused, which the message then carries. Without cacertfile the system CA store is loaded
// (librabbitmq alone would trust nothing).
//
// Failure classes (status.h). A certificate the client refuses (untrusted chain, wrong name,
// expired) and unusable local TLS files (cacertfile, certfile, keyfile) are kInvalidArgument:
// retrying the same connection cannot succeed until someone changes the configuration or the
// broker's certificate, so a command fails at once with the reason rather than backing off
// forever in a reconnect loop. Any other handshake failure (reset mid-handshake, a broker that
// is still starting, a TLS client on a plain port) stays kUnavailable, like a refused TCP
// connection: it cannot be told apart from a transient network fault.
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
#include "queue/rabbitmq/amqp_url.h"

namespace pixfleet::amqp {

// What the TLS callbacks of one connection share with it (amqp_connection.cc).
struct TlsState;

struct ConnectionOptions {
  std::chrono::seconds heartbeat{15};
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds rpc_timeout{10'000};
};

class Connection {
 public:
  // Connects to `url` (amqp[s]://user:password@host:port/vhost[?TLS options], amqp_url.h) and
  // opens channels 1..`channels`. kInvalidArgument for a malformed URL, a TLS verification or
  // configuration failure (see above), a refused login (403 ACCESS_REFUSED) or a vhost the
  // broker does not have or lets this user use (530 NOT_ALLOWED); kUnavailable when the broker
  // cannot be reached.
  static Result<std::unique_ptr<Connection>> Open(std::string_view url, int channels,
                                                  const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  amqp_connection_state_t State() { return state_; }
  bool Broken() const { return broken_; }
  void MarkBroken() { broken_ = true; }
  // "host:port/vhost": safe to log.
  const std::string& Where() const { return where_; }

  // Turns the last RPC reply into a Status (OK for a normal reply) and marks the connection
  // broken on any error. A channel-level 404 is kNotFound, 403/406/530 kInvalidArgument (a
  // refused login or vhost, a configuration conflict such as a queue redeclared with other
  // arguments); everything else is kUnavailable.
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
  Connection(amqp_connection_state_t state, std::string where);
  // Turns a failed socket open into a Status, naming the TLS reason when there is one.
  Status OpenFailure(int code);

  amqp_connection_state_t state_;
  // Outlives the socket's SSL_CTX, whose callbacks point at it; null for amqp://.
  std::unique_ptr<TlsState> tls_;
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

}  // namespace pixfleet::amqp
