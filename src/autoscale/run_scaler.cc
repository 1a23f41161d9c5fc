#include "autoscale/run_scaler.h"

#include <algorithm>
#include <csignal>

#include <spdlog/spdlog.h>

namespace pixfleet {
namespace {

volatile std::sig_atomic_t g_stop_signals = 0;
extern "C" void OnStopSignal(int /*signal*/) { g_stop_signals = g_stop_signals + 1; }

}  // namespace

void InstallScalerSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int RunScaler(const ScalerDrive& drive, ReplicaPool& pool, Clock& clock,
              std::chrono::steady_clock::time_point origin, std::chrono::milliseconds child_poll) {
  const auto scale_now = [&] {
    return std::chrono::duration_cast<ScaleTime>(clock.MonotonicNow() - origin);
  };
  while (g_stop_signals == 0) {
    drive.tick(scale_now());
    const ScaleTime wait = std::clamp(drive.next_wake() - scale_now(), ScaleTime(1), child_poll);
    clock.SleepFor(wait);
  }
  spdlog::info("scale: stopping: every replica gets SIGTERM and its grace period");
  for (const Replica& replica : pool.Replicas()) pool.Stop(replica.id);
  std::sig_atomic_t requests_seen = g_stop_signals;
  while (!pool.Replicas().empty()) {
    if (g_stop_signals != requests_seen) {
      // Another Ctrl-C or SIGTERM: the user will not wait for the work in flight. Each worker is
      // asked again, so that it hands its tasks back to the queue now (not killed: a killed
      // worker's tasks wait for its connection or lease to lapse).
      requests_seen = g_stop_signals;
      spdlog::info("scale: stop requested again: every replica hands its tasks back now");
      for (const Replica& replica : pool.Replicas()) pool.Hurry(replica.id);
    }
    for (const ReplicaExit& exited : pool.Poll()) {
      spdlog::info("scale: replica {} (pid {}) stopped: {}", exited.id, exited.pid,
                   exited.description);
    }
    clock.SleepFor(child_poll);
  }
  return 0;
}

}  // namespace pixfleet
