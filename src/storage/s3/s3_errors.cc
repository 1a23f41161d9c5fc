// S3 / libcurl error mapping; see s3_errors.h.
#include "storage/s3/s3_errors.h"

#include <curl/curl.h>
#include <pugixml.hpp>

namespace pixfleet {
namespace {

bool IsRetryableS3Code(std::string_view code) {
  return code == "SlowDown" || code == "InternalError" || code == "ServiceUnavailable" ||
         code == "RequestTimeout" || code == "RequestTimeTooSkewed" || code == "Throttling" ||
         code == "ThrottlingException" || code == "RequestLimitExceeded" ||
         code == "OperationAborted";
}

std::string Describe(std::string_view what, long http_status, const S3ErrorDocument& error) {
  std::string out(what);
  out += ": HTTP " + std::to_string(http_status);
  if (!error.code.empty()) out += " " + error.code;
  if (!error.message.empty()) out += " (" + error.message + ")";
  return out;
}

std::string BucketName(const S3Target& target) {
  return "the bucket \"" + std::string(target.bucket) + "\"";
}

std::string BucketAt(const S3Target& target) {
  return BucketName(target) + " at " + std::string(target.endpoint);
}

// Why the bucket or the credentials refuse every request, with the likely remedy; empty when
// `code` (with `http_status`, 0 when unknown) is not such a refusal. HEAD responses carry no
// body, so a bare 403 or 301 is judged by its status alone.
std::string Refusal(long http_status, std::string_view code, const S3Target& target) {
  if (code == "NoSuchBucket") {
    return BucketAt(target) + " does not exist: create it, or correct the bucket in the URL " +
           "(and the endpoint, AWS_ENDPOINT_URL)";
  }
  if (code == "InvalidBucketName") {
    return BucketAt(target) + " has an invalid name: correct the URL";
  }
  if (code == "AccessDenied" || (http_status == 403 && code.empty())) {
    return "access to " + BucketAt(target) +
           " is denied: grant these credentials access to it (bucket policy or IAM), or use "
           "others";
  }
  if (code == "InvalidAccessKeyId") {
    return std::string(target.endpoint) + " does not know the access key id used for " +
           BucketName(target) + ": check AWS_ACCESS_KEY_ID (or the profile's aws_access_key_id)";
  }
  if (code == "SignatureDoesNotMatch") {
    return std::string(target.endpoint) + " refused the signature of the requests to " +
           BucketName(target) +
           ": check that AWS_SECRET_ACCESS_KEY (or the profile's aws_secret_access_key) belongs "
           "to the access key id";
  }
  if (code == "InvalidToken" || code == "ExpiredToken" || code == "TokenRefreshRequired") {
    return std::string(target.endpoint) + " refused the session token used for " +
           BucketName(target) + ": refresh the temporary credentials (AWS_SESSION_TOKEN)";
  }
  if (code == "AllAccessDisabled") {
    return "all access to " + BucketAt(target) + " is disabled: ask the bucket's owner";
  }
  if (code == "AccountProblem") {
    return std::string(target.endpoint) + " reports a problem with the account that owns " +
           BucketName(target) + " or these credentials: contact the provider";
  }
  if (code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
      (http_status == 301 && code.empty())) {
    return BucketAt(target) +
           " is in another region or behind another endpoint: set AWS_REGION (or "
           "AWS_ENDPOINT_URL) to the bucket's";
  }
  return "";
}

}  // namespace

S3ErrorDocument ParseS3Error(std::string_view xml) {
  S3ErrorDocument out;
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return out;
  const pugi::xml_node error = doc.child("Error");
  if (!error) return out;
  out.code = error.child_value("Code");
  out.message = error.child_value("Message");
  return out;
}

Status S3ErrorCodeStatus(std::string_view s3_code, std::string_view message, std::string_view what,
                         const S3Target& target) {
  std::string text = std::string(what) + ": S3 error " + std::string(s3_code);
  if (!message.empty()) text += " (" + std::string(message) + ")";
  if (IsRetryableS3Code(s3_code)) return Unavailable(std::move(text));
  if (std::string refusal = Refusal(0, s3_code, target); !refusal.empty()) {
    return FailedPrecondition(std::move(text) + ": " + refusal);
  }
  return InvalidArgument(std::move(text));
}

Status S3HttpStatus(long http_status, std::string_view body, std::string_view what,
                    const S3Target& target) {
  const S3ErrorDocument error = ParseS3Error(body);
  std::string text = Describe(what, http_status, error);
  if (std::string refusal = Refusal(http_status, error.code, target); !refusal.empty()) {
    return FailedPrecondition(std::move(text) + ": " + refusal);
  }
  if (http_status == 404) return NotFound(std::move(text));
  // Left: 403s about one object (InvalidObjectState: archived) or the clock (RequestTimeTooSkewed).
  if (http_status == 403) return InvalidArgument(std::move(text) + ": access denied");
  if (http_status == 429 || http_status >= 500 || IsRetryableS3Code(error.code)) {
    return Unavailable(std::move(text));
  }
  if (http_status >= 300 && http_status < 400) {
    return InvalidArgument(std::move(text) + ": wrong region or endpoint");
  }
  if (http_status >= 400) return InvalidArgument(std::move(text));
  return DataLoss(std::move(text) + ": unexpected HTTP status");
}

Status CurlStatus(int curl_code, std::string_view curl_message, std::string_view what) {
  const std::string text = std::string(what) + ": " + std::string(curl_message);
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceeded(text);
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_AGAIN:
      return Unavailable(text);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return InvalidArgument(text);
    case CURLE_OUT_OF_MEMORY:
      return ResourceExhausted(text);
    default:
      return Internal(text);
  }
}

}  // namespace pixfleet
