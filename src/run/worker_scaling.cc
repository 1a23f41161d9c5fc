#include "run/worker_scaling.h"

#include <chrono>
#include <vector>

namespace pixfleet {

ScaledObjectController RunWorkerScaling(int max_workers) {
  using std::chrono::seconds;
  constexpr seconds kSync{1};
  ScaledObjectSpec spec;
  spec.name = "pixfleet-run";
  spec.polling_interval = kSync;
  spec.cooldown_period = seconds(0);
  spec.min_replica_count = 0;
  spec.max_replica_count = max_workers;
  RabbitMqTrigger queue;
  queue.name = "run-queue";
  queue.protocol = RabbitMqProtocol::kHttp;  // ready + unacknowledged
  queue.value = 1;
  queue.activation_value = 0;
  spec.triggers.push_back(queue);

  HpaScalingRules up;
  up.stabilization_window = seconds(0);
  up.policies = {HpaPolicy{HpaPolicy::Type::kPods, max_workers, kSync}};
  HpaScalingRules down;
  down.stabilization_window = seconds(0);
  down.policies = {HpaPolicy{HpaPolicy::Type::kPercent, 100, kSync}};
  spec.behavior = HpaBehavior{up, down};

  HpaSpec hpa;
  hpa.sync_period = kSync;
  hpa.downscale_stabilization = seconds(0);
  return ScaledObjectController(std::move(spec), {RabbitMqProtocol::kHttp}, -ScaleTime(kSync), hpa);
}

}  // namespace pixfleet
