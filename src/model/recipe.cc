#include "model/recipe.h"

namespace pixfleet {

const char* FormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
      return "jpeg";
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kWebp:
      return "webp";
    case ImageFormat::kAvif:
      return "avif";
    case ImageFormat::kTiff:
      return "tiff";
  }
  return "unknown";
}

const char* FormatExtension(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
      return "jpg";
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kWebp:
      return "webp";
    case ImageFormat::kAvif:
      return "avif";
    case ImageFormat::kTiff:
      return "tif";
  }
  return "bin";
}

const char* FormatMimeType(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
      return "image/jpeg";
    case ImageFormat::kPng:
      return "image/png";
    case ImageFormat::kWebp:
      return "image/webp";
    case ImageFormat::kAvif:
      return "image/avif";
    case ImageFormat::kTiff:
      return "image/tiff";
  }
  return "application/octet-stream";
}

}  // namespace pixfleet
