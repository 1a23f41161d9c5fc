#include "status/human_duration.h"

#include <cstdint>

#include <fmt/format.h>

namespace pixfleet {

std::string HumanDuration(std::chrono::milliseconds duration) {
  if (duration.count() < 0) return "--";
  const int64_t total = duration.count() / 1000;
  const int64_t hours = total / 3600;
  const int64_t minutes = (total % 3600) / 60;
  const int64_t seconds = total % 60;
  if (hours > 0) return fmt::format("{}h{:02}m", hours, minutes);
  if (minutes > 0) return fmt::format("{}m{:02}s", minutes, seconds);
  if (total == 0 && duration.count() > 0) {
    return fmt::format("{:.1f}s", static_cast<double>(duration.count()) / 1000);
  }
  return fmt::format("{}s", seconds);
}

}  // namespace pixfleet
