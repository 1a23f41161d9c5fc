// StatusCodeFromName: a scan over the enum; there are eleven codes.
#include "results/status_code_name.h"

namespace pixfleet {

std::optional<StatusCode> StatusCodeFromName(std::string_view name) {
  for (int value = static_cast<int>(StatusCode::kOk); value <= static_cast<int>(kLastStatusCode);
       ++value) {
    const auto code = static_cast<StatusCode>(value);
    if (StatusCodeName(code) == name) return code;
  }
  return std::nullopt;
}

}  // namespace pixfleet
