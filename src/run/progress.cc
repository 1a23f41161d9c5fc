#include "run/progress.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "status/human_duration.h"

namespace pixfleet {
namespace {

std::string EtaText(const ProgressSnapshot& s) {
  const int64_t remaining = s.total - s.succeeded - s.failed;
  if (remaining <= 0) return "0s";
  if (s.rate_per_second <= 0) return "--";
  const double seconds = static_cast<double>(remaining) / s.rate_per_second;
  return HumanDuration(std::chrono::milliseconds(std::llround(seconds * 1000)));
}

}  // namespace

void RateMeter::Add(std::chrono::steady_clock::time_point now, int64_t finished) {
  samples_.emplace_back(now, finished);
  while (samples_.size() > 2 && now - samples_.front().first > window_) samples_.pop_front();
}

double RateMeter::PerSecond() const {
  if (samples_.size() < 2) return 0;
  const auto& [t0, n0] = samples_.front();
  const auto& [t1, n1] = samples_.back();
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  return seconds > 0 ? static_cast<double>(n1 - n0) / seconds : 0;
}

std::string FormatProgressBar(const ProgressSnapshot& s, int columns) {
  const int64_t done = s.succeeded + s.failed;
  std::string tail = fmt::format(" {}/{}", done, s.total);
  if (s.failed > 0) tail += fmt::format("  {} failed", s.failed);
  tail += fmt::format("  {:.1f} img/s  ETA {}", s.rate_per_second, EtaText(s));
  const int bar_width = std::clamp(columns - static_cast<int>(tail.size()) - 3, 10, 50);
  const double fraction =
      s.total > 0 ? std::clamp(static_cast<double>(done) / static_cast<double>(s.total), 0.0, 1.0)
                  : 1.0;
  const int filled = static_cast<int>(std::floor(fraction * bar_width));
  std::string bar = "[";
  bar.append(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(bar_width - filled), '.');
  bar += "]";
  std::string line = bar + tail;
  if (static_cast<int>(line.size()) > columns && columns > 0) {
    line.resize(static_cast<size_t>(columns));
  }
  return line;
}

std::string FormatProgressLine(const ProgressSnapshot& s) {
  const int64_t done = s.succeeded + s.failed;
  const double percent =
      s.total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(s.total) : 100.0;
  return fmt::format("progress: {}/{} done ({:.1f}%), {} failed, {:.1f} img/s, ETA {}, {} workers",
                     done, s.total, percent, s.failed, s.rate_per_second, EtaText(s), s.workers);
}

}  // namespace pixfleet
