// XmlEscape: text made safe inside XML character data and double-quoted attribute values
// (& < > " become entities). Used by the S3 request bodies and the simulator's SVG chart.
#pragma once

#include <string>
#include <string_view>

namespace pixfleet {

std::string XmlEscape(std::string_view text);

}  // namespace pixfleet
