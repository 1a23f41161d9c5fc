// ScaleTime: the scaling library's notion of time, a duration since an origin the caller picks
// (the simulator's t = 0, or the moment `pixfleet scale` started). Pure code takes `now` as an
// argument and never reads a clock, so the same decisions replay exactly in a simulation and in
// tests.
#pragma once

#include <chrono>

namespace pixfleet {

using ScaleTime = std::chrono::milliseconds;

}  // namespace pixfleet
