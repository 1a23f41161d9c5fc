// Terminal-safe text: see the header. One decoder walks the text a character at a time; a byte
// that does not start a valid UTF-8 sequence is taken alone.
#include "core/terminal_text.h"

#include <cstdint>

#include <fmt/format.h>

namespace pixfleet {
namespace {

struct Decoded {
  char32_t code_point = 0;
  size_t length = 0;  // 0: the byte at the position starts no valid sequence
};

// The valid UTF-8 sequence at `at` (no overlong forms, no surrogates, nothing above U+10FFFF).
Decoded DecodeAt(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(at);
  if (lead < 0x80) return {lead, 1};
  size_t length = 0;
  char32_t code_point = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
    minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
    minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
    minimum = 0x10000;
  } else {
    return {};
  }
  if (at + length > text.size()) return {};
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return {};
    code_point = (code_point << 6) | (byte(at + i) & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return {};
  }
  return {code_point, length};
}

// Characters outside ASCII that a terminal acts on or that reorder or break the displayed line.
bool IsInvisibleControl(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) ||      // C1 controls (0x9B is CSI)
         c == 0x200E || c == 0x200F ||    // left-to-right and right-to-left marks
         (c >= 0x202A && c <= 0x202E) ||  // bidirectional embeddings and overrides
         (c >= 0x2066 && c <= 0x2069) ||  // bidirectional isolates
         c == 0x2028 || c == 0x2029;      // line and paragraph separators
}

std::string UnicodeEscape(char32_t c) { return fmt::format("\\u{:04x}", static_cast<uint32_t>(c)); }

}  // namespace

std::string TerminalText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const Decoded decoded = DecodeAt(text, at);
    if (decoded.length == 0) {
      out += fmt::format("\\x{:02x}", static_cast<uint8_t>(text[at]));
      ++at;
      continue;
    }
    const char32_t c = decoded.code_point;
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", static_cast<uint32_t>(c));
    } else if (IsInvisibleControl(c)) {
      out += UnicodeEscape(c);
    } else {
      out.append(text.substr(at, decoded.length));
    }
    at += decoded.length;
  }
  return out;
}

std::string TerminalSafeJson(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (size_t at = 0; at < json.size();) {
    const Decoded decoded = DecodeAt(json, at);
    const size_t length = decoded.length == 0 ? 1 : decoded.length;
    if (decoded.length != 0 &&
        (decoded.code_point == 0x7F || IsInvisibleControl(decoded.code_point))) {
      out += UnicodeEscape(decoded.code_point);
    } else {
      out.append(json.substr(at, length));
    }
    at += length;
  }
  return out;
}

}  // namespace pixfleet
