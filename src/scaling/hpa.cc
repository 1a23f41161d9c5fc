#include "scaling/hpa.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "scaling/scale_format.h"

namespace pixfleet {
namespace {

// KEDA hands metrics and targets to the HPA as milli-quantities, int64(value × 1000), after
// turning NaN, infinities and negatives into 0; the HPA computes on those integers, so the
// tolerance boundaries fall where a cluster's do.
int64_t Milli(double value) {
  const double milli = value * 1000.0;
  if (!std::isfinite(milli) || milli <= 0) return 0;
  if (milli >= 9.0e18) return static_cast<int64_t>(9.0e18);  // beyond any queue
  return static_cast<int64_t>(milli);
}

int CeilToInt(double value) {
  if (!(value > 0)) return 0;  // also NaN (0 / 0), as Go's int32(NaN) is not relied upon
  if (value >= static_cast<double>(std::numeric_limits<int32_t>::max())) {
    return std::numeric_limits<int32_t>::max();
  }
  return static_cast<int>(std::ceil(value));
}

// Behaviour defaults the API server writes when spec.behavior is set (k8s/v2/defaults.go).
HpaScalingRules CompleteRules(const HpaScalingRules& given, bool scale_up,
                              std::chrono::seconds downscale_stabilization) {
  HpaScalingRules rules = given;
  if (!rules.stabilization_window) {
    rules.stabilization_window = scale_up ? std::chrono::seconds(0) : downscale_stabilization;
  }
  if (rules.policies.empty()) {
    if (scale_up) {
      rules.policies = {{HpaPolicy::Type::kPods, 4, std::chrono::seconds(15)},
                        {HpaPolicy::Type::kPercent, 100, std::chrono::seconds(15)}};
    } else {
      rules.policies = {{HpaPolicy::Type::kPercent, 100, std::chrono::seconds(15)}};
    }
  }
  return rules;
}

}  // namespace

Hpa::Hpa(HpaSpec spec) : spec_(std::move(spec)) {
  if (spec_.behavior) {
    spec_.behavior->scale_up =
        CompleteRules(spec_.behavior->scale_up, true, spec_.downscale_stabilization);
    spec_.behavior->scale_down =
        CompleteRules(spec_.behavior->scale_down, false, spec_.downscale_stabilization);
  }
}

bool Hpa::WithinTolerance(double ratio) const {
  return 1.0 - spec_.tolerance <= ratio && ratio <= 1.0 + spec_.tolerance;
}

std::optional<int> Hpa::MetricDesired(const ExternalMetricSample& metric, int current,
                                      int status_replicas, int ready_pods) const {
  if (!metric.usage) return std::nullopt;
  const int64_t target = Milli(metric.target);
  if (target <= 0) return std::nullopt;  // KEDA refuses a zero target; never divide by it
  const auto usage = static_cast<double>(Milli(*metric.usage));
  if (metric.type == MetricTargetType::kAverageValue) {
    // GetExternalPerPodMetricReplicas: only the tolerance check looks at the pods.
    const double ratio = usage / (static_cast<double>(target) * status_replicas);
    if (WithinTolerance(ratio)) return status_replicas;
    return CeilToInt(usage / static_cast<double>(target));
  }
  // GetExternalMetricReplicas → getUsageRatioReplicaCount.
  const double ratio = usage / static_cast<double>(target);
  if (current == 0) return CeilToInt(ratio);
  if (WithinTolerance(ratio)) return current;
  return CeilToInt(ratio * ready_pods);
}

HpaDecision Hpa::Reconcile(ScaleTime now, int current, int status_replicas, int ready_pods,
                           std::span<const ExternalMetricSample> metrics) {
  HpaDecision decision;
  decision.replicas = current;
  int desired = 0;
  if (current == 0 && spec_.min_replicas != 0) {
    decision.scaling_active = false;
    decision.reason = "ScalingDisabled: the target has 0 replicas (KEDA owns 0 <-> 1)";
    return decision;
  }
  if (current > spec_.max_replicas) {
    desired = spec_.max_replicas;
    decision.reason = fmt::format("above maxReplicas: {} -> {}", current, desired);
  } else if (current < spec_.min_replicas) {
    desired = spec_.min_replicas;
    decision.reason = fmt::format("below minReplicas: {} -> {}", current, desired);
  } else {
    // computeReplicasForMetrics: the maximum over the metrics that could be read; no change
    // when all failed, or when some failed and the rest would scale down.
    int invalid = 0;
    int proposal = 0;
    for (const ExternalMetricSample& metric : metrics) {
      const std::optional<int> one = MetricDesired(metric, current, status_replicas, ready_pods);
      if (!one) {
        ++invalid;
      } else if (proposal == 0 || *one > proposal) {
        proposal = *one;
      }
    }
    if (invalid >= static_cast<int>(metrics.size()) || (invalid > 0 && proposal < current)) {
      decision.scaling_active = false;
      decision.reason = invalid >= static_cast<int>(metrics.size())
                            ? "FailedGetExternalMetric: no metric could be read, no change"
                            : "FailedGetExternalMetric: a metric failed and the rest would scale "
                              "down, no change";
      return decision;
    }
    decision.metric_desired = proposal;
    desired = spec_.behavior ? NormalizeWithBehavior(now, current, proposal, decision.reason)
                             : NormalizeLegacy(now, current, proposal, decision.reason);
  }
  if (desired != current && spec_.behavior) {
    auto& events = desired > current ? scale_up_events_ : scale_down_events_;
    events.push_back({now, std::abs(desired - current)});
  }
  decision.replicas = desired;
  return decision;
}

int Hpa::NormalizeLegacy(ScaleTime now, int current, int desired, std::string& reason) {
  // stabilizeRecommendation: a sample is kept while not older than the window (the cut-off
  // itself is kept: Before(cutoff) is what drops it).
  const ScaleTime cutoff = now - spec_.downscale_stabilization;
  std::erase_if(recommendations_, [&](const Recommendation& r) { return r.at < cutoff; });
  int stabilized = desired;
  for (const Recommendation& r : recommendations_) stabilized = std::max(stabilized, r.replicas);
  recommendations_.push_back({now, desired});

  // convertDesiredReplicasWithRules.
  const int up_limit = std::max(2 * current, 4);
  const int max_allowed = std::min(spec_.max_replicas, up_limit);
  std::string why;
  int result = stabilized;
  if (stabilized < spec_.min_replicas) {
    result = spec_.min_replicas;
    why = fmt::format("minReplicas {}", spec_.min_replicas);
  } else if (stabilized > max_allowed) {
    result = max_allowed;
    why = spec_.max_replicas > up_limit
              ? fmt::format("scale-up limit max(2 x {}, 4) = {}", current, up_limit)
              : fmt::format("maxReplicas {}", spec_.max_replicas);
  } else if (stabilized != desired) {
    why = fmt::format("held by the highest recommendation of the last {}",
                      FormatScaleTime(spec_.downscale_stabilization));
  }
  reason = DescribeDesired(desired, current, result, why);
  return result;
}

int Hpa::ChangeInPeriod(const std::vector<ScaleEvent>& events, ScaleTime now,
                        std::chrono::seconds period) {
  // getReplicasChangePerPeriod: events strictly after now - period.
  int change = 0;
  for (const ScaleEvent& event : events) {
    if (event.at > now - period) change += event.change;
  }
  return change;
}

int Hpa::NormalizeWithBehavior(ScaleTime now, int current, int desired, std::string& reason) {
  const HpaScalingRules& up = spec_.behavior->scale_up;
  const HpaScalingRules& down = spec_.behavior->scale_down;
  // stabilizeRecommendationWithBehaviors: samples strictly inside each window.
  const ScaleTime up_cutoff = now - *up.stabilization_window;
  const ScaleTime down_cutoff = now - *down.stabilization_window;
  int up_rec = desired;
  int down_rec = desired;
  for (const Recommendation& r : recommendations_) {
    if (r.at > up_cutoff) up_rec = std::min(up_rec, r.replicas);
    if (r.at > down_cutoff) down_rec = std::max(down_rec, r.replicas);
  }
  int rec = current;
  if (rec < up_rec) rec = up_rec;
  if (rec > down_rec) rec = down_rec;
  const ScaleTime oldest = std::min(up_cutoff, down_cutoff);
  std::erase_if(recommendations_, [&](const Recommendation& r) { return r.at < oldest; });
  recommendations_.push_back({now, desired});
  // Events older than every policy's period never count again.
  std::chrono::seconds longest{0};
  for (const auto* rules : {&up, &down}) {
    for (const HpaPolicy& p : rules->policies) longest = std::max(longest, p.period);
  }
  for (auto* events : {&scale_up_events_, &scale_down_events_}) {
    std::erase_if(*events, [&](const ScaleEvent& e) { return e.at <= now - longest; });
  }

  std::string why;
  if (rec != desired) {
    why = fmt::format("stabilised to {} by the {} window", rec,
                      rec < desired ? "scale-up" : "scale-down");
  }
  int result = rec;
  if (rec > current) {
    int limit = ScaleLimit(up, now, current, true);
    limit = std::max(limit, current);
    if (rec > std::min(spec_.max_replicas, limit)) {
      result = std::min(spec_.max_replicas, limit);
      why = spec_.max_replicas > limit ? (up.select_policy == SelectPolicy::kDisabled
                                              ? std::string("scale-up disabled")
                                              : fmt::format("scale-up policy limit {}", limit))
                                       : fmt::format("maxReplicas {}", spec_.max_replicas);
    }
  } else if (rec < current) {
    int limit = ScaleLimit(down, now, current, false);
    limit = std::min(limit, current);
    if (rec < std::max(spec_.min_replicas, limit)) {
      result = std::max(spec_.min_replicas, limit);
      why = spec_.min_replicas < limit ? (down.select_policy == SelectPolicy::kDisabled
                                              ? std::string("scale-down disabled")
                                              : fmt::format("scale-down policy limit {}", limit))
                                       : fmt::format("minReplicas {}", spec_.min_replicas);
    }
  }
  reason = DescribeDesired(desired, current, result, why);
  return result;
}

int Hpa::ScaleLimit(const HpaScalingRules& rules, ScaleTime now, int current, bool scale_up) const {
  // calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors: each policy
  // counts from the replica count at the start of its period; Max picks the largest change.
  if (rules.select_policy == SelectPolicy::kDisabled) return current;
  const bool pick_max = (rules.select_policy == SelectPolicy::kMax) == scale_up;
  int result = pick_max ? std::numeric_limits<int>::min() : std::numeric_limits<int>::max();
  for (const HpaPolicy& policy : rules.policies) {
    const int start = current - ChangeInPeriod(scale_up_events_, now, policy.period) +
                      ChangeInPeriod(scale_down_events_, now, policy.period);
    int proposed = 0;
    if (policy.type == HpaPolicy::Type::kPods) {
      proposed = scale_up ? start + policy.value : start - policy.value;
    } else if (scale_up) {
      // Rounded up so that a small percentage still adds a pod.
      proposed = static_cast<int>(std::ceil(start * (1 + policy.value / 100.0)));
    } else {
      proposed = static_cast<int>(start * (1 - policy.value / 100.0));  // Go's int32(): truncation
    }
    result = pick_max ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

std::string Hpa::DescribeDesired(int desired, int current, int result, const std::string& why) {
  std::string text = fmt::format("metric desires {}", desired);
  if (desired == current && result == current) text += ", as now";
  if (!why.empty()) text += "; " + why;
  if (result != current) text += fmt::format("; {} -> {}", current, result);
  return text;
}

int PlainHpaDesired(int current, double metric, double target) {
  if (!(target > 0) || !std::isfinite(target)) return current;
  if (!std::isfinite(metric) || metric < 0) metric = 0;
  return CeilToInt(current * metric / target);
}

}  // namespace pixfleet
