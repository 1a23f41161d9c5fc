// Where a KEDA rabbitmq trigger's queue lives, from its `host` (or the variable `hostFromEnv`
// names) and `vhostName`, read as KEDA's RabbitMQ scaler reads them:
//   * amqp[s]://user:pass@host:port/vhost: the AMQP URL to open; vhostName, when set, replaces
//     the URL's vhost (its path).
//   * http[s]://user:pass@host:port[/prefix...]/vhost: the management API's base URL (scheme,
//     authority, any path prefix before the last segment, and the query, which holds TLS
//     options) and the vhost, which is the last path segment, percent-decoded; "" or none is
//     "/". vhostName, when set, overrides it.
// Pure; the results hold credentials: only ever show them through core/redact.h.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pixfleet {

struct ManagementApiLocation {
  std::string api_url;  // http(s)://user:pass@host:port[/prefix][?query]
  std::string vhost;    // decoded, "/" by default
};

// The host URL of a trigger: `host` when set, else the value of the environment variable named
// by `host_from_env` (looked up with `getenv_fn`, std::getenv in production). kInvalidArgument when
// neither gives a value; the message names the variable, never a value.
Result<std::string> ResolveTriggerHost(std::string_view host, std::string_view host_from_env,
                                       const std::function<const char*(const char*)>& getenv_fn);

// `amqp_url` with its vhost replaced by `vhost` (percent-encoded); unchanged when `vhost` is
// empty.
std::string AmqpUrlWithVhost(std::string_view amqp_url, std::string_view vhost);

// The management API location of an http(s) host URL, with `vhost_override` when not empty.
ManagementApiLocation ManagementApiOf(std::string_view http_url, std::string_view vhost_override);

}  // namespace pixfleet
