// ManagementApiCounts: see management_api.h.
#include "queue/rabbitmq/management_api.h"

#include <memory>
#include <mutex>
#include <string>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "queue/rabbitmq/amqp_url.h"

namespace pixfleet {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string Escape(CURL* curl, std::string_view s) {
  char* escaped = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  std::string out = escaped == nullptr ? std::string() : std::string(escaped);
  curl_free(escaped);
  return out;
}

// libcurl's setopt is variadic; these keep the types exact.
void SetOpt(CURL* curl, CURLoption option, long value) { curl_easy_setopt(curl, option, value); }
void SetOpt(CURL* curl, CURLoption option, const char* value) {
  curl_easy_setopt(curl, option, value);
}
void SetOpt(CURL* curl, CURLoption option, void* value) { curl_easy_setopt(curl, option, value); }
void SetWriteFunction(CURL* curl) {
  curl_write_callback callback = AppendBody;
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, callback);
}

// The TLS options of the API URL as curl options. curl verifies peer and name by default.
Status ApplyTls(CURL* curl, const amqp::TlsOptions& tls, const std::string& safe_api_url) {
  if (!tls.server_name.empty() || tls.server_name_disabled) {
    return InvalidArgument("server_name_indication is not supported for the management API: " +
                           safe_api_url);
  }
  if (!tls.ca_cert_file.empty()) SetOpt(curl, CURLOPT_CAINFO, tls.ca_cert_file.c_str());
  if (!tls.cert_file.empty()) {
    SetOpt(curl, CURLOPT_SSLCERT, tls.cert_file.c_str());
    SetOpt(curl, CURLOPT_SSLKEY, tls.key_file.c_str());
  }
  if (!tls.verify_peer) {
    SetOpt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    SetOpt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  return Status::Ok();
}

}  // namespace

Result<QueueCounts> ManagementApiCounts(std::string_view api_url, std::string_view queue,
                                        std::string_view vhost, std::chrono::milliseconds timeout) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Internal("curl_easy_init failed");

  const size_t question = api_url.find('?');
  std::string base(api_url.substr(0, question));
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string url =
      base + "/api/queues/" + Escape(curl.get(), vhost) + "/" + Escape(curl.get(), queue);
  const std::string safe_url = amqp::RedactUrl(url);
  if (question != std::string_view::npos) {
    const std::string safe_api_url = amqp::RedactUrl(api_url);
    if (!base.starts_with("https://")) {
      return InvalidArgument("TLS options need an https:// management API URL: " + safe_api_url);
    }
    PIXFLEET_ASSIGN_OR_RETURN(const amqp::TlsOptions tls,
                              amqp::ParseTlsParameters(api_url.substr(question + 1), safe_api_url));
    PIXFLEET_RETURN_IF_ERROR(ApplyTls(curl.get(), tls, safe_api_url));
  }
  std::string body;
  SetOpt(curl.get(), CURLOPT_URL, url.c_str());
  SetWriteFunction(curl.get());
  SetOpt(curl.get(), CURLOPT_WRITEDATA, static_cast<void*>(&body));
  SetOpt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  SetOpt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  char error_buffer[CURL_ERROR_SIZE] = {};
  SetOpt(curl.get(), CURLOPT_ERRORBUFFER, static_cast<void*>(error_buffer));
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc == CURLE_URL_MALFORMAT) return InvalidArgument("bad management API URL: " + safe_url);
  if (rc != CURLE_OK) {
    const std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
        rc == CURLE_SSL_CERTPROBLEM) {
      return InvalidArgument("GET " + safe_url + ": TLS: " + reason +
                             " (check cacertfile in the management API URL)");
    }
    return Unavailable("GET " + safe_url + ": " + reason);
  }
  long http = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &http);
  if (http == 404) return NotFound("GET " + safe_url + ": no such queue");
  if (http == 401 || http == 403) {
    return InvalidArgument("GET " + safe_url + ": credentials refused (HTTP " +
                           std::to_string(http) + ")");
  }
  if (http != 200) return Unavailable("GET " + safe_url + ": HTTP " + std::to_string(http));
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Unavailable("GET " + safe_url + ": not a JSON object");
  }
  // A queue created moments ago has no statistics yet: absent counts are 0.
  QueueCounts counts;
  counts.ready = json.value("messages_ready", int64_t{0});
  counts.unacknowledged = json.value("messages_unacknowledged", int64_t{0});
  // Looked up step by step: a member of another type than expected reads as absent.
  const auto stats = json.find("message_stats");
  if (stats != json.end() && stats->is_object()) {
    const auto details = stats->find("publish_details");
    if (details != stats->end() && details->is_object()) {
      const auto rate = details->find("rate");
      if (rate != details->end() && rate->is_number()) counts.publish_rate = rate->get<double>();
    }
  }
  return counts;
}

}  // namespace pixfleet
