// ScriptedQueue: a TaskQueue for tests that forwards to another one, except for the calls a test
// makes fail. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "core/status.h"
#include "queue/task_queue.h"
#include "testing/forwarding_task_queue.h"

namespace pixfleet {

// Forwards to another queue, except that LeaseNext, Heartbeat, Ack or Depth fail with the error
// set for them. Counts StopLeasing calls, and the LeaseNext calls made after the first; records
// the thread of the last StopLeasing call.
class ScriptedQueue final : public ForwardingTaskQueue {
 public:
  using ForwardingTaskQueue::ForwardingTaskQueue;
  void SetLeaseError(Status error) { Set(lease_error_, std::move(error)); }
  void SetAckError(Status error) { Set(ack_error_, std::move(error)); }
  void SetHeartbeatError(Status error) { Set(heartbeat_error_, std::move(error)); }
  void SetDepthError(Status error) { Set(depth_error_, std::move(error)); }

  Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds max_wait) override {
    if (stop_leasing_calls_.load() > 0) ++leases_after_stop_;
    if (Status error = Get(lease_error_); !error.ok()) return error;
    return Inner().LeaseNext(max_wait);
  }
  Status Heartbeat(Lease& lease) override {
    if (Status error = Get(heartbeat_error_); !error.ok()) return error;
    return Inner().Heartbeat(lease);
  }
  Status Ack(const Lease& lease) override {
    if (Status error = Get(ack_error_); !error.ok()) return error;
    return Inner().Ack(lease);
  }
  Result<QueueDepth> Depth() override {
    if (Status error = Get(depth_error_); !error.ok()) return error;
    return Inner().Depth();
  }
  Status StopLeasing() override {
    {
      std::lock_guard lock(mutex_);
      stop_leasing_thread_ = std::this_thread::get_id();
    }
    ++stop_leasing_calls_;
    return Inner().StopLeasing();
  }
  int StopLeasingCalls() const { return stop_leasing_calls_.load(); }
  std::thread::id StopLeasingThread() {
    std::lock_guard lock(mutex_);
    return stop_leasing_thread_;
  }
  int LeasesAfterStop() const { return leases_after_stop_.load(); }

 private:
  void Set(Status& slot, Status error) {
    std::lock_guard lock(mutex_);
    slot = std::move(error);
  }
  Status Get(const Status& slot) {
    std::lock_guard lock(mutex_);
    return slot;
  }

  std::mutex mutex_;
  Status lease_error_;                   // guarded by mutex_
  Status ack_error_;                     // guarded by mutex_
  Status heartbeat_error_;               // guarded by mutex_
  Status depth_error_;                   // guarded by mutex_
  std::thread::id stop_leasing_thread_;  // guarded by mutex_
  std::atomic<int> stop_leasing_calls_{0};
  std::atomic<int> leases_after_stop_{0};
};

}  // namespace pixfleet
