#include "queue/lease_polling.h"

#include <algorithm>

namespace pixfleet {

Result<std::optional<Lease>> PollForLease(
    Clock& clock, std::chrono::milliseconds max_wait, std::chrono::milliseconds poll_interval,
    const std::function<Result<std::optional<Lease>>()>& try_once) {
  const auto deadline = clock.MonotonicNow() + max_wait;
  // A zero interval would spin, and with a FakeClock never advance time.
  const auto step = std::max(poll_interval, std::chrono::milliseconds(1));
  while (true) {
    Result<std::optional<Lease>> lease = try_once();
    if (!lease.ok() || lease->has_value()) return lease;
    const auto now = clock.MonotonicNow();
    if (now >= deadline) return std::optional<Lease>();
    clock.SleepFor(std::min<std::chrono::nanoseconds>(step, deadline - now));
  }
}

}  // namespace pixfleet
