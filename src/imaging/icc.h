// Just enough ICC profile parsing to decide colour handling without lcms: the profile's colour
// space (from the header) and its description (the 'desc' tag, ICC v2 'desc' or v4 'mluc').
// Pure functions over bytes; malformed profiles give kOther / an empty description, never a crash.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace pixfleet {

enum class IccColourSpace { kRgb, kCmyk, kGrey, kLab, kOther };

IccColourSpace IccProfileColourSpace(std::span<const uint8_t> profile);

// The profile's description as ASCII (non-ASCII characters dropped), "" when absent or malformed.
std::string IccProfileDescription(std::span<const uint8_t> profile);

// True for an RGB profile whose description names sRGB ("sRGB IEC61966-2.1", "sRGB built-in"):
// converting from it to sRGB would change nothing, so the transform is skipped.
bool IsSrgbProfile(std::span<const uint8_t> profile);

}  // namespace pixfleet
