// Encoders. Every call names its options explicitly rather than relying on libvips defaults,
// which changed between versions (8.14 has `strip`, later ones `keep`).
#include "imaging/encode.h"

#include <algorithm>
#include <vector>

#include "imaging/colour.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

int Quality(const EncodeOptions& options) { return std::clamp(options.quality, 1, 100); }

vips::VImage FlattenOnWhite(const vips::VImage& in) {
  if (!in.has_alpha()) return in;
  const std::vector<double> white(static_cast<size_t>(in.bands() - 1), 255.0);
  return in.flatten(vips::VImage::option()->set("background", white));
}

}  // namespace

vips::VImage PrepareForEncoding(const vips::VImage& in, const EncodeOptions& options) {
  vips::VImage image = ToEncodable(in, options.strip);
  if (options.format == ImageFormat::kJpeg) image = FlattenOnWhite(image);
  return image;
}

std::string Encode(const vips::VImage& prepared, const EncodeOptions& options) {
  const bool strip = options.strip;
  switch (options.format) {
    case ImageFormat::kJpeg:
      return TakeBlob(prepared.jpegsave_buffer(vips::VImage::option()
                                                   ->set("Q", Quality(options))
                                                   ->set("optimize_coding", true)
                                                   ->set("strip", strip)));
    case ImageFormat::kPng:
      return TakeBlob(prepared.pngsave_buffer(
          vips::VImage::option()->set("compression", 6)->set("strip", strip)));
    case ImageFormat::kWebp:
      return TakeBlob(prepared.webpsave_buffer(
          vips::VImage::option()->set("Q", Quality(options))->set("strip", strip)));
    case ImageFormat::kAvif:
      return TakeBlob(
          prepared.heifsave_buffer(vips::VImage::option()
                                       ->set("Q", Quality(options))
                                       ->set("compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1)
                                       ->set("effort", kAvifEffort)
                                       ->set("bitdepth", 8)
                                       ->set("strip", strip)));
    case ImageFormat::kTiff:
      // Lossless: quality does not apply.
      return TakeBlob(
          prepared.tiffsave_buffer(vips::VImage::option()
                                       ->set("compression", VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE)
                                       ->set("predictor", VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL)
                                       ->set("strip", strip)));
  }
  throw vips::VError("unknown output format");
}

}  // namespace pixfleet
