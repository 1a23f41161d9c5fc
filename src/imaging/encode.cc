// Encoders. Every call names its options explicitly rather than relying on libvips defaults,
// which changed between versions (8.14 has `strip`, later ones `keep`).
#include "imaging/encode.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "imaging/colour.h"
#include "imaging/compute_here.h"
#include "imaging/jpeg_writer.h"
#include "imaging/vips_util.h"
#include "imaging/webp_writer.h"

namespace pixfleet {
namespace {

int Quality(const EncodeOptions& options) { return std::clamp(options.quality, 1, 100); }

// JPEG's efforts are its Huffman tables: 0 libjpeg's stock ones, 1 (the standard) fitted to a
// sample of the blocks, 2 fitted to every block. libvips' jpegsave fits them to every block or
// not at all: effort 1 and 2 there.
bool OptimizeCoding(const EncodeOptions& options) { return EffortOf(options) >= 1; }

HuffmanTables TablesFor(const EncodeOptions& options) {
  switch (EffortOf(options)) {
    case 0:
      return HuffmanTables::kStock;
    case 1:
      return HuffmanTables::kSampled;
    default:
      return HuffmanTables::kWhole;
  }
}

vips::VImage FlattenOnWhite(const vips::VImage& in) {
  if (!in.has_alpha()) return in;
  const std::vector<double> white(static_cast<size_t>(in.bands() - 1), 255.0);
  return in.flatten(vips::VImage::option()->set("background", white));
}

// The own writers write no metadata: only for outputs that strip it.
bool JpegWriterTakes(const vips::VImage& image, const EncodeOptions& options) {
  return options.strip && OwnCodeReads(image) && (image.bands() == 1 || image.bands() == 3);
}

bool WebpWriterTakes(const vips::VImage& image, const EncodeOptions& options) {
  return options.strip && OwnCodeReads(image) && image.bands() >= 3;
}

std::string OrThrow(Result<std::string> bytes) {
  if (!bytes.ok()) throw vips::VError(bytes.error().message());
  return std::move(*bytes);
}

std::string WriteJpeg(const vips::VImage& image, const EncodeOptions& options,
                      const Deadline& deadline) {
  constexpr double kMillimetresPerInch = 25.4;
  const JpegSettings settings{.quality = Quality(options),
                              .tables = TablesFor(options),
                              .dots_per_inch = image.xres() * kMillimetresPerInch};
  if (settings.tables == HuffmanTables::kSampled) {
    // The sample and then the whole: rows in memory, read twice where they lie.
    const vips::VImage computed = InMemory(image, deadline);
    return OrThrow(EncodeJpeg(PixelsOf(computed), settings));
  }
  RowsHere rows(image, deadline);
  return OrThrow(EncodeJpeg({image.width(), image.height()}, image.bands(), settings,
                            [&rows](int y) { return rows.Row(y); }));
}

std::string WriteWebp(const vips::VImage& image, const EncodeOptions& options,
                      const Deadline& deadline) {
  // libwebp converts the whole picture to YUV before encoding: it needs every row at once.
  const vips::VImage computed = InMemory(image, deadline);
  return OrThrow(EncodeWebp(PixelsOf(computed), Quality(options), EffortOf(options)));
}

}  // namespace

vips::VImage PrepareForEncoding(const vips::VImage& in, const EncodeOptions& options) {
  vips::VImage image = ToEncodable(in, options.strip);
  if (options.format == ImageFormat::kJpeg) image = FlattenOnWhite(image);
  return image;
}

std::string Encode(const vips::VImage& prepared, const EncodeOptions& options,
                   const Deadline& deadline) {
  const bool strip = options.strip;
  switch (options.format) {
    case ImageFormat::kJpeg:
      if (JpegWriterTakes(prepared, options)) return WriteJpeg(prepared, options, deadline);
      return TakeBlob(prepared.jpegsave_buffer(vips::VImage::option()
                                                   ->set("Q", Quality(options))
                                                   ->set("optimize_coding", OptimizeCoding(options))
                                                   ->set("strip", strip)));
    case ImageFormat::kPng:
      return TakeBlob(prepared.pngsave_buffer(
          vips::VImage::option()->set("compression", EffortOf(options))->set("strip", strip)));
    case ImageFormat::kWebp:
      if (WebpWriterTakes(prepared, options)) return WriteWebp(prepared, options, deadline);
      return TakeBlob(prepared.webpsave_buffer(vips::VImage::option()
                                                   ->set("Q", Quality(options))
                                                   ->set("effort", EffortOf(options))
                                                   ->set("strip", strip)));
    case ImageFormat::kAvif:
      return TakeBlob(
          prepared.heifsave_buffer(vips::VImage::option()
                                       ->set("Q", Quality(options))
                                       ->set("compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1)
                                       ->set("effort", EffortOf(options))
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
