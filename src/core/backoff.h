// Capped exponential backoff with full jitter for retrying transient failures: the delay before
// attempt n+1 is uniform in [0, min(cap, base * 2^(n-1))], which spreads a thundering herd of
// workers that all failed at the same moment. Pure: the random draw is passed in.
#pragma once

#include <chrono>

namespace pixfleet {

struct BackoffPolicy {
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds cap{30'000};
  int max_attempts = 5;  // total attempts including the first; a task is dead-lettered after it
};

// Delay before the next attempt after `failed_attempts` (>= 1) failures. `unit_random` is a
// uniform draw in [0, 1). Never below 1 ms so that a retry is never a busy loop.
std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int failed_attempts,
                                       double unit_random);

}  // namespace pixfleet
