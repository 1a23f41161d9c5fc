// S3ObjectStore: the ObjectStore on an S3-compatible bucket (AWS S3, MinIO, Ceph, GCS XML API,
// s3rver) over libcurl. Keys are relative to the URL's prefix: with "s3://b/out/", key "a.jpg"
// is the S3 object "out/a.jpg", and List shows keys with the prefix stripped.
//
// Requests are signed by libcurl (CURLOPT_AWS_SIGV4, "aws:amz:REGION:s3"); the store adds the
// x-amz-content-sha256 header (the payload's SHA-256) itself, as curl 7.88 does not. Bodies are
// sent as POSTFIELDS so curl hashes exactly the bytes it sends. Paths and query strings are
// built in SigV4 canonical form (s3_url.h), because this curl signs them as given.
//
// Put is atomic: a single PUT below options.multipart_threshold, otherwise a multipart upload
// (parts of options.part_size) that is aborted if any step fails; S3 shows the object only on
// CompleteMultipartUpload. Get with max_bytes checks Content-Length as the headers arrive and
// abandons the transfer early (kResourceExhausted). Fetch is the same GET with the body written
// to a temporary file (temp_object_file.h, in options.temp_folder) piece by piece as curl
// receives it, so an object is never held whole in memory; a body that grows past max_bytes
// stops the transfer, and the file is removed on any failure. List pages through ListObjectsV2 with
// continuation tokens; S3 returns keys in byte order, which is the contract's order.
//
// Errors (no retries here: wrap in RetryingObjectStore): 5xx, 429, SlowDown, RequestTimeout,
// connection failures → kUnavailable; curl timeouts → kDeadlineExceeded; 404 NoSuchKey →
// kNotFound (Head: nullopt, Delete: OK); a missing bucket, refused credentials or access, a
// bucket in another region → kFailedPrecondition naming the bucket, the endpoint and the remedy
// (s3_errors.h; HEAD answers without a body, so Head of a key in a missing bucket is nullopt);
// other 4xx → kInvalidArgument;
// unparseable responses → kDataLoss; an https endpoint whose certificate is refused →
// kInvalidArgument naming the endpoint and the reason (retrying cannot help: the trusted CAs,
// AWS_CA_BUNDLE, or the endpoint must change). Messages name the key and the S3 error code,
// never the credentials. Thread-safe; the transport (s3_http.h) pools curl handles and reuses
// connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "storage/object_store.h"
#include "storage/s3/s3_credentials.h"
#include "storage/s3/s3_errors.h"
#include "storage/s3/s3_http.h"
#include "storage/s3/s3_url.h"

namespace pixfleet {

struct S3ObjectStoreOptions {
  // Empty: DefaultS3Endpoint(region). Otherwise "http(s)://host[:port]".
  std::string endpoint;
  std::string region = "us-east-1";
  S3Addressing addressing = S3Addressing::kAuto;
  S3Credentials credentials;
  // Objects of at least this many bytes go up as a multipart upload of part_size parts (S3
  // requires every part but the last to be at least 5 MiB; tests may go lower on s3rver).
  uint64_t multipart_threshold = uint64_t{16} * 1024 * 1024;
  uint64_t part_size = uint64_t{8} * 1024 * 1024;
  // max-keys of each ListObjectsV2 page (S3 caps it at 1000).
  int list_page_size = 1000;
  std::chrono::milliseconds connect_timeout{5000};
  // A transfer slower than low_speed_bytes_per_second for low_speed_time is abandoned.
  int64_t low_speed_bytes_per_second = 1024;
  std::chrono::seconds low_speed_time{30};
  // Verify TLS peers (turn off only for self-signed test endpoints).
  bool verify_tls = true;
  // PEM file of the CA certificates trusted for https endpoints; empty: the system store.
  std::string ca_bundle;
  // Where Fetch writes its temporary copies; empty: $TMPDIR, else /tmp (DefaultTempFolder()).
  std::string temp_folder;
  // A request on it abandons every transfer in flight and refuses new ones (kCancelled): a
  // worker whose grace period ran out must not wait for a large upload or download to end.
  std::stop_token cancel;
};

// The store's options from the environment (s3_credentials.h): credentials, AWS_REGION,
// AWS_ENDPOINT_URL and AWS_CA_BUNDLE; the rest default.
Result<S3ObjectStoreOptions> S3OptionsFromEnvironment(const EnvLookup& env = ProcessEnv());

class S3ObjectStore final : public ObjectStore {
 public:
  // `url` is "s3://bucket[/prefix]". kInvalidArgument for a bad URL, endpoint or options, or a
  // ca_bundle that cannot be read. Does not contact the service.
  static Result<std::unique_ptr<S3ObjectStore>> Open(std::string_view url,
                                                     S3ObjectStoreOptions options);
  S3ObjectStore(const S3ObjectStore&) = delete;
  S3ObjectStore& operator=(const S3ObjectStore&) = delete;
  ~S3ObjectStore() override;

  const S3Location& Location() const { return location_; }

  // ObjectStore
  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  Result<std::optional<ObjectInfo>> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Status List(std::string_view prefix,
              const std::function<Status(const ObjectInfo&)>& visit) override;
  // Starts a multipart upload of kWriteProbeKey under the prefix and aborts it.
  Status CheckWritable() override;

 private:
  S3ObjectStore(S3Location location, S3UrlBuilder urls, std::string endpoint,
                S3ObjectStoreOptions options);

  // The bucket and endpoint, for messages about refusals.
  S3Target Target() const;

  // GET of `key`: the 200 response (its body kept, or handed to `sink` when set), else the error.
  Result<S3HttpResponse> GetObject(std::string_view key, uint64_t max_bytes,
                                   std::function<Status(std::string_view)> sink);
  // Starts a multipart upload of `full_key`; its upload id.
  Result<std::string> CreateMultipart(const std::string& full_key, std::string_view content_type);
  // Multipart upload of `bytes`; aborts the upload if any step fails.
  Status PutMultipart(const std::string& full_key, std::string_view bytes,
                      std::string_view content_type);
  void AbortMultipart(const std::string& full_key, const std::string& upload_id);

  const S3Location location_;
  const S3UrlBuilder urls_;
  const std::string endpoint_;  // "http(s)://host[:port]", the default AWS one included
  const S3ObjectStoreOptions options_;
  S3HttpClient http_;
};

}  // namespace pixfleet
