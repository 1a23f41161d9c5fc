// ReceivingAheadQueue: a TaskQueue for tests that forwards to another one and adds what a
// broker's consumer sees (rabbitmq_task_queue.h): tasks pushed to it ahead of LeaseNext, some of
// them still on their way. Thread-safe.
//
// PushDuringNextDepth(n) takes n ready tasks off the inner queue (leased there) and puts them on
// their way to this consumer; they arrive while the next Depth() reads the counts, so that Depth
// counts them neither ready (the inner queue leased them) nor leased (LeaseNext has not returned
// them): the window in which a worker that checks for a drained queue sees one that is not.
// LeaseNext returns arrived tasks before the inner queue's. As the RabbitMQ backend does,
// StopReceiving lets every task on its way arrive and leases nothing more from the inner queue;
// StopLeasing hands back (Release) the arrived tasks LeaseNext has not returned.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "core/status.h"
#include "queue/task_queue.h"
#include "testing/forwarding_task_queue.h"

namespace pixfleet {

class ReceivingAheadQueue final : public ForwardingTaskQueue {
 public:
  using ForwardingTaskQueue::ForwardingTaskQueue;

  // False (with what was taken still on its way) when fewer than `count` tasks were ready.
  bool PushDuringNextDepth(int count) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < count; ++i) {
      Result<std::optional<Lease>> taken = Inner().LeaseNext(std::chrono::milliseconds(0));
      if (!taken.ok() || !taken->has_value()) return false;
      on_the_way_.push_back(std::move(**taken));
    }
    return true;
  }

  Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds max_wait) override {
    {
      std::lock_guard lock(mutex_);
      if (!arrived_.empty()) {
        Lease next = std::move(arrived_.front());
        arrived_.pop_front();
        return std::optional<Lease>(std::move(next));
      }
      if (receiving_stopped_) return std::optional<Lease>();
    }
    return Inner().LeaseNext(max_wait);
  }
  Result<QueueDepth> Depth() override {
    Result<QueueDepth> depth = Inner().Depth();
    if (!depth.ok()) return depth;
    std::lock_guard lock(mutex_);
    depth->leased -= static_cast<int64_t>(on_the_way_.size() + arrived_.size());
    ArriveLocked();
    return depth;
  }
  Status StopReceiving() override {
    std::lock_guard lock(mutex_);
    receiving_stopped_ = true;
    ArriveLocked();
    return Status::Ok();
  }
  Status StopLeasing() override {
    std::vector<Lease> unleased;
    {
      std::lock_guard lock(mutex_);
      receiving_stopped_ = true;
      ArriveLocked();
      unleased.assign(arrived_.begin(), arrived_.end());
      arrived_.clear();
    }
    for (const Lease& lease : unleased) {
      PIXFLEET_RETURN_IF_ERROR(Inner().Release(lease, "this consumer stopped leasing"));
    }
    return Status::Ok();
  }

 private:
  void ArriveLocked() {
    arrived_.insert(arrived_.end(), on_the_way_.begin(), on_the_way_.end());
    on_the_way_.clear();
  }

  std::mutex mutex_;
  std::deque<Lease> on_the_way_;    // guarded by mutex_
  std::deque<Lease> arrived_;       // guarded by mutex_
  bool receiving_stopped_ = false;  // guarded by mutex_
};

}  // namespace pixfleet
