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
#include "scaling/rabbitmq_trigger.h"

namespace pixfleet {

struct ManagementApiLocation {
  std::string api_url;  // http(s)://user:pass@host:port[/prefix][?query]
  std::string vhost;    // decoded, "/" by default
};

// The host URL of a trigger: `host` when set, else the value of the environment variable named
// by `host_from_env`, else, for a trigger whose host is in a KEDA TriggerAuthentication (which
// only a cluster reads, from a Secret), pixfleet's own variable for that URL: PIXFLEET_QUEUE_API
// (the management API) for protocol http, PIXFLEET_QUEUE (the AMQP URL) for amqp, and for auto
// the first of the two that is set. Variables are looked up with `getenv_fn` (std::getenv in
// production). kInvalidArgument when none gives a value; the message names the variables, never
// a value.
Result<std::string> ResolveTriggerHost(const RabbitMqTrigger& trigger,
                                       const std::function<const char*(const char*)>& getenv_fn);

// `amqp_url` with its vhost replaced by `vhost` (percent-encoded); unchanged when `vhost` is
// empty.
std::string AmqpUrlWithVhost(std::string_view amqp_url, std::string_view vhost);

// The management API location of an http(s) host URL, with `vhost_override` when not empty.
ManagementApiLocation ManagementApiOf(std::string_view http_url, std::string_view vhost_override);

}  // namespace pixfleet
