// ICC header and tag-table reading. Layout (ICC.1:2010): colour space signature at bytes 16..19,
// tag count at 128, then 12-byte entries (signature, offset, size); offsets are from the start.
#include "imaging/icc.h"

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace pixfleet {
namespace {

constexpr size_t kHeaderSize = 128;

uint32_t ReadBigEndian32(std::span<const uint8_t> bytes, size_t at) {
  return (uint32_t{bytes[at]} << 24) | (uint32_t{bytes[at + 1]} << 16) |
         (uint32_t{bytes[at + 2]} << 8) | uint32_t{bytes[at + 3]};
}

bool HasSignature(std::span<const uint8_t> bytes, size_t at, std::string_view signature) {
  if (at + 4 > bytes.size()) return false;
  for (size_t i = 0; i < 4; ++i) {
    if (bytes[at + i] != static_cast<uint8_t>(signature[i])) return false;
  }
  return true;
}

// The bytes of tag `signature`, or an empty span when absent or out of bounds.
std::span<const uint8_t> FindTag(std::span<const uint8_t> profile, std::string_view signature) {
  if (profile.size() < kHeaderSize + 4) return {};
  const uint32_t count = ReadBigEndian32(profile, kHeaderSize);
  for (uint32_t i = 0; i < count; ++i) {
    const size_t entry = kHeaderSize + 4 + size_t{i} * 12;
    if (entry + 12 > profile.size()) return {};
    if (!HasSignature(profile, entry, signature)) continue;
    const size_t offset = ReadBigEndian32(profile, entry + 4);
    const size_t size = ReadBigEndian32(profile, entry + 8);
    if (offset > profile.size() || size > profile.size() - offset) return {};
    return profile.subspan(offset, size);
  }
  return {};
}

std::string AsciiOnly(std::span<const uint8_t> chars, size_t step) {
  std::string out;
  for (size_t i = 0; i < chars.size(); i += step) {
    const uint8_t c = chars[i];
    if (c == 0 && step == 1) break;
    if (c >= 0x20 && c < 0x7f) out.push_back(static_cast<char>(c));
  }
  return out;
}

}  // namespace

IccColourSpace IccProfileColourSpace(std::span<const uint8_t> profile) {
  if (profile.size() < kHeaderSize) return IccColourSpace::kOther;
  if (HasSignature(profile, 16, "RGB ")) return IccColourSpace::kRgb;
  if (HasSignature(profile, 16, "CMYK")) return IccColourSpace::kCmyk;
  if (HasSignature(profile, 16, "GRAY")) return IccColourSpace::kGrey;
  if (HasSignature(profile, 16, "Lab ")) return IccColourSpace::kLab;
  return IccColourSpace::kOther;
}

std::string IccProfileDescription(std::span<const uint8_t> profile) {
  const std::span<const uint8_t> tag = FindTag(profile, "desc");
  if (tag.size() < 12) return "";
  if (HasSignature(tag, 0, "desc")) {
    // v2 textDescriptionType: 'desc', reserved, ASCII count (with NUL), ASCII.
    const size_t count = ReadBigEndian32(tag, 8);
    return AsciiOnly(tag.subspan(12, std::min(count, tag.size() - 12)), 1);
  }
  if (HasSignature(tag, 0, "mluc") && tag.size() >= 28) {
    // v4 multiLocalizedUnicodeType: first record's UTF-16BE string; keep the low bytes.
    const size_t length = ReadBigEndian32(tag, 20);
    const size_t offset = ReadBigEndian32(tag, 24);
    if (length < 2 || offset > tag.size() || length > tag.size() - offset) return "";
    return AsciiOnly(tag.subspan(offset + 1, length - 1), 2);
  }
  return "";
}

bool IsSrgbProfile(std::span<const uint8_t> profile) {
  return IccProfileColourSpace(profile) == IccColourSpace::kRgb &&
         IccProfileDescription(profile).find("sRGB") != std::string::npos;
}

}  // namespace pixfleet
