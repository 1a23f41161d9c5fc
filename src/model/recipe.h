// Recipe: what to make of one input image. A recipe names outputs (each a chain of operations,
// an encoding and a key template) and the analyses to record in the result row; it has at least
// one of either (a recipe of analyses only is a probe: it writes no objects).
// Plain data: parsed and validated by recipe_yaml.h, executed by imaging/engine.h.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pixfleet {

// Rotate/flip upright from the EXIF orientation tag, then drop the tag.
struct AutoRotateOp {
  friend bool operator==(const AutoRotateOp&, const AutoRotateOp&) = default;
};

// Convert to sRGB: CMYK, greyscale, 16-bit and profiled inputs end as 8-bit sRGB (alpha kept).
struct ToSrgbOp {
  friend bool operator==(const ToSrgbOp&, const ToSrgbOp&) = default;
};

enum class ResizeFit {
  kInside,  // scale to fit inside width x height, aspect kept
  kCover,   // scale to cover width x height, aspect kept, then crop to exactly width x height
  kFill,    // scale to exactly width x height, aspect not kept
};

enum class Gravity {
  kCentre,     // keep the centre
  kAttention,  // skin tones, saturated colours and detail (imaging/attention.h)
  kEntropy,    // libvips smartcrop: the busiest region
};

struct ResizeOp {
  int width = 0;
  int height = 0;
  ResizeFit fit = ResizeFit::kInside;
  Gravity gravity = Gravity::kCentre;  // used by kCover to choose what to keep
  bool enlarge = false;                // when false, an image smaller than the box is not upscaled
  friend bool operator==(const ResizeOp&, const ResizeOp&) = default;
};

// Cut a width x height region; an image smaller than the region in a dimension keeps that size.
struct CropOp {
  int width = 0;
  int height = 0;
  Gravity gravity = Gravity::kCentre;
  friend bool operator==(const CropOp&, const CropOp&) = default;
};

using Operation = std::variant<AutoRotateOp, ToSrgbOp, ResizeOp, CropOp>;

enum class ImageFormat { kJpeg, kPng, kWebp, kAvif, kTiff };

struct EncodeOptions {
  ImageFormat format = ImageFormat::kJpeg;
  int quality = 80;   // 1..100; ignored by PNG (lossless)
  bool strip = true;  // drop EXIF/XMP/IPTC/ICC metadata
  // How hard the encoder works for fewer bytes at the same quality: within the format's
  // EffortRange; none for the format's standard effort.
  std::optional<int> effort;
  friend bool operator==(const EncodeOptions&, const EncodeOptions&) = default;
};

// The encoder efforts a format accepts. More effort costs CPU and saves bytes; the pixels an
// output decodes to change only for the lossy formats' search (WebP, AVIF), never for JPEG's
// Huffman tables or PNG's zlib level. The standard effort is what an output without `effort`
// gets: jpeg 0-2, 1 (0: libjpeg's stock Huffman tables; 1: tables fitted to a sample of the
// image's rows, 1-7 % smaller, ~1.2x the encode CPU; 2: fitted to the whole image, a few tenths
// of a per cent smaller again, 2-2.7x); png 0-9, 6 (zlib's level); webp 0-6, 4 (libwebp's method);
// avif 0-9, 2 (libvips' effort; libaom's speed reversed). TIFF takes no effort (deflate at
// zlib's default level): EffortRangeOf returns none.
struct EffortRange {
  int lowest = 0;
  int highest = 0;
  int standard = 0;
};
std::optional<EffortRange> EffortRangeOf(ImageFormat format);

// options.effort, or the format's standard effort (0 for a format that takes none).
int EffortOf(const EncodeOptions& options);

// Default key layout: the input's relative path without extension, then one file per output.
inline constexpr const char* kDefaultKeyTemplate = "{path}/{name}.{ext}";

struct OutputSpec {
  std::string name;  // unique within the recipe: [A-Za-z0-9_-]+
  std::vector<Operation> operations;
  EncodeOptions encode;
  std::string key_template = kDefaultKeyTemplate;
  friend bool operator==(const OutputSpec&, const OutputSpec&) = default;
};

// kSha256 is of the input file's bytes: it never looks inside the image (a recipe with no outputs
// and only sha256 does no image work at all, and accepts any file).
enum class Analysis { kWidth, kHeight, kFormat, kOrientation, kMeanColour, kDhash, kSha256 };

struct Recipe {
  std::string name;
  std::vector<OutputSpec> outputs;  // none only when there are analyses (a probe recipe)
  std::vector<Analysis> analyses;   // no duplicates
  friend bool operator==(const Recipe&, const Recipe&) = default;
};

// Short name recorded in results ("jpeg", "tiff"), file extension without dot ("jpg", "tif")
// and MIME type ("image/jpeg") of a format.
const char* FormatName(ImageFormat format);
const char* FormatExtension(ImageFormat format);
const char* FormatMimeType(ImageFormat format);

}  // namespace pixfleet
