#include "core/clock.h"

#include <thread>

namespace pixfleet {

std::chrono::system_clock::time_point RealClock::Now() { return std::chrono::system_clock::now(); }

std::chrono::steady_clock::time_point RealClock::MonotonicNow() {
  return std::chrono::steady_clock::now();
}

void RealClock::SleepFor(std::chrono::nanoseconds duration) {
  std::this_thread::sleep_for(duration);
}

RealClock& RealClock::Instance() {
  static RealClock clock;
  return clock;
}

}  // namespace pixfleet
