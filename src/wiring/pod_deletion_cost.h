// PodDeletionCost: `pixfleet worker --pod-deletion-cost` put together: the worker's states feed a
// DeletionCostKeeper (kube/deletion_cost_keeper.h) that writes this pod's
// controller.kubernetes.io/pod-deletion-cost through the Kubernetes API server, with the pod's
// service account (kube/in_cluster_config.h says where each piece comes from).
#pragma once

#include <memory>

#include "core/clock.h"
#include "core/status.h"
#include "kube/deletion_cost_keeper.h"
#include "kube/pod_annotator.h"
#include "worker/worker.h"

namespace pixfleet {

class PodDeletionCost {
 public:
  PodDeletionCost(std::unique_ptr<kube::PodAnnotator> annotator, Clock& clock);

  // For WorkerOptions::on_state: idle, busy (any task in flight) or stopping. Never blocks.
  void OnState(const WorkerState& state);

 private:
  std::unique_ptr<kube::PodAnnotator> annotator_;  // declared first: outlives the keeper
  kube::DeletionCostKeeper keeper_;
};

// Reads the in-cluster configuration and starts the keeper. kFailedPrecondition, saying what is
// missing, when this process is not in a pod set up for it (no API server variables, no service
// account token, no POD_NAME). Nothing is sent before the first OnState.
Result<std::unique_ptr<PodDeletionCost>> StartPodDeletionCost(Clock& clock);

}  // namespace pixfleet
