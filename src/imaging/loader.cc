// Loader identification and header reading. vips_foreign_find_load_buffer() names the loader
// class even when that loader is blocked, which is what lets an SVG be reported as "unsupported
// image format 'svg'" rather than as unreadable.
#include "imaging/loader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "imaging/encoded_input.h"
#include "imaging/vips_util.h"
#include "imaging/vips_warnings.h"

namespace pixfleet {
namespace {

constexpr std::string_view kLoaderPrefix = "VipsForeignLoad";

struct KnownLoader {
  std::string_view class_stem;  // class name without prefix and Buffer/File/Source suffix
  std::string_view format;
};

constexpr std::array<KnownLoader, 6> kSupportedLoaders = {{
    {"Jpeg", "jpeg"},
    {"Png", "png"},
    {"Webp", "webp"},
    {"Tiff", "tiff"},
    {"Nsgif", "gif"},
    {"Heif", "heif"},
}};

std::string_view StripSuffix(std::string_view text) {
  for (std::string_view suffix : {"Buffer", "Source", "File"}) {
    if (text.size() > suffix.size() && text.ends_with(suffix)) {
      return text.substr(0, text.size() - suffix.size());
    }
  }
  return text;
}

std::string Lowercase(std::string_view text) {
  std::string out;
  for (char c : text) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string Format1(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string Mebibytes(uint64_t bytes) {
  return Format1("%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

std::string Megapixels(uint64_t pixels) {
  return Format1("%.1f MP", static_cast<double>(pixels) / 1e6);
}

int ReadOrientation(const vips::VImage& image) {
  if (image.get_typeof(VIPS_META_ORIENTATION) == 0) return 1;
  int orientation = 1;
  if (vips_image_get_int(image.get_image(), VIPS_META_ORIENTATION, &orientation) != 0) {
    vips_error_clear();
    return 1;
  }
  return (orientation >= 1 && orientation <= 8) ? orientation : 1;
}

}  // namespace

LoaderFormat FormatFromLoaderClass(std::string_view class_name) {
  std::string_view stem = class_name;
  if (stem.starts_with(kLoaderPrefix)) stem.remove_prefix(kLoaderPrefix.size());
  stem = StripSuffix(stem);
  for (const KnownLoader& loader : kSupportedLoaders) {
    if (stem == loader.class_stem) return {std::string(loader.format), true};
  }
  return {Lowercase(stem), false};
}

Status CheckInputSize(std::string_view input, const EngineLimits& limits) {
  return CheckInputSize(static_cast<uint64_t>(input.size()), limits);
}

Status CheckInputSize(uint64_t size, const EngineLimits& limits) {
  if (size == 0) return InvalidArgument("empty file (0 bytes)");
  if (size > limits.max_input_bytes) {
    return ResourceExhausted("file is " + Mebibytes(size) + " (" + std::to_string(size) +
                             " bytes), over the limit of " + Mebibytes(limits.max_input_bytes) +
                             " (" + std::to_string(limits.max_input_bytes) + " bytes)");
  }
  return Status::Ok();
}

namespace {

// Whether `input` holds `magic` at `offset`.
bool HasMagicAt(std::string_view input, size_t offset, std::string_view magic) {
  return input.size() >= offset + magic.size() && input.substr(offset, magic.size()) == magic;
}

}  // namespace

std::optional<Signature> SniffSignature(std::string_view input) {
  static constexpr std::array<std::string_view, 11> kHeifBrands = {
      "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "avif"};
  const auto at = [input](size_t offset, std::string_view magic) {
    return HasMagicAt(input, offset, magic);
  };
  if (at(0, "\xFF\xD8\xFF")) return Signature{"jpeg", "jpegload_buffer"};
  if (at(0, "\x89PNG\r\n\x1A\n")) return Signature{"png", "pngload_buffer"};
  if (at(0, "GIF87a") || at(0, "GIF89a")) return Signature{"gif", "gifload_buffer"};
  if (at(0, "RIFF") && at(8, "WEBP")) return Signature{"webp", "webpload_buffer"};
  if (at(0, std::string_view("II*\0", 4)) || at(0, std::string_view("MM\0*", 4)) ||
      at(0, std::string_view("II+\0", 4)) || at(0, std::string_view("MM\0+", 4))) {
    return Signature{"tiff", "tiffload_buffer"};
  }
  if (at(4, "ftyp") && input.size() >= 12 &&
      std::find(kHeifBrands.begin(), kHeifBrands.end(), input.substr(8, 4)) != kHeifBrands.end()) {
    return Signature{"heif", "heifload_buffer"};
  }
  return std::nullopt;
}

std::optional<std::string_view> SniffUnsupportedFormat(std::string_view input) {
  const auto at = [input](size_t offset, std::string_view magic) {
    return HasMagicAt(input, offset, magic);
  };
  if (at(0, "%PDF-")) return "pdf";
  if (at(0, "8BPS")) return "psd";
  if (at(0, "\xFF\x0A") || at(0, std::string_view("\0\0\0\x0CJXL \r\n\x87\n", 12))) return "jxl";
  if (at(0, std::string_view("\0\0\0\x0CjP  \r\n\x87\n", 12)) || at(0, "\xFF\x4F\xFF\x51")) {
    return "jp2k";
  }
  // "BM", then the file's size and two reserved zero words: too short a magic on its own.
  if (at(0, "BM") && at(6, std::string_view("\0\0\0\0", 4))) return "bmp";
  return std::nullopt;
}

Result<ImageHeader> ReadImageHeader(std::string_view input) {
  return ReadImageHeader(EncodedInput::FromBytes(input));
}

Result<ImageHeader> ReadImageHeader(const EncodedInput& input) {
  const char* loader = input.FindLoader();
  if (loader == nullptr) vips_error_clear();
  LoaderFormat format = loader == nullptr ? LoaderFormat{} : FormatFromLoaderClass(loader);
  std::string_view forced_loader;  // empty: the one libvips finds
  if (!format.supported) {
    // libvips 8.14's TIFF test opens the file, so a TIFF cut before its directory is not
    // recognised and goes to a catch-all loader (ImageMagick's, blocked). A file that starts like
    // a supported format is read by that format's loader instead, for the reason it fails.
    const std::optional<Signature> signature = SniffSignature(input.Head());
    if (!signature.has_value()) {
      if (loader == nullptr) {
        if (const auto unsupported = SniffUnsupportedFormat(input.Head())) {
          return InvalidArgument("unsupported image format '" + std::string(*unsupported) + "'");
        }
        return InvalidArgument("not an image (unrecognised content)");
      }
      return InvalidArgument("unsupported image format '" + format.name + "'");
    }
    format = {std::string(signature->format), true};
    forced_loader = signature->loader;
  }

  ImageHeader header;
  header.format = std::move(format.name);
  // Reading the header runs on this thread: the decoder's warnings reach the capture (libpng's
  // "IHDR: CRC error" arrives only that way).
  const VipsWarningCapture capture;
  try {
    // Opening reads the header only; pixels are decoded lazily and this image is never computed.
    vips::VOption* options = vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL);
    const vips::VImage image =
        forced_loader.empty() ? input.Open(options) : input.OpenWith(forced_loader, options);
    header.stored = {image.width(), image.height()};
    header.orientation = ReadOrientation(image);
  } catch (const vips::VError& error) {
    return InvalidArgument("corrupt or truncated image: " +
                           FailureReason(error.what(), header.format, capture.Messages()));
  }
  if (header.stored.width <= 0 || header.stored.height <= 0) {
    return InvalidArgument("corrupt or truncated image: header gives no size");
  }
  return header;
}

Status CheckPixelLimit(const ImageHeader& header, const EngineLimits& limits) {
  const uint64_t pixels =
      static_cast<uint64_t>(header.stored.width) * static_cast<uint64_t>(header.stored.height);
  if (pixels <= limits.max_pixels) return Status::Ok();
  return ResourceExhausted("image is " + std::to_string(header.stored.width) + "x" +
                           std::to_string(header.stored.height) + " = " + Megapixels(pixels) +
                           ", over the limit of " + Megapixels(limits.max_pixels));
}

}  // namespace pixfleet
