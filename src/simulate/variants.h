// Variants: the comparisons `pixfleet simulate` runs side by side, all derived from the one
// KEDA object the user wrote, and the recommendation drawn from them. Pure.
//   * "as written": the file itself (a ScaledObject or a ScaledJob);
//   * the other protocol (amqp ↔ http) — what counting unacknowledged messages changes;
//   * the other kind: a ScaledJob with the same triggers, polling interval and maximum, and
//     value 1 since each Job takes one task (or, from a ScaledJob, the equivalent ScaledObject);
//   * plain HPA: the ScaledObject's HPA alone (minReplicas ≥ 1, no scale to zero);
//   * with a gradual scale-up policy (or without, if the file has a behavior block);
//   * with pod-deletion-cost: the ScaledObject (as written, or the one derived from a ScaledJob)
//     with workers run as `pixfleet worker --pod-deletion-cost`, so scale-downs take idle pods
//     first — compare its busy pods stopped and tasks handed back with the row it derives from;
//   * the ScaledObject at each value target in `values`: the recommendation's candidates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scaling/hpa.h"
#include "scaling/keda_yaml.h"
#include "simulate/model.h"

namespace pixfleet::simulate {

struct VariantOptions {
  std::vector<double> values = {1, 2, 5, 10, 20, 50};
  HpaPolicy gradual_scale_up{HpaPolicy::Type::kPods, 4, std::chrono::seconds(60)};
  // The pace of `worker --pod-deletion-cost`: one write per 5 s at most
  // (kube/deletion_cost_keeper.h).
  Millis deletion_cost_interval{5000};
};

// `protocols[i]` is the effective protocol of trigger i of `object` (EffectiveProtocol()).
std::vector<Variant> BuildVariants(const KedaObject& object,
                                   const std::vector<RabbitMqProtocol>& protocols,
                                   const VariantOptions& options);

struct Recommendation {
  std::optional<double> value;  // nullopt: no candidate drained
  std::string rule;             // the rule, stated for the output
  std::string why;              // one sentence
};

// Among the value-sweep results that drained: the value with the fewest worker-seconds paid
// whose drain time is within `within_percent` of the fastest of them (ties: the larger value,
// which starts fewer pods). `variants` and `results` are parallel.
Recommendation Recommend(const std::vector<Variant>& variants,
                         const std::vector<SimResult>& results, double within_percent);

}  // namespace pixfleet::simulate
