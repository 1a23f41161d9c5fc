// How the scaling library writes times and numbers in its `reason` strings, so that a decision
// reads well in a log line: "12 s", "12.5 s", "100", "0.25".
#pragma once

#include <string>

#include "scaling/scale_time.h"

namespace pixfleet {

// Whole seconds without decimals ("300 s"), otherwise to the millisecond ("12.25 s").
std::string FormatScaleTime(ScaleTime t);

// Shortest form: 100 not 100.000000, 0.25, 1e+09.
std::string FormatMetric(double value);

}  // namespace pixfleet
