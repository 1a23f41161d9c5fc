#include "wiring/pod_deletion_cost.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "kube/api_pod_annotator.h"
#include "kube/in_cluster_config.h"

namespace pixfleet {

PodDeletionCost::PodDeletionCost(std::unique_ptr<kube::PodAnnotator> annotator, Clock& clock)
    : annotator_(std::move(annotator)), keeper_(*annotator_, clock) {}

void PodDeletionCost::OnState(const WorkerState& state) {
  if (state.stopping) {
    keeper_.Report(kube::PodActivity::kStopping);
  } else {
    keeper_.Report(state.in_flight > 0 ? kube::PodActivity::kBusy : kube::PodActivity::kIdle);
  }
}

Result<std::unique_ptr<PodDeletionCost>> StartPodDeletionCost(Clock& clock) {
  PIXFLEET_ASSIGN_OR_RETURN(kube::InClusterConfig config, kube::LoadInClusterConfig());
  spdlog::info("keeping pod {}'s {} current through {}", config.PodRef(), kube::kPodDeletionCost,
               config.api_server);
  return std::make_unique<PodDeletionCost>(
      std::make_unique<kube::ApiPodAnnotator>(std::move(config)), clock);
}

}  // namespace pixfleet
