// ScaledObjectLoop: `pixfleet scale` for a ScaledObject, one Tick at a time. The pure
// ScaledObjectController decides (KEDA's loop and the HPA's); this samples the triggers when a
// loop is due, hands it the pods as they are, and makes the replica pool match:
//   * PodCounts: current = the replica count last decided (spec.replicas), status = live replicas
//     that are not terminating, ready = those that reported idle or busy;
//   * scale-up starts replicas; scale-down stops the surplus in StopRank order (idle, then
//     stopping, unknown, busy; the newest first among equals), so a busy replica is never stopped
//     while an idle one could be;
//   * a replica that exits while it should run (not asked to stop) is replaced, after a
//     CrashLoopBackOff-like delay: none for the first exit, then CrashBackoff::base doubling up
//     to its cap; the count starts again after a replica ran CrashBackoff::reset_after. Until
//     then it counts as a replica that is not ready, as a pod in CrashLoopBackOff does;
//   * every decision is logged with its inputs (metric, active, desired, current, reason), and
//     each start, stop and exit of a replica.
// The caller owns time: Tick(now) with a monotonic ScaleTime, then sleep until NextWake() or the
// next child event. Used from one thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "autoscale/queue_metric_source.h"
#include "autoscale/replica_pool.h"
#include "scaling/scaled_object.h"

namespace pixfleet {

struct CrashBackoff {
  std::chrono::milliseconds base{10'000};          // kubelet's CrashLoopBackOff: 10 s ...
  std::chrono::milliseconds cap{300'000};          // ... doubling to 5 min
  std::chrono::milliseconds reset_after{600'000};  // a replica that ran 10 min clears the count

  // The delay before replacing a replica after `consecutive` (>= 1) unrequested exits.
  std::chrono::milliseconds DelayAfter(int consecutive) const;
};

class ScaledObjectLoop {
 public:
  // `sources[i]` reads spec.triggers[i]; none is owned.
  ScaledObjectLoop(ScaledObjectController controller, std::vector<QueueMetricSource*> sources,
                   ReplicaPool& pool, CrashBackoff backoff = {});

  // Handles exits, runs the controller when due, and reconciles the pool. Returns the decision
  // when a loop ran.
  std::optional<ScaleDecision> Tick(ScaleTime now);

  // When Tick next has something to do without a child event: the next poll or sync, or the end
  // of a crash backoff.
  ScaleTime NextWake() const;

  // The replica count last decided.
  int target() const { return target_; }

 private:
  void HandleExits(ScaleTime now);
  void Reconcile(ScaleTime now);

  ScaledObjectController controller_;
  std::vector<QueueMetricSource*> sources_;
  ReplicaPool& pool_;
  CrashBackoff backoff_;
  int target_ = 0;
  int consecutive_crashes_ = 0;
  // One entry per replica that exited while it should run, awaiting its restart: when it is due.
  // Like a pod in CrashLoopBackOff it still counts as a replica (not ready), so a scale-up is not
  // held back by it, and a scale-down drops it before stopping a running replica.
  std::vector<ScaleTime> restarts_due_;
  std::map<int, ScaleTime> started_at_;  // by replica id
};

// "metric=12 active=true desired=4 current=1 status=1 ready=1 loop=hpa reason=..."
std::string DescribeDecision(const ScaleDecision& decision, const PodCounts& pods);

}  // namespace pixfleet
