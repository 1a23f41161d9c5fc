// Generated test images: encoded files made in memory with libvips from synthetic but photo-like
// content (gradients, shapes, noise), in every format and pixel kind the engine accepts, plus
// broken inputs (truncated, corrupt, empty, text, SVG, over the pixel limit) and named sample
// sets written to folders. Deterministic for a given spec and seed. No GoogleTest dependency, so
// tools (pixfleet-samples) and benchmarks can use it too.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace pixfleet {

enum class TestFormat { kJpeg, kPng, kWebp, kTiff, kGif, kHeic, kAvif };

enum class TestPixels {
  kRgb,    // 8-bit sRGB
  kGrey,   // 8-bit, one band
  kCmyk,   // 4-band CMYK (JPEG or TIFF), no embedded profile
  kRgba,   // 8-bit sRGB with a varying alpha band (not JPEG)
  kRgb16,  // 16-bit RGB (PNG or TIFF)
};

enum class TestPattern {
  kPhoto,               // gradients + shapes + noise, placed by the seed
  kSolid,               // every pixel `colour`
  kHorizontalGradient,  // brightness rises left to right (dHash 0)
  kSplitGradient,       // rises left to right in the top half, falls in the bottom half
};

struct TestImageSpec {
  int width = 640;
  int height = 480;
  TestFormat format = TestFormat::kJpeg;
  TestPixels pixels = TestPixels::kRgb;
  int orientation = 1;  // EXIF orientation 1..8; only formats that store it (JPEG, WebP, TIFF)
  uint32_t seed = 1;
  TestPattern pattern = TestPattern::kPhoto;
  std::array<uint8_t, 3> colour = {200, 120, 40};  // kSolid
  int quality = 90;                                // lossy formats
};

// File extension without dot: "jpg", "png", "webp", "tif", "gif", "heic", "avif".
const char* TestFormatExtension(TestFormat format);

// The encoded image. kInvalidArgument for combinations a format cannot hold (alpha in JPEG,
// 16-bit in WebP, an orientation in PNG/GIF/HEIF) or sizes < 1; the orientation is read back
// from the encoded bytes before returning.
Result<std::string> MakeTestImage(const TestImageSpec& spec);

enum class BrokenKind {
  kTruncatedJpeg,  // a valid JPEG cut in half
  kTruncatedPng,   // a valid PNG cut in half
  kCorruptJpeg,    // garbage over the middle of the entropy-coded data (see test_images.cc)
  kCorruptPng,     // garbage in the middle of the IDAT data (CRC mismatch)
  kEmpty,          // zero bytes
  kText,           // plain text notes
  kSvg,            // an SVG document (named .png in the "broken" set)
  kHugePng,        // a real 12000x9000 single-colour PNG: 108 MP, over the default limit
  kLyingJpeg,      // a 300x200 JPEG whose header claims 9500x9500: its data ends early
};

Result<std::string> MakeBrokenImage(BrokenKind kind);

// Damage done to a valid file, for the corpus of damaged inputs (docs/task_lifecycle.md):
// The JPEG with its frame header (SOF) claiming `width` x `height`: its data then ends long
// before the declared size, at the EOI marker. kInvalidArgument if `jpeg` has no SOF.
Result<std::string> WithJpegSizeClaim(std::string_view jpeg, int width, int height);
// The JPEG with `junk` (no 0xFF byte) inserted before its first `marker` segment (0xDB: the
// quantisation table): libjpeg's "N extraneous bytes before marker" warning, harmless.
Result<std::string> WithBytesBeforeJpegMarker(std::string_view jpeg, uint8_t marker,
                                              std::string_view junk);
// The PNG with the CRC of its first `chunk` ("IHDR", "IDAT") flipped.
Result<std::string> WithPngChunkCrcBroken(std::string_view png, std::string_view chunk);
// The PNG with a tEXt chunk ("Comment", `text`) after its header, whose CRC is wrong unless
// `good_crc`: damage to ancillary data, which loses no pixel.
Result<std::string> WithPngTextChunk(std::string_view png, std::string_view text, bool good_crc);
// The first `fraction` (0..1) of `bytes`.
std::string Truncated(std::string_view bytes, double fraction);

// One file of a sample set and the failure the engine should report for it (kOk: succeeds).
struct SampleFile {
  std::string path;  // relative, with '/' separators: "holiday/beach-0003.jpg"
  std::variant<TestImageSpec, BrokenKind> content;
  StatusCode expected = StatusCode::kOk;
};

// "bench": 40 camera-sized (4000x3000) JPEGs; "soak": 3,000 small JPEGs.
// "demo": ~24 varied photos (JPEG/PNG/WebP, colour and grey, a few orientations, 640x480 up to
// 4000x3000) in sub-folders. "formats": every format and kind (orientations 1..8, grey, CMYK,
// 16-bit, alpha, 1x1, an 8000x5200 JPEG). "broken": the broken inputs with realistic names.
std::vector<std::string> SampleSetNames();
Result<std::vector<SampleFile>> SampleSet(std::string_view set);

// The bytes of one sample file.
Result<std::string> MakeSampleFile(const SampleFile& file);

// Writes every file of `set` under `dir` (created as needed).
Status WriteSampleSet(const std::filesystem::path& dir, std::string_view set);

}  // namespace pixfleet
