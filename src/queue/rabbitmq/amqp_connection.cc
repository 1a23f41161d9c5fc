// amqp::Connection: see amqp_connection.h.
#include "queue/rabbitmq/amqp_connection.h"

#include <vector>

#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace pixfleet::amqp {

struct TlsState {
  std::string expected_name;  // checked against the certificate; empty: no name check
  std::string sni;            // sent in the ClientHello; empty: none
  bool override_sni = false;  // replace librabbitmq's SNI (the URL's host) with `sni`
  std::string refusal;        // why OpenSSL refused the broker's certificate, if it did
};

namespace {

// Index 0 of SSL_CTX ex_data is what SSL_CTX_set_app_data uses (a macro with an old-style cast).
TlsState* StateOf(const SSL* ssl) {
  return static_cast<TlsState*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), 0));
}

// Remembers the first reason a certificate of the chain was refused; OpenSSL then fails the
// handshake and librabbitmq reports only "SSL handshake failed".
int RecordVerifyFailure(int preverify_ok, X509_STORE_CTX* store) {
  if (preverify_ok == 1) return 1;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  TlsState* state = ssl == nullptr ? nullptr : StateOf(ssl);
  if (state == nullptr || !state->refusal.empty()) return 0;
  const int error = X509_STORE_CTX_get_error(store);
  state->refusal = X509_verify_cert_error_string(error);
  if (error == X509_V_ERR_HOSTNAME_MISMATCH || error == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    state->refusal += ": it is not valid for '" + state->expected_name + "'";
  }
  if (X509* cert = X509_STORE_CTX_get_current_cert(store)) {
    char subject[256] = {};
    X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
    state->refusal += " (certificate " + std::string(subject) + ")";
  }
  return 0;
}

// Runs inside SSL_connect before the ClientHello is built: the one moment to change the SNI of
// an SSL object that librabbitmq creates and never exposes. OpenSSL passes it const; setting the
// host name there is what it is for.
void OverrideSni(const SSL* ssl, int where, int /*ret*/) {
  if ((where & SSL_CB_HANDSHAKE_START) == 0) return;
  const TlsState* state = StateOf(ssl);
  if (state == nullptr || !state->override_sni) return;
  SSL* mutable_ssl = const_cast<SSL*>(ssl);
  void* name = state->sni.empty() ? nullptr : const_cast<char*>(state->sni.c_str());
  SSL_ctrl(mutable_ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name);
}

// A password-protected key would otherwise make OpenSSL prompt on the terminal.
int NoKeyPassword(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return 0; }

// The first (root-cause) error of this thread's OpenSSL queue, which it then empties; "" when
// there is none.
std::string OpenSslError() {
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return "";
  char text[256] = {};
  ERR_error_string_n(first, text, sizeof(text));
  return text;
}

bool IsIpAddress(const std::string& host) {
  unsigned char address[16];
  return inet_pton(AF_INET, host.c_str(), address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), address) == 1;
}

// Applies the URL's TLS options to a fresh librabbitmq SSL socket.
Status ConfigureTls(amqp_socket_t* socket, const AmqpUrl& url, TlsState& state,
                    const std::string& where) {
  const TlsOptions& tls = url.tls_options;
  auto* ctx = static_cast<SSL_CTX*>(amqp_ssl_socket_get_context(socket));
  if (ctx == nullptr) return Internal("amqps: librabbitmq has no SSL context");
  auto fail = [&](const std::string& what) {
    return InvalidArgument("amqps (" + where + "): " + what + ": " + OpenSslError());
  };
  ERR_clear_error();
  SSL_CTX_set_ex_data(ctx, 0, &state);
  SSL_CTX_set_default_passwd_cb(ctx, &NoKeyPassword);
  if (!tls.ca_cert_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, tls.ca_cert_file.c_str(), nullptr) != 1) {
      return fail("cannot load cacertfile " + tls.ca_cert_file);
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return fail("cannot load the system CA store");
  }
  if (!tls.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
      return fail("cannot load certfile " + tls.cert_file);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      return fail("cannot load keyfile " + tls.key_file + " (unencrypted PEM, matching certfile)");
    }
  }
  // librabbitmq's own checks stay off: OpenSSL verifies during the handshake (see the header).
  amqp_ssl_socket_set_verify_hostname(socket, 0);
  amqp_ssl_socket_set_verify_peer(socket, 0);
  if (tls.verify_peer) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &RecordVerifyFailure);
    if (!tls.server_name_disabled) {
      state.expected_name = tls.server_name.empty() ? url.host : tls.server_name;
      X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int set = IsIpAddress(state.expected_name)
                          ? X509_VERIFY_PARAM_set1_ip_asc(param, state.expected_name.c_str())
                          : X509_VERIFY_PARAM_set1_host(param, state.expected_name.c_str(), 0);
      if (set != 1) return fail("cannot check the name '" + state.expected_name + "'");
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (tls.server_name_disabled || !tls.server_name.empty()) {
    state.override_sni = true;
    state.sni = tls.server_name;
    SSL_CTX_set_info_callback(ctx, &OverrideSni);
  }
  return Status::Ok();
}

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

Connection::Connection(amqp_connection_state_t state, std::string where)
    : state_(state), where_(std::move(where)) {}

Result<std::unique_ptr<Connection>> Connection::Open(std::string_view url, int channels,
                                                     const ConnectionOptions& options) {
  PIXFLEET_ASSIGN_OR_RETURN(const AmqpUrl info, ParseAmqpUrl(url));
  amqp_connection_state_t state = amqp_new_connection();
  if (state == nullptr) return Internal("amqp_new_connection failed");
  std::unique_ptr<Connection> connection(new Connection(state, info.Where()));
  // Broken until the socket is open: nothing to close politely before that.
  connection->broken_ = true;
  amqp_socket_t* socket = nullptr;
  if (info.tls) {
    socket = amqp_ssl_socket_new(state);
    if (socket == nullptr) return Internal("amqp_ssl_socket_new failed");
    connection->tls_ = std::make_unique<TlsState>();
    PIXFLEET_RETURN_IF_ERROR(ConfigureTls(socket, info, *connection->tls_, connection->where_));
  } else {
    socket = amqp_tcp_socket_new(state);
    if (socket == nullptr) return Internal("amqp_tcp_socket_new failed");
  }

  timeval connect_tv = ToTimeval(options.connect_timeout);
  const int opened = amqp_socket_open_noblock(socket, info.host.c_str(), info.port, &connect_tv);
  if (opened != AMQP_STATUS_OK) return connection->OpenFailure(opened);
  connection->broken_ = false;
  timeval rpc_tv = ToTimeval(options.rpc_timeout);
  amqp_set_handshake_timeout(state, &connect_tv);
  amqp_set_rpc_timeout(state, &rpc_tv);
  PIXFLEET_RETURN_IF_ERROR(connection->CheckReply(
      amqp_login(state, info.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE,
                 static_cast<int>(options.heartbeat.count()), AMQP_SASL_METHOD_PLAIN,
                 info.user.c_str(), info.password.c_str()),
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
  // The broker refuses this configuration (a login, a vhost, a queue's arguments) and will
  // refuse it again: stop and say so rather than reconnect for a minute.
  if (code == AMQP_ACCESS_REFUSED && context == "login") {
    return InvalidArgument(message + " (check the user and password in the URL)");
  }
  if (code == AMQP_NOT_ALLOWED) {
    return InvalidArgument(message +
                           " (the URL's vhost does not exist, or this user may not use it)");
  }
  if (code == AMQP_PRECONDITION_FAILED || code == AMQP_ACCESS_REFUSED) {
    return InvalidArgument(message);
  }
  return Unavailable(message);
}

Status Connection::OpenFailure(int code) {
  broken_ = true;
  const bool tls = tls_ != nullptr;
  std::string message = "amqp" + std::string(tls ? "s" : "") + " connect (" + where_ + "): ";
  if (tls && !tls_->refusal.empty()) {
    ERR_clear_error();
    return InvalidArgument(message + "the broker's TLS certificate was refused: " + tls_->refusal +
                           " (check cacertfile and server_name_indication in the URL)");
  }
  message += amqp_error_string2(code);
  if (code == AMQP_STATUS_SSL_PEER_VERIFY_FAILED ||
      code == AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED) {
    return InvalidArgument(message);
  }
  if (tls) {
    const std::string details = OpenSslError();
    if (!details.empty()) message += ": " + details;
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
