// Internal: whether InitImageEngine() has started libvips, for ProcessImage to refuse work
// (kInternal) rather than touch an uninitialised library.
#pragma once

namespace pixfleet {

bool ImageEngineStarted();

}  // namespace pixfleet
