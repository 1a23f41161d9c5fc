// ImageEngine: runs a recipe on one encoded image. Pure: bytes (or a local file, read as it is
// decoded) in, encoded outputs and analysis out; no other files, no network. The input is decoded
// once (with shrink-on-load to the largest size any output needs) and every output is derived from
// that one decoded image. Safety limits are checked from the header before any pixel is decoded.
// Errors:
//   kInvalidArgument   corrupt, truncated, empty or unsupported input; blocked loader
//   kResourceExhausted over max_pixels or max_input_bytes, or over the time limit
//   kCancelled         the caller's cancel token was requested (the input is not to blame)
//   kInternal          an encoder failed on a decoded image (a bug or a libvips limit)
// Every message names the reason in words a user understands. Thread-safe after
// InitImageEngine(); one call uses one thread for its libvips work by default.
#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/recipe.h"
#include "model/result.h"

namespace pixfleet {

struct EngineLimits {
  uint64_t max_pixels = 100'000'000;           // width x height of the (first) frame
  uint64_t max_input_bytes = 256ull << 20;     // 256 MiB
  std::chrono::milliseconds timeout{120'000};  // wall time for one image, all outputs
};

struct EngineOptions {
  // Unblocks libvips' unfuzzed loaders (SVG, PDF, ImageMagick, JPEG 2000, JXL, ...). Input is
  // still limited to JPEG, PNG, WebP, TIFF, GIF and HEIF (HEIC/AVIF) by ProcessImage.
  bool allow_untrusted_loaders = false;
  int vips_threads_per_image = 1;  // parallelism comes from running tasks side by side
  bool log_vips_warnings = false;  // libvips' decoder warnings to stderr (very chatty)
};

// Process-wide libvips start-up: init, operation cache off, untrusted loaders blocked unless
// allowed, per-image thread count. Call once before any other function here; later calls with
// the same options are no-ops, with other options they re-apply the thread count and loader
// blocking (log_vips_warnings is fixed by the first call). Thread-safe. kInternal if libvips
// cannot start; kInvalidArgument if vips_threads_per_image < 1.
Status InitImageEngine(const EngineOptions& options);

struct EncodedOutput {
  std::string name;       // the recipe's output name
  std::string extension;  // "jpg"
  std::string content_type;
  std::string bytes;
  int width = 0;
  int height = 0;
  std::string format;  // "jpeg"
};

struct EngineResult {
  std::vector<EncodedOutput> outputs;  // in recipe order
  ImageAnalysis analysis;              // the analyses the recipe asked for
};

// Runs `recipe` on `input`. `input_name` is used in error messages only: every message starts
// with "<input_name>: ". Accepted input: JPEG, PNG, WebP, TIFF, GIF (first frame) and HEIF
// (HEIC, AVIF); anything else is kInvalidArgument "unsupported image format 'svg'".
// kInternal "image engine not initialised" before InitImageEngine(). A request on `cancel`
// (from any thread) kills the libvips computation under way, like the time limit, and the call
// returns kCancelled.
Result<EngineResult> ProcessImage(std::string_view input, std::string_view input_name,
                                  const Recipe& recipe, const EngineLimits& limits,
                                  std::stop_token cancel = {});

// The same for the local file at `path`, streamed: libvips reads it in blocks as it decodes, so
// the file is never held whole in memory (a gigapixel JPEG costs about what its shrunk decode
// does). Outputs and errors are those of ProcessImage on the file's bytes, and besides:
// kNotFound when the file is absent, kInvalidArgument when it is a folder or not a regular file,
// kFailedPrecondition when it cannot be read. Errors start with "<input_name>: ".
Result<EngineResult> ProcessImageFile(const std::string& path, std::string_view input_name,
                                      const Recipe& recipe, const EngineLimits& limits,
                                      std::stop_token cancel = {});

}  // namespace pixfleet
