// ForwardingTaskQueue: the base of the test doubles that wrap another TaskQueue
// (scripted_task_queue.h, receiving_ahead_queue.h). Every call goes to the inner queue unchanged;
// a double overrides only the calls it changes, and reaches the inner queue through Inner(). The
// inner queue outlives the double. Thread-safe as far as the inner queue is.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string_view>

#include "core/status.h"
#include "queue/task_queue.h"

namespace pixfleet {

class ForwardingTaskQueue : public TaskQueue {
 public:
  explicit ForwardingTaskQueue(TaskQueue& inner) : inner_(inner) {}

  Status Publish(std::span<const TaskSpec> tasks) override { return inner_.Publish(tasks); }
  Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds max_wait) override {
    return inner_.LeaseNext(max_wait);
  }
  Status Heartbeat(Lease& lease) override { return inner_.Heartbeat(lease); }
  Status Ack(const Lease& lease) override { return inner_.Ack(lease); }
  Status Retry(const Lease& lease, std::chrono::milliseconds delay,
               std::string_view reason) override {
    return inner_.Retry(lease, delay, reason);
  }
  Status Release(const Lease& lease, std::string_view reason) override {
    return inner_.Release(lease, reason);
  }
  Status DeadLetter(const Lease& lease, std::string_view reason) override {
    return inner_.DeadLetter(lease, reason);
  }
  Result<QueueDepth> Depth() override { return inner_.Depth(); }
  Status StopLeasing() override { return inner_.StopLeasing(); }
  Status StopReceiving() override { return inner_.StopReceiving(); }

 protected:
  TaskQueue& Inner() { return inner_; }

 private:
  TaskQueue& inner_;
};

}  // namespace pixfleet
