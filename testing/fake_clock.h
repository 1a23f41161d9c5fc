// FakeClock: a Clock whose time moves only when told (Advance) or when someone sleeps on it, so
// tests of leases, backoff and rates are deterministic. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>

#include "core/clock.h"

namespace pixfleet {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start =
                         std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 50)))
      : wall_(start) {}

  std::chrono::system_clock::time_point Now() override {
    std::lock_guard lock(mutex_);
    return wall_;
  }
  std::chrono::steady_clock::time_point MonotonicNow() override {
    std::lock_guard lock(mutex_);
    return steady_;
  }
  // Sleeping advances time instead of blocking.
  void SleepFor(std::chrono::nanoseconds duration) override { Advance(duration); }

  void Advance(std::chrono::nanoseconds duration) {
    std::lock_guard lock(mutex_);
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(duration);
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(duration);
  }

 private:
  std::mutex mutex_;
  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point steady_{};
};

}  // namespace pixfleet
