#include "autoscale/rabbitmq_host.h"

#include <cctype>
#include <optional>
#include <vector>

#include "core/percent_decode.h"

namespace pixfleet {
namespace {

// Percent-encodes everything but RFC 3986's unreserved characters ("/" becomes "%2F").
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

// The URL split at its path: "scheme://authority", "/path" (maybe empty) and "?query" (maybe
// empty).
struct UrlParts {
  std::string_view origin;
  std::string_view path;
  std::string_view query;
};

UrlParts SplitUrl(std::string_view url) {
  UrlParts parts;
  const size_t question = url.find('?');
  if (question != std::string_view::npos) {
    parts.query = url.substr(question);
    url = url.substr(0, question);
  }
  const size_t scheme_end = url.find("://");
  const size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const size_t slash = url.find('/', authority_start);
  parts.origin = url.substr(0, slash);
  if (slash != std::string_view::npos) parts.path = url.substr(slash);
  return parts;
}

constexpr const char* kQueueApiVariable = "PIXFLEET_QUEUE_API";
constexpr const char* kQueueVariable = "PIXFLEET_QUEUE";

}  // namespace

Result<std::string> ResolveTriggerHost(const RabbitMqTrigger& trigger,
                                       const std::function<const char*(const char*)>& getenv_fn) {
  const auto lookup = [&getenv_fn](const std::string& name) -> std::optional<std::string> {
    const char* value = getenv_fn(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
  if (!trigger.host.empty()) return trigger.host;
  if (!trigger.host_from_env.empty()) {
    if (std::optional<std::string> value = lookup(trigger.host_from_env)) return *value;
    return InvalidArgument("hostFromEnv: the environment variable " + trigger.host_from_env +
                           " is not set");
  }
  if (trigger.authentication_ref.empty()) {
    return InvalidArgument("the trigger has neither host, hostFromEnv nor an authenticationRef");
  }
  std::vector<std::string> names;
  if (trigger.protocol != RabbitMqProtocol::kAmqp) names.emplace_back(kQueueApiVariable);
  if (trigger.protocol != RabbitMqProtocol::kHttp) names.emplace_back(kQueueVariable);
  for (const std::string& name : names) {
    if (std::optional<std::string> value = lookup(name)) return *value;
  }
  std::string wanted = names.front();
  if (names.size() > 1) wanted += " or " + names.back();
  return InvalidArgument("the host is in the TriggerAuthentication " + trigger.authentication_ref +
                         ", which only a cluster reads; for a run here set " + wanted +
                         (names.front() == kQueueApiVariable
                              ? " (the management API, http[s]://user:pass@host:15672[/vhost])"
                              : " (the AMQP URL)"));
}

std::string AmqpUrlWithVhost(std::string_view amqp_url, std::string_view vhost) {
  if (vhost.empty()) return std::string(amqp_url);
  const UrlParts parts = SplitUrl(amqp_url);
  return std::string(parts.origin) + "/" + PercentEncode(vhost) + std::string(parts.query);
}

ManagementApiLocation ManagementApiOf(std::string_view http_url, std::string_view vhost_override) {
  const UrlParts parts = SplitUrl(http_url);
  std::string_view path = parts.path;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const size_t last_slash = path.rfind('/');
  std::string_view prefix;
  std::string_view vhost_segment;
  if (last_slash != std::string_view::npos) {
    prefix = path.substr(0, last_slash);
    vhost_segment = path.substr(last_slash + 1);
  }
  ManagementApiLocation location;
  location.api_url = std::string(parts.origin) + std::string(prefix) + std::string(parts.query);
  if (!vhost_override.empty()) {
    location.vhost = std::string(vhost_override);
  } else {
    location.vhost = vhost_segment.empty() ? "/" : PercentDecode(vhost_segment);
  }
  return location;
}

}  // namespace pixfleet
