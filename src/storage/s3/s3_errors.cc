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

Status S3ErrorCodeStatus(std::string_view s3_code, std::string_view message,
                         std::string_view what) {
  std::string text = std::string(what) + ": S3 error " + std::string(s3_code);
  if (!message.empty()) text += " (" + std::string(message) + ")";
  if (IsRetryableS3Code(s3_code)) return Unavailable(std::move(text));
  if (s3_code == "AccessDenied") return InvalidArgument(std::move(text) + ": access denied");
  return InvalidArgument(std::move(text));
}

Status S3HttpStatus(long http_status, std::string_view body, std::string_view what) {
  const S3ErrorDocument error = ParseS3Error(body);
  std::string text = Describe(what, http_status, error);
  if (http_status == 404) return NotFound(std::move(text));
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
