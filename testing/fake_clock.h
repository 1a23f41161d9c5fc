// FakeClock: a Clock whose time moves only when told, so tests of leases, backoff, rates and
// waits are deterministic and run in virtual time. Two modes:
//   kAdvanceOnSleep (default): SleepFor and WaitFor advance time by the duration and return at
//     once: for code that sleeps on one thread (a poll loop, a retry's backoff);
//   kBlockUntilAdvanced: SleepFor and WaitFor block until Advance() moves time past their
//     deadline (or the wait's stop is requested): for tests with several threads, where the test
//     drives time (Advance) after WaitForSleepers() shows the threads are parked, or with
//     AdvanceAndWaitForSleepers(), which also waits for the threads it woke to park again.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stop_token>

#include "core/clock.h"

namespace pixfleet {

class FakeClock final : public Clock {
 public:
  enum class Mode { kAdvanceOnSleep, kBlockUntilAdvanced };

  explicit FakeClock(std::chrono::system_clock::time_point start =
                         std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 50)),
                     Mode mode = Mode::kAdvanceOnSleep)
      : mode_(mode), wall_(start) {}
  explicit FakeClock(Mode mode) : FakeClock(kDefaultStart, mode) {}

  std::chrono::system_clock::time_point Now() override {
    std::lock_guard lock(mutex_);
    return wall_;
  }
  std::chrono::steady_clock::time_point MonotonicNow() override {
    std::lock_guard lock(mutex_);
    return steady_;
  }
  void SleepFor(std::chrono::nanoseconds duration) override {
    (void)WaitFor(duration, std::stop_token());
  }
  bool WaitFor(std::chrono::nanoseconds duration, std::stop_token stop) override {
    if (stop.stop_requested()) return false;
    if (mode_ == Mode::kAdvanceOnSleep) {
      Advance(duration);
      return true;
    }
    std::unique_lock lock(mutex_);
    const auto deadline = steady_ + std::chrono::duration_cast<Steady::duration>(duration);
    const auto parked = deadlines_.insert(deadline);
    changed_.notify_all();
    const bool reached = changed_.wait(lock, stop, [&] { return steady_ >= deadline; });
    deadlines_.erase(parked);
    changed_.notify_all();
    return reached;
  }

  // Moves both clocks forward and wakes every sleeper whose deadline has come.
  void Advance(std::chrono::nanoseconds duration) {
    std::lock_guard lock(mutex_);
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(duration);
    steady_ += std::chrono::duration_cast<Steady::duration>(duration);
    changed_.notify_all();
  }

  // kBlockUntilAdvanced: blocks until at least `count` threads are parked in SleepFor/WaitFor,
  // or `real_timeout` of real time has passed (then false, so a test fails instead of hanging).
  bool WaitForSleepers(int count,
                       std::chrono::milliseconds real_timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, real_timeout,
                             [&] { return static_cast<int>(deadlines_.size()) >= count; });
  }

  // kBlockUntilAdvanced: Advance(duration), then blocks until every sleeper whose deadline came
  // has woken and at least `count` threads are parked again, so that a test can step time
  // knowing each woken thread has done its round (a heartbeat sent, a retry made). False after
  // `real_timeout` of real time, so a test fails instead of hanging.
  bool AdvanceAndWaitForSleepers(
      std::chrono::nanoseconds duration, int count,
      std::chrono::milliseconds real_timeout = std::chrono::seconds(30)) {
    Advance(duration);
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, real_timeout, [&] {
      const bool woken = deadlines_.empty() || *deadlines_.begin() > steady_;
      return woken && static_cast<int>(deadlines_.size()) >= count;
    });
  }

  int Sleepers() {
    std::lock_guard lock(mutex_);
    return static_cast<int>(deadlines_.size());
  }

 private:
  using Steady = std::chrono::steady_clock;
  static constexpr std::chrono::system_clock::time_point kDefaultStart{
      std::chrono::hours(24 * 365 * 50)};

  const Mode mode_;
  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::chrono::system_clock::time_point wall_;
  Steady::time_point steady_{};
  std::multiset<Steady::time_point> deadlines_;  // of the threads parked in WaitFor
};

}  // namespace pixfleet
