// S3 addressing: parses "s3://bucket/prefix" and builds request URLs for an endpoint, with keys
// percent-encoded exactly as AWS Signature Version 4 canonicalises them (RFC 3986 unreserved
// characters kept, everything else %XX in upper-case hex, '/' kept in paths). Because libcurl
// 7.88 signs the path and query string as sent, the URLs built here ARE the canonical forms:
// query parameters are emitted sorted by name, each with an '='. Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace pixfleet {

// The bucket and key prefix named by an s3:// URL.
struct S3Location {
  std::string bucket;
  // Empty, or ends with '/': "s3://b/out" and "s3://b/out/" both give "out/".
  std::string prefix;
  friend bool operator==(const S3Location&, const S3Location&) = default;
};

// How the bucket appears in request URLs.
enum class S3Addressing {
  kAuto,           // virtual-hosted on the default AWS endpoint for DNS-safe buckets, else path
  kPathStyle,      // https://endpoint/bucket/key (MinIO, Ceph, s3rver, buckets with dots)
  kVirtualHosted,  // https://bucket.endpoint/key
};

// Parses "s3://bucket[/prefix]". kInvalidArgument for another scheme, a bad bucket name (3..63
// of [a-z0-9.-], starting and ending alphanumeric) or a prefix with empty/"."/".." segments.
Result<S3Location> ParseS3Url(std::string_view url);

// "https://s3.REGION.amazonaws.com".
std::string DefaultS3Endpoint(std::string_view region);

// Percent-encodes per SigV4: keeps A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash), encodes every
// other byte (UTF-8 included) as %XX with upper-case hex.
std::string S3UriEncode(std::string_view text, bool keep_slash);

// A query string in SigV4 canonical form: "a=1&b=&c=x%2Fy", names sorted, names and values
// encoded with S3UriEncode(keep_slash = false).
std::string S3CanonicalQuery(std::vector<std::pair<std::string, std::string>> params);

// Builds request URLs for one bucket on one endpoint.
class S3UrlBuilder {
 public:
  // kInvalidArgument if `endpoint` is not "http(s)://host[:port][/]".
  static Result<S3UrlBuilder> Create(std::string_view endpoint, std::string bucket,
                                     S3Addressing addressing, bool is_default_aws_endpoint);

  // URL of the object with the full (prefixed) key; `query` is S3CanonicalQuery output or "".
  std::string ObjectUrl(std::string_view full_key, std::string_view query = "") const;
  // URL of the bucket itself (ListObjectsV2), with `query`.
  std::string BucketUrl(std::string_view query) const;
  bool PathStyle() const { return path_style_; }

 private:
  S3UrlBuilder(std::string scheme_and_host, std::string bucket, bool path_style)
      : base_(std::move(scheme_and_host)), bucket_(std::move(bucket)), path_style_(path_style) {}

  std::string base_;  // "https://host:port" without the bucket, or with it (virtual-hosted)
  std::string bucket_;
  bool path_style_;
};

}  // namespace pixfleet
