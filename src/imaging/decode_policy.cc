#include "imaging/decode_policy.h"

#include <array>

namespace pixfleet {
namespace {

constexpr std::string_view kJpegDomain = "VipsJpeg: ";

// libjpeg-turbo's texts (jerror.h) of the warnings that lose no pixels.
constexpr std::array<std::string_view, 5> kHarmlessJpegWarnings = {
    "extraneous bytes before marker",              // JWRN_EXTRANEOUS_DATA
    "unknown JFIF revision number",                // JWRN_JFIF_MAJOR
    "Unknown Adobe color transform code",          // JWRN_ADOBE_XFORM
    "Corrupt JPEG data: bad ICC marker",           // JWRN_BOGUS_ICC
    "Invalid SOS parameters for sequential JPEG",  // JWRN_NOT_SEQUENTIAL
};

}  // namespace

std::string_view FirstDecodeOptions(std::string_view format) {
  return format == "jpeg" ? "fail_on=warning" : "fail_on=error";
}

std::string_view TolerantDecodeOptions() { return "fail_on=error"; }

bool IsHarmlessJpegWarning(std::string_view line) {
  for (std::string_view warning : kHarmlessJpegWarnings) {
    if (line.find(warning) != std::string_view::npos) return true;
  }
  return false;
}

bool OnlyHarmlessJpegWarnings(std::string_view message) {
  bool any = false;
  while (!message.empty()) {
    const size_t end = message.find('\n');
    const std::string_view line = message.substr(0, end);
    message = end == std::string_view::npos ? std::string_view() : message.substr(end + 1);
    if (!line.starts_with(kJpegDomain)) continue;
    if (!IsHarmlessJpegWarning(line.substr(kJpegDomain.size()))) return false;
    any = true;
  }
  return any;
}

}  // namespace pixfleet
