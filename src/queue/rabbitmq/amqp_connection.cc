// amqp::Connection: see amqp_connection.h.
#include "queue/rabbitmq/amqp_connection.h"

#include <vector>

#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace pixfleet::amqp {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string ServerMessage(const amqp_rpc_reply_t& reply, int* code) {
  *code = 0;
  if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
    *code = close->reply_code;
    return "connection closed by broker: " + ToString(close->reply_text);
  }
  if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
    *code = close->reply_code;
    return "channel closed by broker: " + ToString(close->reply_text);
  }
  return "unexpected broker reply";
}

}  // namespace

amqp_bytes_t Bytes(std::string_view s) {
  amqp_bytes_t bytes;
  bytes.len = s.size();
  bytes.bytes = const_cast<char*>(s.data());
  return bytes;
}

std::string ToString(amqp_bytes_t bytes) {
  if (bytes.len == 0 || bytes.bytes == nullptr) return {};
  return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

std::optional<int64_t> IntegerField(const amqp_field_value_t& value) {
  switch (value.kind) {
    case AMQP_FIELD_KIND_I8:
      return value.value.i8;
    case AMQP_FIELD_KIND_U8:
      return value.value.u8;
    case AMQP_FIELD_KIND_I16:
      return value.value.i16;
    case AMQP_FIELD_KIND_U16:
      return value.value.u16;
    case AMQP_FIELD_KIND_I32:
      return value.value.i32;
    case AMQP_FIELD_KIND_U32:
      return value.value.u32;
    case AMQP_FIELD_KIND_I64:
      return value.value.i64;
    case AMQP_FIELD_KIND_U64:
      return static_cast<int64_t>(value.value.u64);
    default:
      return std::nullopt;
  }
}

const amqp_field_value_t* FindField(const amqp_table_t& table, std::string_view key) {
  for (int i = 0; i < table.num_entries; ++i) {
    const amqp_table_entry_t& entry = table.entries[i];
    if (ToString(entry.key) == key) return &entry.value;
  }
  return nullptr;
}

std::string RedactUrl(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t at = url.find('@', start);
  const size_t slash = url.find('/', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  return std::string(url.substr(0, start)) + std::string(url.substr(at + 1));
}

Result<std::unique_ptr<Connection>> Connection::Open(std::string_view url, int channels,
                                                     const ConnectionOptions& options) {
  std::vector<char> buffer(url.begin(), url.end());
  buffer.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    return InvalidArgument("malformed AMQP URL: " + RedactUrl(url));
  }
  if (info.ssl) return InvalidArgument("amqps:// is not supported yet");
  const std::string vhost = info.vhost;
  const std::string where = std::string(info.host) + ":" + std::to_string(info.port) +
                            (vhost.starts_with('/') ? vhost : "/" + vhost);

  amqp_connection_state_t state = amqp_new_connection();
  if (state == nullptr) return Internal("amqp_new_connection failed");
  std::unique_ptr<Connection> connection(new Connection(state, where));
  amqp_socket_t* socket = amqp_tcp_socket_new(state);
  if (socket == nullptr) return Internal("amqp_tcp_socket_new failed");

  timeval connect_tv = ToTimeval(options.connect_timeout);
  PIXFLEET_RETURN_IF_ERROR(connection->CheckCode(
      amqp_socket_open_noblock(socket, info.host, info.port, &connect_tv), "connect"));
  timeval rpc_tv = ToTimeval(options.rpc_timeout);
  amqp_set_handshake_timeout(state, &connect_tv);
  amqp_set_rpc_timeout(state, &rpc_tv);
  PIXFLEET_RETURN_IF_ERROR(
      connection->CheckReply(amqp_login(state, info.vhost, 0, AMQP_DEFAULT_FRAME_SIZE,
                                        static_cast<int>(options.heartbeat.count()),
                                        AMQP_SASL_METHOD_PLAIN, info.user, info.password),
                             "login"));
  for (int channel = 1; channel <= channels; ++channel) {
    amqp_channel_open(state, static_cast<amqp_channel_t>(channel));
    PIXFLEET_RETURN_IF_ERROR(connection->CheckLastReply("channel.open"));
    connection->channels_ = channel;
  }
  return connection;
}

Connection::~Connection() {
  if (!broken_) {
    for (int channel = channels_; channel >= 1; --channel) {
      amqp_channel_close(state_, static_cast<amqp_channel_t>(channel), AMQP_REPLY_SUCCESS);
    }
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(state_);
}

Status Connection::CheckReply(const amqp_rpc_reply_t& reply, std::string_view context) {
  std::string message;
  int code = 0;
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return Status::Ok();
    case AMQP_RESPONSE_NONE:
      message = "no reply from broker";
      break;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      message = amqp_error_string2(reply.library_error);
      break;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      message = ServerMessage(reply, &code);
      break;
  }
  broken_ = true;
  message = "amqp " + std::string(context) + " (" + where_ + "): " + message;
  if (code == AMQP_NOT_FOUND) return NotFound(message);
  if (code == AMQP_PRECONDITION_FAILED || code == AMQP_ACCESS_REFUSED) {
    return InvalidArgument(message);
  }
  return Unavailable(message);
}

Status Connection::CheckCode(int code, std::string_view context) {
  if (code >= 0) return Status::Ok();
  broken_ = true;
  return Unavailable("amqp " + std::string(context) + " (" + where_ +
                     "): " + amqp_error_string2(code));
}

Status Connection::SendHeartbeat() {
  amqp_frame_t frame{};
  frame.frame_type = AMQP_FRAME_HEARTBEAT;
  frame.channel = 0;
  return CheckCode(amqp_send_frame(state_, &frame), "heartbeat");
}

void Connection::AbortForTesting() {
  amqp_socket_t* socket = amqp_get_socket(state_);
  if (socket != nullptr) shutdown(amqp_socket_get_sockfd(socket), SHUT_RDWR);
}

}  // namespace pixfleet::amqp
