// Input checks before any pixel is decoded: byte size, which libvips loader would read the bytes
// (only jpeg, png, webp, tiff, gif and heif are accepted), the header (size, orientation) and the
// pixel limit. Messages do not name the input; the engine adds that.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "imaging/engine.h"
#include "imaging/resize_plan.h"

namespace pixfleet {

class EncodedInput;  // imaging/encoded_input.h (libvips headers: kept out of the pure tests)

struct LoaderFormat {
  std::string name;  // "jpeg", "png", "webp", "tiff", "gif", "heif"; or e.g. "svg", "pdf"
  bool supported = false;
};

// The supported format a file's first bytes announce, whatever libvips makes of the rest.
struct Signature {
  std::string_view format;  // "jpeg", "png", "gif", "webp", "tiff", "heif"
  std::string_view loader;  // the libvips operation that reads it: "tiffload_buffer"
};
std::optional<Signature> SniffSignature(std::string_view input);

// The unsupported format a file's first bytes announce, for the refusal's message: libvips has
// no loader for it here ("pdf", "bmp", "psd", "jxl", "jp2k": their libvips modules are not
// loaded, or do not exist), or nullopt.
std::optional<std::string_view> SniffUnsupportedFormat(std::string_view input);

// Maps a libvips loader class name ("VipsForeignLoadJpegBuffer", "VipsForeignLoadNsgifBuffer",
// "VipsForeignLoadSvgBuffer") to the short format name and whether pixfleet accepts it.
LoaderFormat FormatFromLoaderClass(std::string_view class_name);

struct ImageHeader {
  std::string format;   // a supported LoaderFormat name
  Size stored;          // as stored, before orientation
  int orientation = 1;  // EXIF orientation 1..8; 1 when absent or invalid
};

// kInvalidArgument "empty file (0 bytes)"; kResourceExhausted when over max_input_bytes.
Status CheckInputSize(std::string_view input, const EngineLimits& limits);
Status CheckInputSize(uint64_t size, const EngineLimits& limits);

// Identifies the loader and reads the header (no decode). kInvalidArgument "not an image
// (unrecognised content)", "unsupported image format 'svg'", "corrupt or truncated image: ...";
// a file that starts like a supported format but that libvips takes for another (a TIFF cut
// before its directory) is "corrupt or truncated" with its own loader's reason.
Result<ImageHeader> ReadImageHeader(std::string_view input);
Result<ImageHeader> ReadImageHeader(const EncodedInput& input);

// kResourceExhausted "image is 12000x9000 = 108.0 MP, over the limit of 100.0 MP".
Status CheckPixelLimit(const ImageHeader& header, const EngineLimits& limits);

}  // namespace pixfleet
