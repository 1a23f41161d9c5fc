#include "worker/worker.h"

#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/log.h"

namespace pixfleet {

Worker::Worker(TaskQueue& queue, TaskProcessor& processor, Clock& clock, WorkerOptions options)
    : queue_(queue), processor_(processor), clock_(clock), options_(options) {}

void Worker::Stop() { stop_.request_stop(); }

void Worker::StopBecause(const Status& reason) {
  bool first = false;
  {
    std::lock_guard lock(stop_reason_mutex_);
    first = stop_reason_.ok();
    if (first) stop_reason_ = reason;
  }
  if (first) {
    spdlog::error("stopping: {}; the tasks in flight finish or go back to the queue",
                  reason.ToString());
  }
  Stop();
}

namespace {

// Errors after which this worker must take no more tasks: the queue refuses its configuration
// (kInvalidArgument), or the environment refuses (kFailedPrecondition).
bool MustStop(const Status& error) {
  return error.code() == StatusCode::kInvalidArgument ||
         error.code() == StatusCode::kFailedPrecondition;
}

}  // namespace

int64_t Worker::InFlight() const {
  std::lock_guard lock(mutex_);
  return static_cast<int64_t>(in_flight_.size());
}

bool Worker::QueueDrained() {
  Result<QueueDepth> depth = queue_.Depth();
  if (!depth.ok()) return false;
  return depth->ready == 0 && depth->delayed == 0 && depth->leased == 0;
}

void Worker::SlotLoop() {
  while (!Stopping()) {
    Result<std::optional<Lease>> leased = queue_.LeaseNext(options_.lease_wait);
    if (!leased.ok() && MustStop(leased.error())) {
      StopBecause(leased.error().WithContext("the queue refused this worker"));
      break;
    }
    if (!leased.ok()) {
      spdlog::warn("leasing a task failed: {}", leased.error().ToString());
      (void)clock_.WaitFor(options_.queue_error_backoff, stop_.get_token());
      continue;
    }
    if (!leased->has_value()) {
      if (options_.exit_when_idle && QueueDrained()) break;
      continue;
    }
    Lease lease = std::move(**leased);
    {
      std::lock_guard lock(mutex_);
      in_flight_.emplace(lease.token, lease);
    }
    const Disposition disposition = processor_.Handle(lease);
    {
      std::lock_guard lock(mutex_);
      in_flight_.erase(lease.token);
    }
    if (disposition == Disposition::kHandedBack) StopBecause(processor_.Refusal());
  }
}

void Worker::HeartbeatLoop(const std::stop_token& slots_ended) {
  // Not the worker's stop token: during a drain the tasks in flight still need their leases, or
  // a slow one would lapse and run again elsewhere. The beats end when the last slot has.
  while (clock_.WaitFor(options_.heartbeat_interval, slots_ended)) {
    std::lock_guard lock(mutex_);
    for (auto& [token, lease] : in_flight_) {
      // The heartbeat is a quick write; holding the lock keeps the map stable while it runs.
      if (Status beat = queue_.Heartbeat(lease); !beat.ok()) {
        const TaskLogScope log_scope(lease.task.task_id, lease.task.batch_id);
        spdlog::warn("heartbeat failed: {}", beat.ToString());
        if (beat.code() == StatusCode::kFailedPrecondition) StopBecause(beat);
      }
    }
  }
}

Status Worker::Run(const std::stop_token& stop) {
  const std::stop_callback forward_stop(stop, [this] { Stop(); });
  std::stop_source slots_ended;
  std::thread heartbeat([this, &slots_ended] { HeartbeatLoop(slots_ended.get_token()); });
  std::vector<std::thread> slots;
  slots.reserve(static_cast<size_t>(options_.concurrency));
  for (int i = 0; i < options_.concurrency; ++i) slots.emplace_back([this] { SlotLoop(); });
  for (auto& slot : slots) slot.join();
  Stop();
  slots_ended.request_stop();
  heartbeat.join();
  std::lock_guard lock(stop_reason_mutex_);
  return stop_reason_;
}

}  // namespace pixfleet
