// FakeReplicaPool and FakeMetricSource: in-memory stand-ins for the scaler's ports, for unit
// tests of the loops. The test plays the replicas (Report, Exit) and the queue (set `next`).
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "autoscale/queue_metric_source.h"
#include "autoscale/replica_pool.h"

namespace pixfleet {

class FakeReplicaPool final : public ReplicaPool {
 public:
  Result<int> Start() override {
    if (!start_error.ok()) return start_error;
    ++starts;
    replicas_.push_back(Replica{++last_id_, 1000 + last_id_, {}, false});
    return last_id_;
  }
  void Stop(int id) override {
    for (Replica& replica : replicas_) {
      if (replica.id == id && !replica.terminating) {
        replica.terminating = true;
        stopped.push_back(id);
      }
    }
  }
  // The test plays the replicas: a hurried one exits when the test says (Exit, FinishStops).
  void Hurry(int /*id*/) override {}
  std::vector<Replica> Replicas() const override { return replicas_; }
  std::vector<ReplicaExit> Poll() override { return std::exchange(exits_, {}); }

  // Replica `id` reports `status` on its pipe.
  void Report(int id, ReplicaStatus status) {
    for (Replica& replica : replicas_) {
      if (replica.id == id) replica.status = status;
    }
  }
  // Replica `id` exits with `code`; the next Poll returns it.
  void Exit(int id, int code) {
    const auto it = std::find_if(replicas_.begin(), replicas_.end(),
                                 [id](const Replica& r) { return r.id == id; });
    if (it == replicas_.end()) return;
    exits_.push_back(ReplicaExit{id, it->pid, it->terminating, code,
                                 "exited with status " + std::to_string(code)});
    replicas_.erase(it);
  }
  // Every terminating replica exits 0, as workers that drained.
  void FinishStops() {
    std::vector<int> ids;
    for (const Replica& replica : replicas_) {
      if (replica.terminating) ids.push_back(replica.id);
    }
    for (int id : ids) Exit(id, 0);
  }
  int Live() const {
    return static_cast<int>(std::count_if(replicas_.begin(), replicas_.end(),
                                          [](const Replica& r) { return !r.terminating; }));
  }

  Status start_error;
  int starts = 0;
  std::vector<int> stopped;  // ids, in the order Stop was called

 private:
  std::vector<Replica> replicas_;
  std::vector<ReplicaExit> exits_;
  int last_id_ = 0;
};

class FakeMetricSource final : public QueueMetricSource {
 public:
  Result<QueueSample> Sample() override {
    ++samples;
    return next;
  }
  Result<QueueSample> next = QueueSample{};
  int samples = 0;
};

}  // namespace pixfleet
