// Test helper: an independent AWS Signature Version 4 checker, written from the AWS spec
// (canonical request → string to sign → HMAC-SHA256 key chain) without sharing code with the
// store or libcurl. A fake S3 server feeds it the request it received; a wrong canonical path,
// query, header set, payload hash or key derivation makes the signatures differ.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pixfleet {

struct ReceivedRequest {
  std::string method;
  std::string target;                          // raw "/path?query" as sent on the wire
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct SigV4Check {
  bool ok = false;
  std::string problem;  // why not ok
  std::string canonical_request;
  std::string expected_signature;  // recomputed here
  std::string actual_signature;    // from the Authorization header
  std::string signed_headers;      // "host;x-amz-content-sha256;x-amz-date"
};

// Recomputes the signature of `request` for `secret_access_key`; also requires
// x-amz-content-sha256 to be signed and to equal the SHA-256 of the received body, and the
// credential scope to be DATE/region/s3/aws4_request.
SigV4Check VerifySigV4(const ReceivedRequest& request, std::string_view secret_access_key,
                       std::string_view region);

}  // namespace pixfleet
