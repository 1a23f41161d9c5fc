#include "simulate/model.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <utility>

#include "scaling/hpa.h"

namespace pixfleet::simulate {
namespace {

constexpr Millis kNever = Millis::max();

struct InFlight {
  size_t task = 0;
  Millis started{0};
  Millis finish{0};
};

struct Pod {
  int64_t id = 0;
  Millis created{0};
  Millis ready_at{0};
  bool ready = false;
  bool terminating = false;
  Millis deadline = kNever;  // grace deadline once terminating
  bool job = false;          // a ScaledJob's Job: one task, then exit
  bool took_task = false;
  std::vector<InFlight> work;
  // With pod-deletion-cost: what the worker last wrote (busy or idle) and when it may next write.
  bool marked_busy = false;
  Millis next_mark{0};
};

double Seconds(Millis ms) { return static_cast<double>(ms.count()) / 1000.0; }

class Simulation {
 public:
  Simulation(const Variant& variant, const std::vector<SimTask>& tasks, const Workload& workload)
      : variant_(variant), tasks_(tasks), workload_(workload) {
    result_.label = variant.label;
    result_.tasks = static_cast<int64_t>(tasks.size());
    const ScaledObjectSpec& so = variant.scaled_object;
    switch (variant.kind) {
      case VariantKind::kScaledObject:
        controller_.emplace(so, variant.protocols, Millis{0});
        floor_ = so.idle_replica_count.value_or(so.min_replica_count);
        replicas_ = so.min_replica_count;
        break;
      case VariantKind::kPlainHpa: {
        HpaSpec spec;
        spec.min_replicas = std::max(1, so.min_replica_count);
        spec.max_replicas = so.max_replica_count;
        spec.behavior = so.behavior;
        hpa_.emplace(spec);
        floor_ = spec.min_replicas;
        replicas_ = spec.min_replicas;
        next_poll_ = Millis{0};
        break;
      }
      case VariantKind::kScaledJob:
        floor_ = 0;
        next_poll_ = Millis{0};
        break;
    }
    // Replicas the target already runs before the workload starts: warm, ready at t = 0.
    for (int i = 0; i < replicas_; ++i) AddPod(Millis{0}, /*warm=*/true);
  }

  SimResult Run() {
    for (;;) {
      const Millis next = NextEventTime();
      if (next == kNever || next > workload_.horizon) break;
      now_ = next;
      Complete();
      EndGracePeriods();
      BecomeReady();
      Arrive();
      Dispatch();
      MarkDeletionCosts();
      ScaleIfDue();
      Record();
      if (Finished()) break;
    }
    result_.end = std::min(now_, workload_.horizon);
    for (const Pod& pod : pods_) result_.paid_seconds += Seconds(result_.end - pod.created);
    result_.busy_seconds = Seconds(busy_slot_time_) / Slots();
    if (result_.completed == result_.tasks && !tasks_.empty()) {
      result_.drain_time = last_completion_ - tasks_.front().arrival;
    } else if (tasks_.empty()) {
      result_.drain_time = Millis{0};
    }
    return std::move(result_);
  }

 private:
  int Slots() const {
    return variant_.kind == VariantKind::kScaledJob ? 1 : std::max(1, workload_.pod.slots);
  }

  Millis ScalerDue() const {
    if (controller_.has_value()) return controller_->NextDue();
    return next_poll_;
  }

  Millis NextEventTime() const {
    Millis next = ScalerDue();
    if (next_task_ < tasks_.size()) next = std::min(next, tasks_[next_task_].arrival);
    for (const Pod& pod : pods_) {
      if (!pod.ready) next = std::min(next, pod.ready_at);
      if (pod.terminating) next = std::min(next, pod.deadline);
      for (const InFlight& f : pod.work) next = std::min(next, f.finish);
      if (MarkPending(pod)) next = std::min(next, pod.next_mark);
    }
    return std::max(next, now_);
  }

  void AddPod(Millis ready_at, bool warm) {
    Pod pod;
    pod.id = next_pod_id_++;
    pod.created = warm ? Millis{0} : now_;
    pod.ready_at = ready_at;
    pod.job = variant_.kind == VariantKind::kScaledJob;
    pods_.push_back(std::move(pod));
  }

  void Exit(size_t index) {
    result_.paid_seconds += Seconds(now_ - pods_[index].created);
    pods_.erase(pods_.begin() + static_cast<std::ptrdiff_t>(index));
  }

  void Complete() {
    for (size_t i = 0; i < pods_.size();) {
      Pod& pod = pods_[i];
      auto done = std::stable_partition(pod.work.begin(), pod.work.end(),
                                        [&](const InFlight& f) { return f.finish > now_; });
      for (auto it = done; it != pod.work.end(); ++it) {
        busy_slot_time_ += it->finish - it->started;
        ++result_.completed;
        last_completion_ = std::max(last_completion_, it->finish);
      }
      pod.work.erase(done, pod.work.end());
      const bool leaves = pod.work.empty() && (pod.terminating || (pod.job && pod.took_task));
      if (leaves) {
        Exit(i);
      } else {
        ++i;
      }
    }
  }

  // SIGTERM + grace period over: the worker hands its unfinished tasks back (to the head of the
  // queue, as a requeue does) and exits.
  void EndGracePeriods() {
    for (size_t i = 0; i < pods_.size();) {
      Pod& pod = pods_[i];
      if (!pod.terminating || pod.deadline > now_) {
        ++i;
        continue;
      }
      for (auto it = pod.work.rbegin(); it != pod.work.rend(); ++it) {
        busy_slot_time_ += now_ - it->started;
        ++result_.interrupted;
        ready_.push_front(it->task);
      }
      Exit(i);
    }
  }

  void BecomeReady() {
    for (Pod& pod : pods_) {
      if (!pod.ready && pod.ready_at <= now_) {
        pod.ready = true;
        // The worker writes "idle" as it starts; its next write may follow one interval later.
        if (variant_.deletion_cost.has_value()) pod.next_mark = now_ + *variant_.deletion_cost;
      }
    }
  }

  // A ready pod whose annotation no longer says what it is doing.
  bool MarkPending(const Pod& pod) const {
    return variant_.deletion_cost.has_value() && pod.ready && !pod.terminating &&
           pod.marked_busy != !pod.work.empty();
  }

  // Each worker writes its latest state once its interval allows (pods that went back to what
  // they last wrote write nothing).
  void MarkDeletionCosts() {
    for (Pod& pod : pods_) {
      if (!MarkPending(pod) || pod.next_mark > now_) continue;
      pod.marked_busy = !pod.work.empty();
      pod.next_mark = now_ + *variant_.deletion_cost;
    }
  }

  void Arrive() {
    while (next_task_ < tasks_.size() && tasks_[next_task_].arrival <= now_) {
      ready_.push_back(next_task_++);
    }
  }

  bool Takes(const Pod& pod) const {
    if (!pod.ready || pod.terminating) return false;
    if (pod.job) return !pod.took_task;
    return static_cast<int>(pod.work.size()) < Slots();
  }

  // The broker pushes to consumers with room under their prefetch, in turn.
  void Dispatch() {
    bool gave = true;
    while (!ready_.empty() && gave) {
      gave = false;
      for (Pod& pod : pods_) {
        if (ready_.empty()) break;
        if (!Takes(pod)) continue;
        const size_t task = ready_.front();
        ready_.pop_front();
        pod.work.push_back({task, now_, now_ + tasks_[task].duration});
        pod.took_task = true;
        gave = true;
      }
    }
    // A Job that finds nothing to do exits (--exit-when-idle).
    for (size_t i = 0; i < pods_.size();) {
      if (pods_[i].job && pods_[i].ready && !pods_[i].took_task) {
        Exit(i);
      } else {
        ++i;
      }
    }
  }

  QueueSample Sample() const {
    QueueSample sample;
    sample.ready = static_cast<int64_t>(ready_.size());
    sample.unacknowledged = Unacked();
    return sample;
  }

  int64_t Unacked() const {
    int64_t unacked = 0;
    for (const Pod& pod : pods_) unacked += static_cast<int64_t>(pod.work.size());
    return unacked;
  }

  PodCounts Counts() const {
    PodCounts counts;
    counts.current = replicas_;
    for (const Pod& pod : pods_) {
      if (pod.terminating) continue;
      ++counts.status;
      if (pod.ready) ++counts.ready;
    }
    return counts;
  }

  void ScaleIfDue() {
    if (ScalerDue() > now_) return;
    const QueueSample sample = Sample();
    switch (variant_.kind) {
      case VariantKind::kScaledObject: {
        const std::vector<TriggerSample> samples(variant_.scaled_object.triggers.size(),
                                                 TriggerSample(sample));
        const ScaleDecision decision = controller_->Step(now_, samples, Counts());
        SetReplicas(decision.replicas);
        break;
      }
      case VariantKind::kPlainHpa: {
        std::vector<ExternalMetricSample> metrics;
        const auto& triggers = variant_.scaled_object.triggers;
        for (size_t i = 0; i < triggers.size(); ++i) {
          ExternalMetricSample metric;
          metric.type = triggers[i].metric_type;
          metric.target = triggers[i].value;
          metric.usage = ReadTrigger(triggers[i], variant_.protocols[i], sample).metric;
          metrics.push_back(metric);
        }
        const PodCounts counts = Counts();
        const HpaDecision decision =
            hpa_->Reconcile(now_, replicas_, counts.status, counts.ready, metrics);
        SetReplicas(decision.replicas);
        next_poll_ = now_ + hpa_->spec().sync_period;
        break;
      }
      case VariantKind::kScaledJob: {
        const auto& triggers = variant_.scaled_job.triggers;
        std::vector<std::optional<TriggerReading>> readings;
        for (size_t i = 0; i < triggers.size(); ++i) {
          readings.emplace_back(ReadTrigger(triggers[i], variant_.protocols[i], sample));
        }
        JobCounts jobs;
        for (const Pod& pod : pods_) {
          ++jobs.running;
          if (!pod.ready) ++jobs.pending;
        }
        const JobDecision decision = DecideJobs(variant_.scaled_job, readings, jobs);
        for (int i = 0; i < decision.create; ++i) AddPod(now_ + workload_.pod.startup, false);
        if (decision.create > 0) ++result_.scale_decisions;
        replicas_ = static_cast<int>(pods_.size());
        next_poll_ = now_ + variant_.scaled_job.polling_interval;
        break;
      }
    }
  }

  // The ReplicaSet brought to `replicas`: new pods start; surplus ones are deleted in
  // Kubernetes' order (ActivePodsWithRanks): not ready first, then the lower pod-deletion-cost
  // (all 0 unless the workers write it: then the pods marked idle), then the most recently
  // ready, then the newest.
  void SetReplicas(int replicas) {
    if (replicas != replicas_) ++result_.scale_decisions;
    replicas_ = replicas;
    const auto active_count = static_cast<int>(
        std::count_if(pods_.begin(), pods_.end(), [](const Pod& pod) { return !pod.terminating; }));
    for (int n = active_count; n < replicas; ++n) AddPod(now_ + workload_.pod.startup, false);
    if (active_count <= replicas) return;
    std::vector<Pod*> active;
    for (Pod& pod : pods_) {
      if (!pod.terminating) active.push_back(&pod);
    }
    std::stable_sort(active.begin(), active.end(), [](const Pod* a, const Pod* b) {
      if (a->ready != b->ready) return !a->ready;
      if (a->marked_busy != b->marked_busy) return !a->marked_busy;
      if (a->ready_at != b->ready_at) return a->ready_at > b->ready_at;
      if (a->created != b->created) return a->created > b->created;
      return a->id > b->id;
    });
    const size_t victims = active.size() - static_cast<size_t>(replicas);
    for (size_t v = 0; v < victims; ++v) {
      if (!active[v]->work.empty()) ++result_.busy_stopped;
      active[v]->terminating = true;
      active[v]->deadline = now_ + workload_.pod.grace_period;
    }
    // Pods with nothing in flight exit on SIGTERM at once.
    for (size_t i = 0; i < pods_.size();) {
      if (pods_[i].terminating && pods_[i].work.empty()) {
        Exit(i);
      } else {
        ++i;
      }
    }
  }

  void Record() {
    // A ScaledJob's "replicas" are its running Jobs, which end on their own.
    if (variant_.kind == VariantKind::kScaledJob) replicas_ = static_cast<int>(pods_.size());
    SeriesPoint point;
    point.at = now_;
    point.ready = static_cast<int64_t>(ready_.size());
    point.unacked = Unacked();
    point.replicas = replicas_;
    point.pods = static_cast<int>(pods_.size());
    int connected = 0;
    for (const Pod& pod : pods_) {
      if (!pod.work.empty()) ++point.busy;
      if (pod.ready) ++connected;
    }
    const int per_pod = workload_.pod.db_connections;
    result_.peak_pods = std::max(result_.peak_pods, point.pods);
    result_.peak_replicas = std::max(result_.peak_replicas, replicas_);
    result_.peak_db_clients = std::max(result_.peak_db_clients, connected * per_pod);
    result_.peak_db_servers = std::max(
        result_.peak_db_servers, std::min(point.busy * per_pod, workload_.pgbouncer_pool_size));
    auto& series = result_.series;
    const auto same = [&](const SeriesPoint& p) {
      return p.ready == point.ready && p.unacked == point.unacked && p.replicas == point.replicas &&
             p.pods == point.pods && p.busy == point.busy;
    };
    if (!series.empty() && series.back().at == now_) series.pop_back();
    if (series.empty() || !same(series.back())) series.push_back(point);
  }

  bool Finished() const {
    if (result_.completed < result_.tasks) return false;
    const auto alive = static_cast<int>(pods_.size());
    return alive == floor_ && replicas_ == floor_ &&
           (variant_.kind != VariantKind::kScaledJob || alive == 0);
  }

  const Variant& variant_;
  const std::vector<SimTask>& tasks_;
  const Workload& workload_;
  SimResult result_;
  std::optional<ScaledObjectController> controller_;
  std::optional<Hpa> hpa_;
  Millis next_poll_ = kNever;
  Millis now_{0};
  int replicas_ = 0;
  int floor_ = 0;
  size_t next_task_ = 0;
  std::deque<size_t> ready_;
  std::vector<Pod> pods_;
  int64_t next_pod_id_ = 0;
  Millis busy_slot_time_{0};
  Millis last_completion_{0};
};

}  // namespace

const char* VariantKindName(VariantKind kind) {
  switch (kind) {
    case VariantKind::kScaledObject:
      return "ScaledObject";
    case VariantKind::kScaledJob:
      return "ScaledJob";
    case VariantKind::kPlainHpa:
      return "HPA";
  }
  return "?";
}

SimResult Simulate(const Variant& variant, const std::vector<SimTask>& tasks,
                   const Workload& workload) {
  return Simulation(variant, tasks, workload).Run();
}

}  // namespace pixfleet::simulate
