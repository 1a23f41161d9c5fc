// Percent-decoding of URL components ("a%20b" -> "a b"), shared by the backends that parse URLs.
#pragma once

#include <string>
#include <string_view>

namespace pixfleet {

// Decodes every valid %XX escape; a '%' not followed by two hex digits is kept as it is.
// '+' is left alone (it means a space only in form encoding).
std::string PercentDecode(std::string_view text);

}  // namespace pixfleet
