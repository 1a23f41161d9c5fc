// The S3 backend's HTTP transport over libcurl; see s3_http.h.
#include "storage/s3/s3_http.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <utility>

#include <curl/curl.h>

#include "core/hash.h"
#include "storage/s3/s3_errors.h"

namespace pixfleet {
namespace {

// State shared with the curl callbacks of one transfer.
struct Transfer {
  S3HttpResponse* response = nullptr;
  uint64_t max_bytes = UINT64_MAX;
  const std::function<Status(std::string_view)>* sink = nullptr;  // the request's, if set
  std::optional<uint64_t> too_big;  // set when the body exceeded max_bytes
  uint64_t received = 0;            // bytes of a 2xx body so far
  Status sink_error;                // what the sink returned when it stopped the transfer
};

// curl's progress callback: a nonzero return abandons the transfer (CURLE_ABORTED_BY_CALLBACK).
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t total = size * count;
  const std::string_view line(data, total);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue or a redirect)
    transfer->response->headers.clear();
    const size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      const auto code = ParseDecimal(line.substr(space + 1, 3));
      transfer->response->http_status = code ? static_cast<long>(*code) : 0;
    }
    return total;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return total;
  std::string name = Lower(TrimSpace(line.substr(0, colon)));
  std::string value(TrimSpace(line.substr(colon + 1)));
  if (name == "content-length" && transfer->response->http_status / 100 == 2) {
    const auto length = ParseDecimal(value);
    if (length && *length > transfer->max_bytes) {
      transfer->too_big = *length;
      return 0;  // aborts the transfer before the body is read
    }
  }
  transfer->response->headers[std::move(name)] = std::move(value);
  return total;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t total = size * count;
  if (transfer->response->http_status / 100 != 2) {  // an error document: kept for the caller
    transfer->response->body.append(data, total);
    return total;
  }
  if (transfer->received + total > transfer->max_bytes) {  // no Content-Length (chunked)
    transfer->too_big = transfer->received + total;
    return 0;
  }
  transfer->received += total;
  if (transfer->sink == nullptr || !*transfer->sink) {
    transfer->response->body.append(data, total);
    return total;
  }
  if (Status sunk = (*transfer->sink)(std::string_view(data, total)); !sunk.ok()) {
    transfer->sink_error = std::move(sunk);
    return 0;  // aborts the transfer
  }
  return total;
}

// The server's certificate was refused, or the CA file to check it with is unusable.
bool IsTlsTrustError(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE;
}

// "https://host:port" of a request URL: names the endpoint in messages (S3 URLs carry no
// credentials; keys and queries are left out as noise).
std::string Origin(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t path = url.find_first_of("/?", scheme == std::string_view::npos ? 0 : scheme + 3);
  return std::string(url.substr(0, path));
}

// Frees the slist when the request is done.
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

bool Append(Slist& list, const std::string& header) {
  curl_slist* grown = curl_slist_append(list.get(), header.c_str());
  if (grown == nullptr) return false;
  static_cast<void>(list.release());
  list.reset(grown);
  return true;
}

}  // namespace

std::optional<uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

S3HttpClient::S3HttpClient(S3HttpOptions options)
    : options_(std::move(options)), sigv4_("aws:amz:" + options_.region + ":s3") {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

S3HttpClient::~S3HttpClient() {
  for (void* handle : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* S3HttpClient::AcquireHandle() {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!idle_handles_.empty()) {
      void* handle = idle_handles_.back();
      idle_handles_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void S3HttpClient::ReleaseHandle(void* handle) {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  idle_handles_.push_back(handle);
}

Result<S3HttpResponse> S3HttpClient::Perform(const S3HttpRequest& request) {
  const bool cancellable = options_.cancel.stop_possible() && !request.despite_cancel;
  if (cancellable && options_.cancel.stop_requested()) {
    return Cancelled(request.what + ": cancelled, not sent");
  }
  CURL* curl = static_cast<CURL*>(AcquireHandle());
  if (curl == nullptr) return Internal(request.what + ": curl_easy_init failed");
  struct Releaser {
    S3HttpClient* client;
    CURL* curl;
    Releaser(S3HttpClient* owner, CURL* handle) : client(owner), curl(handle) {}
    ~Releaser() { client->ReleaseHandle(curl); }
    Releaser(const Releaser&) = delete;
    Releaser& operator=(const Releaser&) = delete;
  } releaser{this, curl};
  curl_easy_reset(curl);  // keeps the connection cache

  S3HttpResponse response;
  Transfer transfer;
  transfer.response = &response;
  transfer.max_bytes = request.max_bytes;
  transfer.sink = &request.body_sink;
  Slist headers;
  bool headers_ok =
      Append(headers, "x-amz-content-sha256: " + Sha256Hex(request.body)) &&
      (options_.credentials.session_token.empty() ||
       Append(headers, "x-amz-security-token: " + options_.credentials.session_token));
  if (!request.content_type.empty()) {
    headers_ok = headers_ok && Append(headers, "Content-Type: " + request.content_type);
  }
  if (!headers_ok) return Internal(request.what + ": out of memory building headers");

  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4_.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, options_.credentials.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.credentials.secret_access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT,
                   static_cast<long>(options_.low_speed_bytes_per_second));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(options_.low_speed_time.count()));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_bundle.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
  if (request.despite_cancel && options_.cancel.stop_requested()) {
    // A clean-up after a cancel: the connect timeout in all, not the low-speed limit's wait.
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  }
  if (cancellable) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    // curl takes a void* and only hands it back to OnProgress, which reads through it.
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA,
                     const_cast<void*>(static_cast<const void*>(&options_.cancel)));
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    // POSTFIELDS (not an upload callback) so that curl's signer hashes exactly these bytes.
    // Never NULL: a NULL POSTFIELDS would make curl read the body from stdin.
    const char* body = request.body.empty() ? "" : request.body.data();
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    if (request.method == "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  const CURLcode code = curl_easy_perform(curl);
  if (!transfer.sink_error.ok()) return transfer.sink_error;
  if (transfer.too_big) {
    return ResourceExhausted(request.what + ": object is " + std::to_string(*transfer.too_big) +
                             " bytes, over the limit of " + std::to_string(request.max_bytes));
  }
  if (code == CURLE_ABORTED_BY_CALLBACK) {
    return Cancelled(request.what + ": cancelled mid-transfer");
  }
  if (code != CURLE_OK) {
    std::string message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    if (IsTlsTrustError(code)) {
      // curl's text gives the reason, not the server: name it, and what to change.
      message = "TLS to " + Origin(request.url) + ": " + message +
                " (AWS_CA_BUNDLE names a PEM file of the CA certificates to trust)";
    }
    return CurlStatus(static_cast<int>(code), message, request.what);
  }
  long http_status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  response.http_status = http_status;
  return response;
}

}  // namespace pixfleet
