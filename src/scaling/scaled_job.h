// ScaledJob: KEDA's ScaledJob (keda.sh/v1alpha1), which starts one Job per unit of work instead of
// resizing a Deployment, and never stops a running Job (pkg/scaling/executor/scale_jobs.go):
//   MaxRC = max - min (max when min > max; 100 when max was not given), MinRC = min(min, max);
//   queueLength = the metric of the trigger chosen by multipleScalersCalculation among the
//   active ones; maxScale = ceil(min(queueLength / value, MaxRC)); scaleTo = ceil(queueLength);
//   below MinRC running: create MinRC - running; otherwise with r = running - MinRC:
//     default  effMax = maxScale - r
//     custom   effMax = min(maxScale - deduction - int(r × runningJobPercentage), MaxRC)
//     accurate effMax = maxScale + r - pending > MaxRC ? MaxRC - r : maxScale - pending
//     eager    effMax = min(MaxRC - r - pending, maxScale), scaleTo = MaxRC
//   and create min(scaleTo, max(effMax, 0)) Jobs when active.
// "running" counts unfinished Jobs (pending ones included); "pending" those whose pod is not yet
// running. A `Value` metric target counts as 0, so such a trigger never creates Jobs (as in KEDA).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "scaling/rabbitmq_trigger.h"
#include "scaling/scale_time.h"

namespace pixfleet {

enum class ScaledJobStrategy { kDefault, kCustom, kAccurate, kEager };
enum class MultipleScalersCalculation { kMax, kMin, kAvg, kSum };

struct ScaledJobSpec {
  std::string name;
  std::chrono::seconds polling_interval{30};
  int min_replica_count = 0;
  int max_replica_count = 100;
  // True when the file left maxReplicaCount out: KEDA's MaxRC is then 100 whatever min is
  // (ScaledJob.MaxReplicaCount()), not 100 - min.
  bool max_replica_count_defaulted = false;
  ScaledJobStrategy strategy = ScaledJobStrategy::kDefault;
  std::optional<int> custom_queue_length_deduction;
  std::optional<double> custom_running_job_percentage;  // unset or unparsable: `default`
  MultipleScalersCalculation multiple_scalers_calculation = MultipleScalersCalculation::kMax;
  int successful_jobs_history_limit = 100;
  int failed_jobs_history_limit = 100;
  std::vector<RabbitMqTrigger> triggers;
};

struct JobCounts {
  int running = 0;  // unfinished Jobs, pending included
  int pending = 0;  // unfinished Jobs whose pod is not running yet
};

struct JobDecision {
  int create = 0;  // Jobs to start now
  double queue_length = 0;
  int max_scale = 0;
  int effective_max = 0;
  bool active = false;
  bool error = false;
  std::string reason;
};

// One poll: `readings[i]` is trigger i's reading, or nullopt when its query failed (that trigger
// is skipped).
// The strategy as KEDA spells it in scalingStrategy.strategy ("default", "accurate", ...).
const char* ScaledJobStrategyName(ScaledJobStrategy strategy);

JobDecision DecideJobs(const ScaledJobSpec& spec,
                       std::span<const std::optional<TriggerReading>> readings,
                       const JobCounts& jobs);

}  // namespace pixfleet
