#include "scaling/scale_format.h"

#include <fmt/format.h>

namespace pixfleet {

std::string FormatScaleTime(ScaleTime t) {
  const long long ms = t.count();
  if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
  return fmt::format("{:g} s", static_cast<double>(ms) / 1000.0);
}

std::string FormatMetric(double value) { return fmt::format("{:g}", value); }

}  // namespace pixfleet
