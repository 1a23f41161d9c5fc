#include "cli/engine_flags.h"

#include "cli/flag_checks.h"

namespace pixfleet {

namespace {
// A day: longer is a mistake, and a deadline that far away would overflow the clock's arithmetic.
constexpr int64_t kMaxTimeoutMs = 86'400'000;
}  // namespace

void EngineFlags::AddTo(CLI::App& app) {
  // Zero or a negative number (which an unsigned flag would silently wrap) would refuse every
  // image or lift the limit: neither is what a user means.
  app.add_option("--max-pixels", max_pixels,
                 "Reject images with more pixels than this (checked from the header)")
      ->capture_default_str()
      ->check(PositiveInteger());
  app.add_option("--max-bytes", max_bytes, "Reject input files larger than this many bytes")
      ->capture_default_str()
      ->check(PositiveInteger());
  app.add_option("--timeout-ms", timeout_ms, "Per-image processing time limit in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, kMaxTimeoutMs));
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
