#include "autoscale/scaled_job_loop.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

namespace pixfleet {
namespace {

void Remember(std::deque<ReplicaExit>& history, const ReplicaExit& exited, int limit) {
  history.push_back(exited);
  while (!history.empty() && std::cmp_greater(history.size(), std::max(limit, 0))) {
    history.pop_front();
  }
}

}  // namespace

ScaledJobLoop::ScaledJobLoop(ScaledJobSpec spec, std::vector<RabbitMqProtocol> protocols,
                             std::vector<QueueMetricSource*> sources, ReplicaPool& pool,
                             ScaleTime start)
    : spec_(std::move(spec)),
      protocols_(std::move(protocols)),
      sources_(std::move(sources)),
      pool_(pool),
      next_poll_(start) {}

std::optional<JobDecision> ScaledJobLoop::Tick(ScaleTime now) {
  for (const ReplicaExit& exited : pool_.Poll()) {
    if (exited.Clean()) {
      spdlog::info("scale: job {} (pid {}) completed", exited.id, exited.pid);
      Remember(completed_, exited, spec_.successful_jobs_history_limit);
    } else {
      spdlog::warn("scale: job {} (pid {}) failed: {}", exited.id, exited.pid, exited.description);
      Remember(failed_, exited, spec_.failed_jobs_history_limit);
    }
  }
  if (now < next_poll_) return std::nullopt;
  next_poll_ = now + spec_.polling_interval;

  std::vector<std::optional<TriggerReading>> readings;
  readings.reserve(sources_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    Result<QueueSample> sample = sources_[i]->Sample();
    if (sample.ok()) {
      readings.emplace_back(ReadTrigger(spec_.triggers[i], protocols_[i], *sample));
    } else {
      spdlog::warn("scale: trigger {} could not be read: {}", i, sample.status().ToString());
      readings.emplace_back(std::nullopt);
    }
  }
  JobCounts jobs;
  for (const Replica& replica : pool_.Replicas()) {
    ++jobs.running;
    if (replica.status.state == ReplicaState::kUnknown) ++jobs.pending;
  }
  JobDecision decision = DecideJobs(spec_, readings, jobs);
  spdlog::info(
      "scale: metric={} active={} create={} running={} pending={} max_scale={} "
      "effective_max={} error={} reason=\"{}\"",
      decision.queue_length, decision.active, decision.create, jobs.running, jobs.pending,
      decision.max_scale, decision.effective_max, decision.error, decision.reason);
  for (int i = 0; i < decision.create; ++i) {
    Result<int> started = pool_.Start();
    if (!started.ok()) {
      spdlog::error("scale: {}", started.status().message());
      break;
    }
    spdlog::info("scale: started job {}", *started);
  }
  return decision;
}

}  // namespace pixfleet
