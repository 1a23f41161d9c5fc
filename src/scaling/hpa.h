// Hpa: the Kubernetes HorizontalPodAutoscaler controller (pkg/controller/podautoscaler) as KEDA
// drives it, for External metrics: one Reconcile per sync period (15 s by default).
//   * desired per metric: AverageValue → ceil(usage / target) unless usage / (target ×
//     status_replicas) is within the tolerance (then status_replicas); Value → ceil(usage /
//     target × ready_pods) unless within the tolerance (then current), ceil(usage / target) at 0
//     current; the maximum over metrics; failed metrics are skipped, and no change at all when
//     every metric failed or when some failed and the rest would scale down;
//   * current == 0 with min_replicas != 0: nothing (scaling disabled; KEDA owns 0 ↔ 1);
//     current > max → max; current < min → min;
//   * without `behavior` (what KEDA creates by default): the recommendation is the maximum of
//     the last `downscale_stabilization` (5 min), scale-up at most max(2 × current, 4) per
//     reconcile;
//   * with `behavior`: per-direction stabilisation windows, Pods/Percent policies over their
//     periods counted from the scale events this object recorded, selectPolicy Max/Min/Disabled.
// Pure and deterministic: its state is the recommendations and scale events of earlier calls.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "scaling/rabbitmq_trigger.h"
#include "scaling/scale_time.h"

namespace pixfleet {

struct HpaPolicy {
  enum class Type { kPods, kPercent };
  Type type = Type::kPods;
  int value = 0;
  std::chrono::seconds period{15};
};

enum class SelectPolicy { kMax, kMin, kDisabled };

struct HpaScalingRules {
  std::optional<std::chrono::seconds> stabilization_window;  // unset: the direction's default
  std::vector<HpaPolicy> policies;                           // empty: the direction's default
  SelectPolicy select_policy = SelectPolicy::kMax;
};

// spec.behavior as the API server completes it: scaleUp window 0 s, {Pods 4 / 15 s, Percent
// 100 / 15 s}, Max; scaleDown window = the controller's downscale stabilisation (300 s),
// {Percent 100 / 15 s}, Max.
struct HpaBehavior {
  HpaScalingRules scale_up;
  HpaScalingRules scale_down;
};

struct HpaSpec {
  int min_replicas = 1;
  int max_replicas = 100;
  std::optional<HpaBehavior> behavior;  // nullopt: the legacy path KEDA gets by default
  double tolerance = 0.1;
  std::chrono::seconds downscale_stabilization{300};
  std::chrono::seconds sync_period{15};
};

// One External metric as the HPA reads it at a reconcile.
struct ExternalMetricSample {
  MetricTargetType type = MetricTargetType::kAverageValue;
  double target = 0;            // the trigger's `value`
  std::optional<double> usage;  // nullopt: the fetch failed
};

struct HpaDecision {
  int replicas = 0;         // spec.replicas after this reconcile (== current when unchanged)
  int metric_desired = -1;  // desired from the metrics before stabilisation and limits; -1 none
  bool scaling_active = true;
  std::string reason;  // e.g. "ScalingDisabled", "ScaleUpLimit", "within tolerance"
};

class Hpa {
 public:
  explicit Hpa(HpaSpec spec);

  // One reconcile at `now`. `current` is spec.replicas, `status_replicas` the non-terminated
  // pods (ready or not), `ready_pods` the Running and Ready ones.
  HpaDecision Reconcile(ScaleTime now, int current, int status_replicas, int ready_pods,
                        std::span<const ExternalMetricSample> metrics);

  const HpaSpec& spec() const { return spec_; }

 private:
  struct Recommendation {
    ScaleTime at;
    int replicas;
  };
  struct ScaleEvent {
    ScaleTime at;
    int change;
  };
  bool WithinTolerance(double ratio) const;
  // One metric's desired count; nullopt when it could not be read.
  std::optional<int> MetricDesired(const ExternalMetricSample& metric, int current,
                                   int status_replicas, int ready_pods) const;
  int NormalizeLegacy(ScaleTime now, int current, int desired, std::string& reason);
  int NormalizeWithBehavior(ScaleTime now, int current, int desired, std::string& reason);
  int ScaleLimit(const HpaScalingRules& rules, ScaleTime now, int current, bool scale_up) const;
  static int ChangeInPeriod(const std::vector<ScaleEvent>& events, ScaleTime now,
                            std::chrono::seconds period);
  static std::string DescribeDesired(int desired, int current, int result, const std::string& why);

  HpaSpec spec_;
  std::vector<Recommendation> recommendations_;
  std::vector<ScaleEvent> scale_up_events_;
  std::vector<ScaleEvent> scale_down_events_;
};

// The plain HPA formula without KEDA, for comparison: ceil(current × metric / target). It can
// never leave zero (0 × anything is 0).
int PlainHpaDesired(int current, double metric, double target);

}  // namespace pixfleet
