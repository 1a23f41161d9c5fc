// ScaledObject: KEDA's ScaledObject (keda.sh/v1alpha1) and the two loops that size its target,
// as in KEDA's scale handler and the HPA it creates (reference: docs/autoscaling.md):
//   * the KEDA loop, every pollingInterval (first at start): queries every trigger; the object
//     is active when any trigger is (metric > activationValue) or serves its fallback. Active
//     at 0 replicas → max(min, 1) (or min when below it with idleReplicaCount); inactive → after
//     cooldownPeriod since it was last active (initialCooldownPeriod since creation if it never
//     was) straight to idleReplicaCount or minReplicaCount, from any N. A trigger error without
//     a fallback never scales to zero. Fallback: after more than failureThreshold consecutive
//     failed queries of a trigger (by either loop), the trigger reports target × R.
//   * the HPA loop, every sync period, reading the metric live: owns 1 ↔ N (see hpa.h), with
//     minReplicas = max(1, minReplicaCount), maxReplicas = maxReplicaCount.
// ScaledObjectController is pure: the caller asks when it is next due, queries the broker at that
// time, and hands the samples in; it answers the replica count to run and why.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "scaling/hpa.h"
#include "scaling/rabbitmq_trigger.h"
#include "scaling/scale_time.h"

namespace pixfleet {

enum class FallbackBehavior {
  kStatic,
  kCurrentReplicas,
  kCurrentReplicasIfHigher,
  kCurrentReplicasIfLower
};

struct Fallback {
  int failure_threshold = 3;
  int replicas = 0;
  FallbackBehavior behavior = FallbackBehavior::kStatic;
};

struct ScaledObjectSpec {
  std::string name;
  std::string scale_target_name;
  std::chrono::seconds polling_interval{30};
  std::chrono::seconds cooldown_period{300};
  std::chrono::seconds initial_cooldown_period{0};
  int min_replica_count = 0;
  int max_replica_count = 100;
  std::optional<int> idle_replica_count;
  std::optional<Fallback> fallback;
  std::optional<HpaBehavior> behavior;  // advanced.horizontalPodAutoscalerConfig.behavior
  std::vector<RabbitMqTrigger> triggers;
};

// What the pods of the target look like at a step.
struct PodCounts {
  int current = 0;  // spec.replicas as last set
  int status = 0;   // non-terminated pods, ready or not
  int ready = 0;    // Running and Ready
};

// One query of one trigger: the queue as seen, or why it could not be read.
using TriggerSample = Result<QueueSample>;

struct ScaleDecision {
  int replicas = 0;       // what to run from now on
  bool changed = false;   // replicas != pods.current
  const char* loop = "";  // "keda" or "hpa" (the loop that decided), "" when neither was due
  double metric = 0;      // the first trigger's metric as used (after fallback)
  bool active = false;
  bool error = false;     // some trigger failed
  bool fallback = false;  // some trigger served its fallback
  int hpa_desired = -1;   // the HPA's metric-based desired count, -1 when it did not run
  std::string reason;     // "activated", "cooldown 10 s passed", "scale-up limit 4", ...
};

class ScaledObjectController {
 public:
  // `resolved_protocols[i]` is EffectiveProtocol() of spec.triggers[i]. `created` is when the
  // object appeared (initialCooldownPeriod counts from it); the KEDA loop's first poll is due then.
  ScaledObjectController(ScaledObjectSpec spec, std::vector<RabbitMqProtocol> resolved_protocols,
                         ScaleTime created, const HpaSpec& hpa_defaults = {});

  // The earliest time at which a loop is due.
  ScaleTime NextDue() const;

  // Schedules (virtual time, no clock is read): the KEDA loop polls at `created` and then
  // pollingInterval after each poll it ran; the HPA, created with the object, syncs at
  // created + k x sync_period for k >= 1 (it does nothing at 0 replicas, so a tick at `created`
  // would change nothing). With the defaults (30 s, 15 s) every KEDA poll meets an HPA sync.
  // Every query of a trigger (the KEDA poll's and the HPA's) counts towards its fallback.
  // Runs every loop due at `now` (the KEDA poll first, then the HPA sync when both are), with
  // `samples[i]` the query of trigger i made at `now`. `pods` describes the target before the
  // step. When both loops are due, both read the same samples and the HPA sees the replica
  // count KEDA left (status/ready as given); `loop` is then "hpa" if it acted on running pods.
  // The HPA reads the triggers only when it computes (replicas within [max(1, min), max]).
  // Calling it before NextDue() decides nothing (loop == "").
  ScaleDecision Step(ScaleTime now, std::span<const TriggerSample> samples, const PodCounts& pods);

  const ScaledObjectSpec& spec() const { return spec_; }

 private:
  // What one loop's queries of every trigger gave.
  struct Query {
    std::vector<ExternalMetricSample> metrics;  // per trigger, as the HPA reads them
    double metric = 0;                          // trigger 0's, after fallback
    bool active = false;
    bool error = false;
    bool fallback = false;
    std::string activity;  // why active or not, for the reason
    std::string failure;   // the first failed trigger, for the reason
  };
  // Queries every trigger once, counting failures towards its fallback.
  Query QueryTriggers(std::span<const TriggerSample> samples, const PodCounts& pods);
  std::optional<double> FallbackMetric(const RabbitMqTrigger& trigger, int failures,
                                       const PodCounts& pods) const;
  // KEDA's RequestScale; updates `replicas`, returns the reason.
  std::string KedaStep(ScaleTime now, const Query& query, int& replicas);

  ScaledObjectSpec spec_;
  std::vector<RabbitMqProtocol> protocols_;
  ScaleTime created_;
  Hpa hpa_;
  ScaleTime next_keda_;
  ScaleTime next_hpa_;
  std::optional<ScaleTime> last_active_;
  std::vector<int> consecutive_failures_;  // per trigger
};

}  // namespace pixfleet
