#include "model/recipe.h"

#include <cstddef>
#include <iterator>

namespace pixfleet {

namespace {

struct FormatNames {
  const char* name;
  const char* extension;
  const char* mime_type;
};

// One row per ImageFormat, in enum order.
constexpr FormatNames kFormats[] = {
    {"jpeg", "jpg", "image/jpeg"},  {"png", "png", "image/png"},   {"webp", "webp", "image/webp"},
    {"avif", "avif", "image/avif"}, {"tiff", "tif", "image/tiff"},
};
static_assert(std::size(kFormats) == static_cast<size_t>(ImageFormat::kTiff) + 1);

const FormatNames& Names(ImageFormat format) { return kFormats[static_cast<size_t>(format)]; }

}  // namespace

const char* FormatName(ImageFormat format) { return Names(format).name; }
const char* FormatExtension(ImageFormat format) { return Names(format).extension; }
const char* FormatMimeType(ImageFormat format) { return Names(format).mime_type; }

}  // namespace pixfleet
