#include "cli/engine_flags.h"

namespace pixfleet {

void EngineFlags::AddTo(CLI::App& app) {
  app.add_option("--max-pixels", max_pixels,
                 "Reject images with more pixels than this (checked from the header)")
      ->capture_default_str();
  app.add_option("--max-bytes", max_bytes, "Reject input files larger than this many bytes")
      ->capture_default_str();
  app.add_option("--timeout-ms", timeout_ms, "Per-image processing time limit in milliseconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--allow-untrusted", allow_untrusted,
               "Enable libvips loaders not hardened against hostile input (SVG, PDF, ...)");
}

EngineLimits EngineFlags::Limits() const {
  EngineLimits limits;
  limits.max_pixels = max_pixels;
  limits.max_input_bytes = max_bytes;
  limits.timeout = std::chrono::milliseconds(timeout_ms);
  return limits;
}

}  // namespace pixfleet
