// PollForLease: the waiting part of TaskQueue::LeaseNext shared by the backends. It asks
// `try_once` for a lease, and while there is none sleeps on the Clock in steps of the poll
// interval until `max_wait` has passed, so that a FakeClock makes a long wait instant in tests.
// Errors from `try_once` are returned at once: the caller decides whether to retry.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "core/clock.h"
#include "core/status.h"
#include "queue/task_queue.h"

namespace pixfleet {

Result<std::optional<Lease>> PollForLease(
    Clock& clock, std::chrono::milliseconds max_wait, std::chrono::milliseconds poll_interval,
    const std::function<Result<std::optional<Lease>>()>& try_once);

}  // namespace pixfleet
