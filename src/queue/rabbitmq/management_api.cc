// ManagementApiCounts: see management_api.h.
#include "queue/rabbitmq/management_api.h"

#include <memory>
#include <mutex>
#include <string>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "queue/rabbitmq/amqp_connection.h"

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

}  // namespace

Result<QueueCounts> ManagementApiCounts(std::string_view api_url, std::string_view queue,
                                        std::string_view vhost, std::chrono::milliseconds timeout) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Internal("curl_easy_init failed");

  std::string base(api_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string url =
      base + "/api/queues/" + Escape(curl.get(), vhost) + "/" + Escape(curl.get(), queue);
  const std::string safe_url = amqp::RedactUrl(url);
  std::string body;
  SetOpt(curl.get(), CURLOPT_URL, url.c_str());
  SetWriteFunction(curl.get());
  SetOpt(curl.get(), CURLOPT_WRITEDATA, static_cast<void*>(&body));
  SetOpt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  SetOpt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc == CURLE_URL_MALFORMAT) return InvalidArgument("bad management API URL: " + safe_url);
  if (rc != CURLE_OK) {
    return Unavailable("GET " + safe_url + ": " + curl_easy_strerror(rc));
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
  return counts;
}

}  // namespace pixfleet
