// Progress reporting for `pixfleet run`: a rate estimate over a sliding window and the text of
// a progress bar (for a terminal) or a plain line (for logs). Pure: time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>

namespace pixfleet {

struct ProgressSnapshot {
  int64_t total = 0;      // tasks in this run (done earlier + to do now)
  int64_t succeeded = 0;  // rows that say succeeded (earlier runs included)
  int64_t failed = 0;
  int64_t in_flight = 0;
  int workers = 0;
  double rate_per_second = 0;  // recent throughput; 0 when unknown
  std::chrono::milliseconds elapsed{0};
};

// Throughput over the last `window`, from (time, finished count) samples.
class RateMeter {
 public:
  explicit RateMeter(std::chrono::milliseconds window = std::chrono::seconds(10))
      : window_(window) {}
  void Add(std::chrono::steady_clock::time_point now, int64_t finished);
  double PerSecond() const;

 private:
  std::chrono::milliseconds window_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>> samples_;
};

// One-line bar fitting `columns`: "[#####.....] 512/1000  3 failed  45.2 img/s  ETA 12s".
std::string FormatProgressBar(const ProgressSnapshot& snapshot, int columns);

// Plain line for non-terminals: "progress: 512/1000 done (51.2%), 3 failed, 45.2 img/s, ETA 12s".
std::string FormatProgressLine(const ProgressSnapshot& snapshot);

}  // namespace pixfleet
