// S3HttpClient: the S3 backend's transport. Sends one SigV4-signed HTTP request over libcurl
// (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3") and returns the status, headers and body. It adds
// x-amz-content-sha256 (the payload's SHA-256, which curl 7.88 does not add) and, for temporary
// credentials, x-amz-security-token. Bodies go out as POSTFIELDS so curl's signer hashes exactly
// the bytes sent. The URL's path and query must already be in SigV4 canonical form (s3_url.h):
// this curl signs them as given.
//
// A GET with max_bytes is abandoned as soon as a 2xx Content-Length (or the received body)
// exceeds it: kResourceExhausted. A request with a body_sink hands a 2xx body to the sink piece
// by piece as it arrives instead of keeping it (other responses' bodies, S3's error documents,
// are kept as usual); a sink error abandons the transfer and is returned as it is. Transport
// failures map through CurlStatus (s3_errors.h), TLS ones with the endpoint ("https://host:port")
// and the remedy in the message; any HTTP status is returned for the caller to interpret. No
// retries. A request on the options' `cancel` abandons a transfer in flight within about a
// second (curl's progress callback; at once while data moves) and refuses to start one:
// kCancelled. Thread-safe: easy handles are pooled, and curl_easy_reset keeps each handle's
// connection cache, so connections are reused. Credentials appear only in curl options, never in a
// Status.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/s3/s3_credentials.h"

namespace pixfleet {

struct S3HttpRequest {
  std::string method = {};  // GET, HEAD, PUT, POST, DELETE
  std::string url = {};
  std::string_view body = {};  // sent for PUT and POST; must outlive Perform
  std::string content_type = {};
  std::string what = {};  // "GET key": the context of error messages
  uint64_t max_bytes = UINT64_MAX;
  // When set, receives a 2xx response's body as it arrives (S3HttpResponse::body stays empty).
  std::function<Status(std::string_view)> body_sink = {};
  // Sent, and not abandoned, even after the cancel: a clean-up (AbortMultipartUpload) that must
  // go out because a cancel stopped the work it cleans up after.
  bool despite_cancel = false;
};

struct S3HttpResponse {
  long http_status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, final response only
};

struct S3HttpOptions {
  std::string region;
  S3Credentials credentials;
  std::chrono::milliseconds connect_timeout{5000};
  int64_t low_speed_bytes_per_second = 1024;
  std::chrono::seconds low_speed_time{30};
  bool verify_tls = true;
  std::string ca_bundle;   // CURLOPT_CAINFO when not empty
  std::stop_token cancel;  // see above
};

class S3HttpClient {
 public:
  explicit S3HttpClient(S3HttpOptions options);
  ~S3HttpClient();
  S3HttpClient(const S3HttpClient&) = delete;
  S3HttpClient& operator=(const S3HttpClient&) = delete;

  Result<S3HttpResponse> Perform(const S3HttpRequest& request);

 private:
  void* AcquireHandle();  // a CURL*, kept opaque so this header needs no curl.h
  void ReleaseHandle(void* handle);

  const S3HttpOptions options_;
  const std::string sigv4_;  // "aws:amz:REGION:s3"
  std::mutex pool_mutex_;
  std::vector<void*> idle_handles_;
};

// A non-negative decimal (Content-Length, <Size>); nullopt if malformed or over 19 digits.
std::optional<uint64_t> ParseDecimal(std::string_view text);

}  // namespace pixfleet
