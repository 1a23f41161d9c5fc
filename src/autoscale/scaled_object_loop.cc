#include "autoscale/scaled_object_loop.h"

#include <algorithm>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pixfleet {
namespace {

// `awaiting_restart`: replicas that exited and wait out their backoff (pods, not ready).
PodCounts CountPods(const std::vector<Replica>& replicas, int current, size_t awaiting_restart) {
  PodCounts pods;
  pods.current = current;
  pods.status = static_cast<int>(awaiting_restart);
  for (const Replica& replica : replicas) {
    if (replica.terminating) continue;
    ++pods.status;
    if (replica.status.Ready()) ++pods.ready;
  }
  return pods;
}

// The `count` live replicas to stop first: lowest StopRank, newest among equals.
std::vector<Replica> ChooseToStop(std::vector<Replica> replicas, int count) {
  std::erase_if(replicas, [](const Replica& r) { return r.terminating; });
  std::sort(replicas.begin(), replicas.end(), [](const Replica& a, const Replica& b) {
    const int rank_a = StopRank(a.status.state);
    const int rank_b = StopRank(b.status.state);
    return rank_a != rank_b ? rank_a < rank_b : a.id > b.id;
  });
  replicas.resize(std::min<size_t>(replicas.size(), static_cast<size_t>(std::max(count, 0))));
  return replicas;
}

}  // namespace

std::chrono::milliseconds CrashBackoff::DelayAfter(int consecutive) const {
  if (consecutive <= 1) return std::chrono::milliseconds(0);
  auto delay = base;
  for (int i = 2; i < consecutive && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

std::string DescribeDecision(const ScaleDecision& decision, const PodCounts& pods) {
  return fmt::format(
      "metric={} active={} desired={} current={} status={} ready={} loop={} error={} "
      "fallback={} hpa_desired={} reason=\"{}\"",
      decision.metric, decision.active, decision.replicas, pods.current, pods.status, pods.ready,
      decision.loop, decision.error, decision.fallback, decision.hpa_desired, decision.reason);
}

ScaledObjectLoop::ScaledObjectLoop(ScaledObjectController controller,
                                   std::vector<QueueMetricSource*> sources, ReplicaPool& pool,
                                   CrashBackoff backoff)
    : controller_(std::move(controller)),
      sources_(std::move(sources)),
      pool_(pool),
      backoff_(backoff) {}

ScaleTime ScaledObjectLoop::NextWake() const {
  ScaleTime wake = controller_.NextDue();
  for (const ScaleTime due : restarts_due_) wake = std::min(wake, due);
  return wake;
}

std::optional<ScaleDecision> ScaledObjectLoop::Tick(ScaleTime now) {
  HandleExits(now);
  std::optional<ScaleDecision> decided;
  if (now >= controller_.NextDue()) {
    std::vector<TriggerSample> samples;
    samples.reserve(sources_.size());
    for (QueueMetricSource* source : sources_) samples.push_back(source->Sample());
    // A failed query is in the decision's reason (the controller names it).
    const PodCounts pods = CountPods(pool_.Replicas(), target_, restarts_due_.size());
    ScaleDecision decision = controller_.Step(now, samples, pods);
    if (decision.loop[0] != '\0') {
      spdlog::info("scale: {}", DescribeDecision(decision, pods));
      target_ = decision.replicas;
      decided = std::move(decision);
    }
  }
  Reconcile(now);
  return decided;
}

void ScaledObjectLoop::HandleExits(ScaleTime now) {
  for (const ReplicaExit& exited : pool_.Poll()) {
    const auto started = started_at_.find(exited.id);
    const ScaleTime ran = started == started_at_.end() ? ScaleTime(0) : now - started->second;
    if (started != started_at_.end()) started_at_.erase(started);
    if (exited.requested) {
      spdlog::info("scale: replica {} (pid {}) stopped: {}", exited.id, exited.pid,
                   exited.description);
      continue;
    }
    // Not asked to stop: a crash, or a worker that left on its own; a Deployment restarts it.
    consecutive_crashes_ = ran >= backoff_.reset_after ? 1 : consecutive_crashes_ + 1;
    const auto delay = backoff_.DelayAfter(consecutive_crashes_);
    restarts_due_.push_back(now + delay);
    spdlog::warn("scale: replica {} (pid {}) {} while it should run; replaced in {} ms", exited.id,
                 exited.pid, exited.description, delay.count());
  }
}

void ScaledObjectLoop::Reconcile(ScaleTime now) {
  const std::vector<Replica> replicas = pool_.Replicas();
  const int live = CountPods(replicas, target_, 0).status;
  int surplus = live + static_cast<int>(restarts_due_.size()) - target_;
  // Those waiting for a restart go first (the latest due first), as a ReplicaSet deletes pods
  // that are not ready before ready ones.
  std::sort(restarts_due_.begin(), restarts_due_.end());
  while (surplus > 0 && !restarts_due_.empty()) {
    restarts_due_.pop_back();
    --surplus;
  }
  if (surplus > 0) {
    for (const Replica& replica : ChooseToStop(replicas, surplus)) {
      spdlog::info("scale: stopping replica {} (pid {}, {} {})", replica.id, replica.pid,
                   StateName(replica.status.state), replica.status.in_flight);
      pool_.Stop(replica.id);
    }
    return;
  }
  // Restarts whose backoff is over, then new replicas for a scale-up.
  const auto due_end = std::find_if(restarts_due_.begin(), restarts_due_.end(),
                                    [now](ScaleTime due) { return due > now; });
  const int restarts = static_cast<int>(due_end - restarts_due_.begin());
  restarts_due_.erase(restarts_due_.begin(), due_end);
  const int to_start = restarts - surplus;  // surplus <= 0: the missing replicas
  for (int i = 0; i < to_start; ++i) {
    Result<int> started = pool_.Start();
    if (!started.ok()) {
      spdlog::error("scale: {}", started.status().message());
      // Each one not started waits a backoff of its own, at least a second.
      ++consecutive_crashes_;
      const auto delay =
          std::max(backoff_.DelayAfter(consecutive_crashes_), std::chrono::milliseconds(1'000));
      restarts_due_.insert(restarts_due_.end(), static_cast<size_t>(to_start - i), now + delay);
      return;
    }
    started_at_[*started] = now;
    spdlog::info("scale: started replica {}", *started);
  }
}

}  // namespace pixfleet
