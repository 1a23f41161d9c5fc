// DeletionCostKeeper: keeps this pod's controller.kubernetes.io/pod-deletion-cost annotation in
// step with whether the worker is busy, so that a ReplicaSet scaling down deletes idle workers
// before busy ones (it deletes lower cost first, among pods otherwise alike).
//
// Values. Busy +1000, idle -1000, around the 0 that Kubernetes assumes for a pod without the
// annotation (a worker not yet annotated, or one whose patches fail): idle < unknown < busy, so
// a pod whose state is unknown is never spared over a busy one nor sacrificed before an idle
// one. Busy means at least one task in flight; how many does not matter (the count changes at
// every task, and the API server is not to be written at that rate).
//
// When. Only on a change between idle and busy (the transitions of the status pipe), at most one
// PATCH per `min_interval` (5 s): a change within the interval is held, and when it ends the
// latest state is sent, or nothing when the pod has meanwhile gone back to the value already
// written. So a worker writes at most 12 PATCHes a minute, and a busy mark reaches the API server
// at most `min_interval` late (a pod that turned busy within the last 5 s of a scale-down may
// still be ranked idle: the annotation is Kubernetes' best-effort hint, not a guarantee). The
// first state is sent at once. From "stopping" on nothing more is sent: the pod is terminating
// or about to exit, and the ReplicaSet no longer ranks it.
//
// Never in the way. Report() only records the state; PATCHes go out from a thread of the
// keeper's own. A failure is logged with its reason (a 403 with the RBAC it needs) and retried
// with capped backoff (5 s, 10 s, 20 s, 40 s, then every 60 s) for as long as it takes; it is
// never fatal to the worker. A failed write may still have been applied, so after one the next
// state is written whatever it is. The destructor ends a request under way and the thread at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "core/backoff.h"
#include "core/clock.h"
#include "kube/pod_annotator.h"

namespace pixfleet::kube {

enum class PodActivity { kIdle, kBusy, kStopping };

struct DeletionCostOptions {
  int32_t idle_cost = -1000;
  int32_t busy_cost = 1000;
  std::chrono::milliseconds min_interval{5000};  // between two PATCHes, failed or not
  // After the n-th failure in a row: min(cap, base × 2^(n−1)), never below min_interval. The
  // longest delay, not a random one: pods are not all failing in step, and tests can follow it.
  BackoffPolicy retry{std::chrono::milliseconds(5000), std::chrono::milliseconds(60'000), 0};
};

class DeletionCostKeeper {
 public:
  // `annotator` and `clock` must outlive the keeper.
  DeletionCostKeeper(PodAnnotator& annotator, Clock& clock, DeletionCostOptions options = {});
  ~DeletionCostKeeper();
  DeletionCostKeeper(const DeletionCostKeeper&) = delete;
  DeletionCostKeeper& operator=(const DeletionCostKeeper&) = delete;

  // Records the worker's state; never blocks on the API server.
  void Report(PodActivity activity);

 private:
  void Loop(const std::stop_token& stop);
  // The cost to write now, or nullopt when there is nothing to write (or stopping).
  std::optional<int32_t> Wanted();

  PodAnnotator& annotator_;
  Clock& clock_;
  const DeletionCostOptions options_;
  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::optional<PodActivity> activity_;  // guarded by mutex_; the latest reported
  // Guarded by mutex_: the value the API server holds, as far as known (unset before the first
  // write and after a failed one).
  std::optional<int32_t> written_;
  std::jthread thread_;  // last: started once the rest exists
};

}  // namespace pixfleet::kube
