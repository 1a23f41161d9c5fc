// AMQP URLs as the RabbitMQ backend accepts them:
//   amqp://user:password@host:port/vhost            (port 5672 by default)
//   amqps://user:password@host:port/vhost?TLS-OPTIONS (port 5671 by default)
// user, password and vhost are percent-decoded ("%2f" is the vhost "/"); defaults follow
// RabbitMQ's URI spec (guest/guest@localhost, vhost "/" when the path is absent).
//
// TLS options are query parameters named as in RabbitMQ's URI query-parameter spec
// (https://www.rabbitmq.com/uri-query-parameters.html), values percent-decoded:
//   cacertfile=PATH     CA certificates (PEM) to trust; absent: the system CA store
//   certfile=PATH       client certificate (PEM), for brokers that ask for one
//   keyfile=PATH        its private key (PEM, unencrypted); absent: read from certfile
//   verify=verify_peer  (default) the broker's chain must lead to a trusted CA and its
//                       certificate must name the host | verify=verify_none: encryption only
//   server_name_indication=NAME  the name sent in SNI and checked against the certificate
//                       instead of the URL's host (connect by address, verify by name);
//                       "disable": no SNI and no name check (the chain is still verified)
// Any other parameter is kInvalidArgument (a mistyped "cacert=" silently falling back to the
// system store would fail later with a misleading message), and so are TLS options on amqp://.
// `queue=` belongs to the composition root (wiring/backends.cc), which removes it first with
// TakeQueryParameter. Pure functions, no I/O: files are read when the connection opens.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace pixfleet::amqp {

struct TlsOptions {
  std::string ca_cert_file;  // empty: the system CA store
  std::string cert_file;     // empty: no client certificate
  std::string key_file;      // empty: cert_file (when cert_file is set)
  bool verify_peer = true;
  // The name sent in SNI and verified; empty: the URL's host.
  std::string server_name;
  bool server_name_disabled = false;
  friend bool operator==(const TlsOptions&, const TlsOptions&) = default;
};

struct AmqpUrl {
  bool tls = false;
  std::string user = "guest";
  std::string password = "guest";
  std::string host = "localhost";
  int port = 5672;
  std::string vhost = "/";
  TlsOptions tls_options;  // meaningful only when tls

  // "host:port/vhost": names the broker in messages, never the credentials.
  std::string Where() const;
};

// kInvalidArgument (the message shows the URL without its password) for a malformed URL, one
// whose user-info can be read more than one way (an unencoded '@', ':' or '/' in the password,
// which librabbitmq would split differently), an unknown query parameter, a bad verify= value, TLS
// options on amqp://, or keyfile without certfile.
Result<AmqpUrl> ParseAmqpUrl(std::string_view url);

// The TLS options of a query string ("cacertfile=%2Fetc%2Fca.pem&verify=verify_peer", without
// the '?'), with the same rules and messages as ParseAmqpUrl; `url_for_messages` must already be
// redacted. Also used for the management API's https URLs. Sets *any_given when not null.
Result<TlsOptions> ParseTlsParameters(std::string_view query, std::string_view url_for_messages,
                                      bool* any_given = nullptr);

// Removes every `name=value` query parameter from `url`; returns the URL without them and the
// percent-decoded value of the last one (nullopt when absent). The other parameters keep their
// order; the '?' goes when none is left.
std::pair<std::string, std::optional<std::string>> TakeQueryParameter(std::string_view url,
                                                                      std::string_view name);

// The URL with its password masked ("amqps://u:****@h/v?x"), for messages: core/redact.h's
// RedactSecrets, the one rule for every connection string (the management API's too).
std::string RedactUrl(std::string_view url);

}  // namespace pixfleet::amqp
