// Maps S3 and libcurl failures to Status codes the caller can act on (see status.h): throttling,
// server errors and broken connections are retryable (kUnavailable), timeouts are
// kDeadlineExceeded, 404 NoSuchKey is kNotFound. A refusal that concerns the bucket or the
// credentials rather than one object is kFailedPrecondition, with a message naming the bucket
// and endpoint and the likely remedy: NoSuchBucket, InvalidBucketName, AccessDenied (and a bare
// 403, as HEAD answers), InvalidAccessKeyId, SignatureDoesNotMatch, AllAccessDisabled,
// AccountProblem, a refused or expired session token, and a bucket in another region
// (PermanentRedirect, AuthorizationHeaderMalformed). Every task would meet it again, so no
// retry and no failed task helps until an operator acts. Other client errors are
// kInvalidArgument. Pure functions; messages never carry credentials.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace pixfleet {

// The <Code> and <Message> of an S3 <Error> document; empty strings if `xml` is not one.
struct S3ErrorDocument {
  std::string code;
  std::string message;
};
S3ErrorDocument ParseS3Error(std::string_view xml);

// Where a request went, for messages about refusals: the bucket and "http(s)://host[:port]".
struct S3Target {
  std::string_view bucket;
  std::string_view endpoint;
};

// Status for a non-2xx HTTP response to the request described by `what` (e.g. "GET a/b.jpg").
Status S3HttpStatus(long http_status, std::string_view body, std::string_view what,
                    const S3Target& target);

// Status for an S3 error code found in a 200 response body (CompleteMultipartUpload can fail
// that way): InternalError/SlowDown/... are retryable, refusals as above, others permanent.
Status S3ErrorCodeStatus(std::string_view s3_code, std::string_view message, std::string_view what,
                         const S3Target& target);

// Status for a failed curl_easy_perform; `curl_code` is a CURLcode.
Status CurlStatus(int curl_code, std::string_view curl_message, std::string_view what);

}  // namespace pixfleet
