#include "status/batch_status.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "core/terminal_text.h"
#include "status/human_duration.h"

namespace pixfleet {
namespace {

std::string UtcTime(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

}  // namespace

double BatchRate(const BatchCounts& counts) {
  const int64_t finished = counts.succeeded + counts.failed;
  const int64_t span_ms = counts.last_finished_ms - counts.first_finished_ms;
  if (finished < 2 || span_ms <= 0) return 0;
  return static_cast<double>(finished - 1) * 1000.0 / static_cast<double>(span_ms);
}

std::string FormatBatchStatus(const BatchStatus& s) {
  const BatchCounts& c = s.counts;
  const int64_t total = std::max<int64_t>(s.batch.task_count, c.succeeded + c.failed);
  const int64_t done = c.succeeded + c.failed;
  const int64_t pending = total - done;
  const double percent =
      total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0;
  std::string out = fmt::format("batch {} \"{}\"  created {}\n", TerminalText(s.batch.id),
                                TerminalText(s.batch.name), UtcTime(s.batch.created_ms));
  out += fmt::format("  done {}/{} ({:.1f}%)  succeeded {}  failed {}  pending {}\n", done, total,
                     percent, c.succeeded, c.failed, pending);
  const double rate = BatchRate(c);
  std::string eta = "--";
  if (pending == 0) {
    eta = "0s";
  } else if (rate > 0) {
    eta = HumanDuration(
        std::chrono::milliseconds(std::llround(static_cast<double>(pending) / rate * 1000.0)));
  }
  out += fmt::format("  rate {:.1f} images/s  ETA {}", rate, eta);
  if (c.last_finished_ms > 0) {
    out +=
        fmt::format("  last result {}", HumanDuration(std::chrono::milliseconds(
                                            std::max<int64_t>(0, s.now_ms - c.last_finished_ms))));
    out += " ago";
  }
  out += "\n";
  if (!c.failed_by_code.empty()) {
    std::string reasons;
    for (const auto& [code, count] : c.failed_by_code) {
      if (!reasons.empty()) reasons += ", ";
      reasons += fmt::format("{} {}", count, StatusCodeName(code));
    }
    out += "  failures: " + reasons + "\n";
  }
  return out;
}

std::string FormatQueueStatus(const QueueStatus& s) {
  return fmt::format("queue {}: ready {}  in flight {}  delayed {}  dead-letter {}\n",
                     TerminalText(s.name), s.depth.ready,
                     s.in_flight ? std::to_string(*s.in_flight) : "?", s.depth.delayed,
                     s.depth.dead);
}

}  // namespace pixfleet
