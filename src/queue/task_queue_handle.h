// TaskQueueHandle: an owned TaskQueue together with the capabilities its backend has beyond the
// port (expiring_leases.h, lease_releaser.h, deduplicating_publish.h). Each accessor returns the
// same queue object seen through that interface, or null when its backend lacks it: a caller that
// needs a capability asks for it and says what it does without. The capabilities come from the
// backend's static type when the handle is made (Of), so a backend gains one by deriving from its
// interface, with no flag to keep in step. The composition root (wiring/backends.h) makes handles
// from URLs; tests make them from a backend object. Dereferences like the unique_ptr it holds.
#pragma once

#include <concepts>
#include <memory>
#include <utility>

#include "queue/deduplicating_publish.h"
#include "queue/expiring_leases.h"
#include "queue/lease_releaser.h"
#include "queue/task_queue.h"

namespace pixfleet {

class TaskQueueHandle {
 public:
  TaskQueueHandle() = default;
  ~TaskQueueHandle() = default;
  TaskQueueHandle(const TaskQueueHandle&) = delete;
  TaskQueueHandle& operator=(const TaskQueueHandle&) = delete;
  // A moved-from handle is empty: no queue, no capability.
  TaskQueueHandle(TaskQueueHandle&& other) noexcept { *this = std::move(other); }
  TaskQueueHandle& operator=(TaskQueueHandle&& other) noexcept {
    queue_ = std::move(other.queue_);
    expiring_leases_ = std::exchange(other.expiring_leases_, nullptr);
    lease_releaser_ = std::exchange(other.lease_releaser_, nullptr);
    deduplicating_publish_ = std::exchange(other.deduplicating_publish_, nullptr);
    return *this;
  }

  template <std::derived_from<TaskQueue> Backend>
  static TaskQueueHandle Of(std::unique_ptr<Backend> backend) {
    TaskQueueHandle handle;
    if constexpr (std::derived_from<Backend, ExpiringLeases>) {
      handle.expiring_leases_ = backend.get();
    }
    if constexpr (std::derived_from<Backend, LeaseReleaser>) {
      handle.lease_releaser_ = backend.get();
    }
    if constexpr (std::derived_from<Backend, DeduplicatingPublish>) {
      handle.deduplicating_publish_ = backend.get();
    }
    handle.queue_ = std::move(backend);
    return handle;
  }

  TaskQueue& operator*() const { return *queue_; }
  TaskQueue* operator->() const { return queue_.get(); }
  explicit operator bool() const { return queue_ != nullptr; }

  // The capabilities, or null. They live as long as the queue.
  ExpiringLeases* AsExpiringLeases() const { return expiring_leases_; }
  LeaseReleaser* AsLeaseReleaser() const { return lease_releaser_; }
  DeduplicatingPublish* AsDeduplicatingPublish() const { return deduplicating_publish_; }

 private:
  std::unique_ptr<TaskQueue> queue_;
  ExpiringLeases* expiring_leases_ = nullptr;
  LeaseReleaser* lease_releaser_ = nullptr;
  DeduplicatingPublish* deduplicating_publish_ = nullptr;
};

}  // namespace pixfleet
