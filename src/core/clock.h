// Clock: the only source of time for leases, backoff, timeouts and rates. RealClock reads the
// system; testing/fake_clock.h moves time by hand. Implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace pixfleet {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps that are stored or compared across processes (leases).
  virtual std::chrono::system_clock::time_point Now() = 0;
  // Monotonic time, for measuring durations inside one process.
  virtual std::chrono::steady_clock::time_point MonotonicNow() = 0;
  // Blocks the calling thread for `duration` (a fake clock advances instead).
  virtual void SleepFor(std::chrono::nanoseconds duration) = 0;

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

  // A process-wide instance.
  static RealClock& Instance();
};

}  // namespace pixfleet
