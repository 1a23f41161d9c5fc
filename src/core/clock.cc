#include "core/clock.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace pixfleet {

std::chrono::system_clock::time_point RealClock::Now() { return std::chrono::system_clock::now(); }

std::chrono::steady_clock::time_point RealClock::MonotonicNow() {
  return std::chrono::steady_clock::now();
}

void RealClock::SleepFor(std::chrono::nanoseconds duration) {
  std::this_thread::sleep_for(duration);
}

bool RealClock::WaitFor(std::chrono::nanoseconds duration, std::stop_token stop) {
  // A private mutex and condition variable: only a stop request (through the stop_token's
  // callback, which notifies under the same mutex) ends the wait early.
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  (void)wake.wait_for(lock, stop, duration, [] { return false; });
  return !stop.stop_requested();
}

RealClock& RealClock::Instance() {
  static RealClock clock;
  return clock;
}

}  // namespace pixfleet
