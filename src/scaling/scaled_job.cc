#include "scaling/scaled_job.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "scaling/scale_format.h"

namespace pixfleet {
namespace {

// One trigger's contribution (pkg/scaling/scaledjob/metrics.go).
struct TriggerLoad {
  double queue_length = 0;
  double max_value = 0;
  bool active = false;
};

constexpr const char* kStrategyNames[] = {"default", "custom", "accurate", "eager"};

// IsScaledJobActive's combination, including its quirks: `max` only takes a trigger whose queue
// length exceeds the best so far (so an active trigger with length 0 leaves the job inactive),
// `min` lets a later active trigger replace a length of 0.
TriggerLoad Combine(const std::vector<TriggerLoad>& loads, MultipleScalersCalculation how) {
  TriggerLoad out;
  int active = 0;
  for (const TriggerLoad& load : loads) {
    if (!load.active) continue;
    switch (how) {
      case MultipleScalersCalculation::kMax:
        if (load.queue_length > out.queue_length) out = load;
        break;
      case MultipleScalersCalculation::kMin:
        if (out.queue_length == 0 || load.queue_length < out.queue_length) out = load;
        break;
      case MultipleScalersCalculation::kAvg:
      case MultipleScalersCalculation::kSum:
        out.queue_length += load.queue_length;
        out.max_value += load.max_value;
        out.active = true;
        ++active;
        break;
    }
  }
  if (how == MultipleScalersCalculation::kAvg && active > 0) {
    out.queue_length /= active;
    out.max_value /= active;
  }
  return out;
}

}  // namespace

const char* ScaledJobStrategyName(ScaledJobStrategy strategy) {
  return kStrategyNames[static_cast<int>(strategy)];
}

JobDecision DecideJobs(const ScaledJobSpec& spec,
                       std::span<const std::optional<TriggerReading>> readings,
                       const JobCounts& jobs) {
  JobDecision decision;
  // ScaledJob.MaxReplicaCount() / MinReplicaCount().
  int max_rc = spec.min_replica_count > spec.max_replica_count
                   ? spec.max_replica_count
                   : spec.max_replica_count - spec.min_replica_count;
  if (spec.max_replica_count_defaulted) max_rc = spec.max_replica_count;
  const int min_rc = std::min(spec.min_replica_count, spec.max_replica_count);

  std::vector<TriggerLoad> loads;
  for (size_t i = 0; i < spec.triggers.size(); ++i) {
    if (i >= readings.size() || !readings[i]) {
      decision.error = true;  // a failed trigger is skipped
      continue;
    }
    const RabbitMqTrigger& trigger = spec.triggers[i];
    TriggerLoad load;
    load.queue_length = readings[i]->metric;
    load.active = readings[i]->active;
    // A Value target counts as an average target of 0, so the trigger asks for no Jobs.
    const double target =
        trigger.metric_type == MetricTargetType::kAverageValue ? trigger.value : 0;
    if (target != 0) {
      load.max_value = std::min(load.queue_length / target, static_cast<double>(max_rc));
    }
    loads.push_back(load);
  }
  const TriggerLoad combined = Combine(loads, spec.multiple_scalers_calculation);
  decision.active = combined.active || min_rc > 0;
  decision.queue_length = combined.queue_length;
  decision.max_scale =
      static_cast<int>(std::ceil(std::min(combined.max_value, static_cast<double>(max_rc))));
  int scale_to = static_cast<int>(std::ceil(combined.queue_length));

  // getScalingDecision and the strategies (pkg/scaling/executor/scale_jobs.go).
  int effective_max = 0;
  ScaledJobStrategy strategy = spec.strategy;
  if (strategy == ScaledJobStrategy::kCustom && !spec.custom_running_job_percentage) {
    strategy = ScaledJobStrategy::kDefault;  // KEDA falls back when the percentage is unusable
  }
  std::string how;
  if (jobs.running < min_rc) {
    effective_max = scale_to = min_rc - jobs.running;
    how = fmt::format("{} running < minReplicaCount {}", jobs.running, min_rc);
  } else {
    const int r = jobs.running - min_rc;
    const int max_scale = decision.max_scale;
    switch (strategy) {
      case ScaledJobStrategy::kDefault:
        effective_max = max_scale - r;
        break;
      case ScaledJobStrategy::kCustom:
        effective_max = std::min(max_scale - spec.custom_queue_length_deduction.value_or(0) -
                                     static_cast<int>(r * *spec.custom_running_job_percentage),
                                 max_rc);
        break;
      case ScaledJobStrategy::kAccurate:
        effective_max =
            max_scale + r - jobs.pending > max_rc ? max_rc - r : max_scale - jobs.pending;
        break;
      case ScaledJobStrategy::kEager:
        effective_max = std::min(max_rc - r - jobs.pending, max_scale);
        scale_to = max_rc;
        break;
    }
    how = fmt::format("strategy {}: maxScale {}, {} running, {} pending",
                      ScaledJobStrategyName(strategy), max_scale, jobs.running, jobs.pending);
  }
  decision.effective_max = std::max(effective_max, 0);
  if (decision.active && decision.effective_max > 0) {
    decision.create = std::min(scale_to, decision.effective_max);
  }
  decision.reason =
      fmt::format("queue length {}, {}; {}: create {}", FormatMetric(decision.queue_length),
                  decision.active ? "active" : "inactive", how, decision.create);
  if (decision.error) decision.reason += " (a trigger failed and was skipped)";
  return decision;
}

}  // namespace pixfleet
