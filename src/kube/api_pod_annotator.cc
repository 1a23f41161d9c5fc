#include "kube/api_pod_annotator.h"

#include <memory>
#include <utility>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "core/read_file.h"

namespace pixfleet::kube {
namespace {

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Non-zero aborts the transfer: how a stop request ends a request under way.
int OnProgress(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t /*ultotal*/,
               curl_off_t /*ulnow*/) {
  return static_cast<const std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The API server's own explanation: the "message" of a Status object, else the body's start.
std::string Reason(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object() && doc.contains("message") && doc["message"].is_string()) {
    return doc["message"].get<std::string>();
  }
  return std::string(body.substr(0, 200));
}

bool IsTlsTrustError(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE;
}

}  // namespace

std::string AnnotationPatch(std::string_view key, std::string_view value) {
  nlohmann::json patch;
  patch["metadata"]["annotations"][std::string(key)] = std::string(value);
  return patch.dump();
}

Status PatchStatus(long http_status, std::string_view body, const std::string& pod_ref) {
  if (http_status / 100 == 2) return Status::Ok();
  const std::string what = "PATCH pod " + pod_ref + ": HTTP " + std::to_string(http_status) + " ";
  const std::string reason = Reason(body);
  switch (http_status) {
    case 401:
      return Unavailable(what +
                         "(the token was refused; it is read again on the next try): " + reason);
    case 403:
      return FailedPrecondition(
          what +
          "(forbidden: the pod's service account needs a Role allowing get and patch on "
          "pods in its namespace, bound to it by a RoleBinding): " +
          reason);
    case 404:
      return NotFound(what + "(no such pod: check POD_NAME and POD_NAMESPACE): " + reason);
    case 408:
    case 429:
      return Unavailable(what + "(the API server is busy): " + reason);
    default:
      if (http_status >= 500) return Unavailable(what + "(API server error): " + reason);
      return InvalidArgument(what + "(the patch was rejected): " + reason);
  }
}

ApiPodAnnotator::ApiPodAnnotator(InClusterConfig config) : config_(std::move(config)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

ApiPodAnnotator::~ApiPodAnnotator() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Status ApiPodAnnotator::Annotate(std::string_view key, std::string_view value,
                                 const std::stop_token& stop) {
  std::lock_guard lock(mutex_);
  auto* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Internal("curl_easy_init failed");
  if (stop.stop_requested()) return Cancelled("stopped before PATCH pod " + config_.PodRef());
  // Projected tokens are rotated by the kubelet: the file, not a copy, is the current token.
  Result<std::string> token = ReadWholeFile(config_.token_path, kMaxServiceAccountFileBytes);
  if (!token.ok()) {
    return FailedPrecondition("service account token: " + token.error().message());
  }
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();

  const std::string url = config_.PodUrl();
  const std::string body = AnnotationPatch(key, value);
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const std::string& header :
       {std::string("Content-Type: application/merge-patch+json"),
        std::string("Accept: application/json"), "Authorization: Bearer " + *token}) {
    curl_slist* grown = curl_slist_append(headers.get(), header.c_str());
    if (grown == nullptr) return Internal("out of memory building headers");
    static_cast<void>(headers.release());
    headers.reset(grown);
  }
  std::string response;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_reset(curl);  // keeps the connection cache
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PATCH");
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_path.c_str());
  curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);  // the cluster CA only, not the system's
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA,
                   const_cast<void*>(static_cast<const void*>(&stop)));  // read only
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, static_cast<void*>(&response));

  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_ABORTED_BY_CALLBACK) {
    return Cancelled("stopped during PATCH pod " + config_.PodRef());
  }
  if (code != CURLE_OK) {
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    const std::string what = "PATCH pod " + config_.PodRef() + " at " + config_.api_server + ": ";
    if (IsTlsTrustError(code)) {
      return FailedPrecondition(what + "TLS: " + detail +
                                " (the API server's certificate is "
                                "checked against " +
                                config_.ca_path + " only)");
    }
    if (code == CURLE_OPERATION_TIMEDOUT) return DeadlineExceeded(what + detail);
    return Unavailable(what + detail);
  }
  long http_status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  return PatchStatus(http_status, response, config_.PodRef());
}

}  // namespace pixfleet::kube
