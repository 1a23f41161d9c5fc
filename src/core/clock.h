// Clock: the only source of time for leases, backoff, timeouts, rates and waits. RealClock reads
// the system; testing/fake_clock.h moves time by hand, so code that sleeps or waits through a
// Clock runs in virtual time under test. Implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>

namespace pixfleet {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps that are stored or compared across processes (leases).
  virtual std::chrono::system_clock::time_point Now() = 0;
  // Monotonic time, for measuring durations inside one process.
  virtual std::chrono::steady_clock::time_point MonotonicNow() = 0;
  // Blocks the calling thread for `duration` of this clock's time.
  virtual void SleepFor(std::chrono::nanoseconds duration) = 0;
  // Blocks until `duration` of this clock's time has passed or `stop` is requested, whichever
  // comes first. Returns true when the whole duration passed, false when stopped (at once if
  // `stop` was already requested). The way for a loop to pause without delaying its shutdown.
  virtual bool WaitFor(std::chrono::nanoseconds duration, std::stop_token stop) = 0;

  // Milliseconds since the Unix epoch of Now(): the unit stored in databases.
  int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
};

class RealClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() override;
  std::chrono::steady_clock::time_point MonotonicNow() override;
  void SleepFor(std::chrono::nanoseconds duration) override;
  bool WaitFor(std::chrono::nanoseconds duration, std::stop_token stop) override;

  // A process-wide instance.
  static RealClock& Instance();
};

}  // namespace pixfleet
