// AMQP URL parsing; see amqp_url.h.
#include "queue/rabbitmq/amqp_url.h"

#include <vector>

#include <amqp.h>

#include "core/percent_decode.h"
#include "core/redact.h"

namespace pixfleet::amqp {
namespace {

constexpr std::string_view kKnownParameters =
    "cacertfile, certfile, keyfile, verify, server_name_indication";

// Splits "a=1&b=2" into (name, decoded value) pairs; empty pieces ("a=1&&b") are skipped.
std::vector<std::pair<std::string, std::string>> SplitQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    out.emplace_back(PercentDecode(piece.substr(0, eq)),
                     eq == std::string_view::npos ? "" : PercentDecode(piece.substr(eq + 1)));
  }
  return out;
}

Status ApplyParameter(const std::string& name, const std::string& value, TlsOptions& tls,
                      std::string_view url) {
  const std::string safe_url(url);
  auto empty = [&]() {
    return InvalidArgument("URL parameter " + name + " has no value: " + safe_url);
  };
  if (name == "cacertfile") {
    if (value.empty()) return empty();
    tls.ca_cert_file = value;
  } else if (name == "certfile") {
    if (value.empty()) return empty();
    tls.cert_file = value;
  } else if (name == "keyfile") {
    if (value.empty()) return empty();
    tls.key_file = value;
  } else if (name == "verify") {
    if (value == "verify_peer") {
      tls.verify_peer = true;
    } else if (value == "verify_none") {
      tls.verify_peer = false;
    } else {
      return InvalidArgument("URL parameter verify must be verify_peer or verify_none, not '" +
                             value + "': " + safe_url);
    }
  } else if (name == "server_name_indication") {
    if (value.empty()) return empty();
    tls.server_name_disabled = value == "disable";
    tls.server_name = tls.server_name_disabled ? "" : value;
  } else {
    return InvalidArgument("unknown URL parameter '" + name +
                           "' (known: " + std::string(kKnownParameters) + "): " + safe_url);
  }
  return Status::Ok();
}

}  // namespace

std::string AmqpUrl::Where() const {
  return host + ":" + std::to_string(port) + (vhost.starts_with('/') ? vhost : "/" + vhost);
}

Result<AmqpUrl> ParseAmqpUrl(std::string_view url) {
  const std::string safe_url = RedactUrl(url);
  PIXFLEET_RETURN_IF_ERROR(CheckUserinfoUnambiguous(url));
  const size_t question = url.find('?');
  const std::string_view base = url.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : url.substr(question + 1);

  // amqp_parse_url decodes in place and points `info` into the buffer.
  std::vector<char> buffer(base.begin(), base.end());
  buffer.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    return InvalidArgument("malformed AMQP URL: " + safe_url);
  }
  AmqpUrl parsed;
  parsed.tls = info.ssl != 0;
  parsed.user = info.user;
  parsed.password = info.password;
  parsed.host = info.host;
  parsed.port = info.port;
  parsed.vhost = info.vhost;

  bool any_tls_option = false;
  PIXFLEET_ASSIGN_OR_RETURN(parsed.tls_options,
                            ParseTlsParameters(query, safe_url, &any_tls_option));
  if (any_tls_option && !parsed.tls) {
    return InvalidArgument("TLS options need an amqps:// URL: " + safe_url);
  }
  return parsed;
}

Result<TlsOptions> ParseTlsParameters(std::string_view query, std::string_view url_for_messages,
                                      bool* any_given) {
  TlsOptions tls;
  bool any = false;
  for (const auto& [name, value] : SplitQuery(query)) {
    PIXFLEET_RETURN_IF_ERROR(ApplyParameter(name, value, tls, url_for_messages));
    any = true;
  }
  if (!tls.key_file.empty() && tls.cert_file.empty()) {
    return InvalidArgument("URL has keyfile without certfile: " + std::string(url_for_messages));
  }
  if (!tls.cert_file.empty() && tls.key_file.empty()) tls.key_file = tls.cert_file;
  if (any_given != nullptr) *any_given = any;
  return tls;
}

std::pair<std::string, std::optional<std::string>> TakeQueryParameter(std::string_view url,
                                                                      std::string_view name) {
  const size_t question = url.find('?');
  if (question == std::string_view::npos) return {std::string(url), std::nullopt};
  std::string kept(url.substr(0, question));
  std::optional<std::string> value;
  std::string_view query = url.substr(question + 1);
  char separator = '?';
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = piece.find('=');
    if (PercentDecode(piece.substr(0, eq)) == name) {
      value = eq == std::string_view::npos ? "" : PercentDecode(piece.substr(eq + 1));
      continue;
    }
    if (piece.empty()) continue;
    kept.push_back(separator);
    kept += piece;
    separator = '&';
  }
  return {std::move(kept), std::move(value)};
}

std::string RedactUrl(std::string_view url) { return RedactSecrets(url); }

}  // namespace pixfleet::amqp
