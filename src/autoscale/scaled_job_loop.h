// ScaledJobLoop: `pixfleet scale` for a ScaledJob, one Tick at a time. Every pollingInterval
// (the first at start) it samples the triggers, counts the job processes (running = alive,
// pending = alive but not yet reported a state, as a Job whose pod is not running yet), asks
// DecideJobs and starts that many. Job processes are never stopped by the scaler (only when the
// scaler itself stops), and one that exits is never replaced: exit 0 is a completed Job, anything
// else a failed one (logged). successfulJobsHistoryLimit and failedJobsHistoryLimit bound how
// many finished Jobs are remembered (CompletedJobs/FailedJobs). Used from one thread.
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "autoscale/queue_metric_source.h"
#include "autoscale/replica_pool.h"
#include "scaling/scaled_job.h"

namespace pixfleet {

class ScaledJobLoop {
 public:
  // `protocols[i]` is EffectiveProtocol() of spec.triggers[i], `sources[i]` reads it (not
  // owned). The first poll is due at `start`.
  ScaledJobLoop(ScaledJobSpec spec, std::vector<RabbitMqProtocol> protocols,
                std::vector<QueueMetricSource*> sources, ReplicaPool& pool, ScaleTime start);

  // Records exits, and polls when due. Returns the decision when it polled.
  std::optional<JobDecision> Tick(ScaleTime now);
  ScaleTime NextWake() const { return next_poll_; }

  // The most recent finished Jobs (ids), oldest first, at most the history limits.
  const std::deque<ReplicaExit>& CompletedJobs() const { return completed_; }
  const std::deque<ReplicaExit>& FailedJobs() const { return failed_; }

 private:
  ScaledJobSpec spec_;
  std::vector<RabbitMqProtocol> protocols_;
  std::vector<QueueMetricSource*> sources_;
  ReplicaPool& pool_;
  ScaleTime next_poll_;
  std::deque<ReplicaExit> completed_;
  std::deque<ReplicaExit> failed_;
};

}  // namespace pixfleet
