// Command-line flags shared by every command that runs the image engine: safety limits and the
// untrusted-loader switch, with the defaults stated in README.
#pragma once

#include <CLI/CLI.hpp>

#include "imaging/engine.h"

namespace pixfleet {

struct EngineFlags {
  uint64_t max_pixels = EngineLimits{}.max_pixels;
  uint64_t max_bytes = EngineLimits{}.max_input_bytes;
  int64_t timeout_ms = EngineLimits{}.timeout.count();
  bool allow_untrusted = false;

  void AddTo(CLI::App& app);
  EngineLimits Limits() const;
};

}  // namespace pixfleet
