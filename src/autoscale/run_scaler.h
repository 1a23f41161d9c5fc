// RunScaler: drives a scaling loop (ScaledObjectLoop or ScaledJobLoop) in real time until the
// process receives SIGINT or SIGTERM: Tick, then sleep until the loop's next wake-up, at most
// `child_poll` so that child events (a status line, an exit) are seen promptly. On the signal it
// stops every replica (SIGTERM, the pool's grace period, SIGKILL), waits for them all to exit,
// and returns 0.
#pragma once

#include <chrono>
#include <functional>

#include "autoscale/replica_pool.h"
#include "core/clock.h"
#include "scaling/scale_time.h"

namespace pixfleet {

struct ScalerDrive {
  std::function<void(ScaleTime)> tick;
  std::function<ScaleTime()> next_wake;
};

// Installs the SIGINT/SIGTERM handlers RunScaler reads; call once before it.
void InstallScalerSignalHandlers();

// `origin` is ScaleTime 0 on `clock`'s monotonic time.
int RunScaler(const ScalerDrive& drive, ReplicaPool& pool, Clock& clock,
              std::chrono::steady_clock::time_point origin,
              std::chrono::milliseconds child_poll = std::chrono::milliseconds(100));

}  // namespace pixfleet
