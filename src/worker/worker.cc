#include "worker/worker.h"

#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/log.h"

namespace pixfleet {

Worker::Worker(TaskQueue& queue, TaskProcessor& processor, Clock& clock, WorkerOptions options)
    : queue_(queue), processor_(processor), clock_(clock), options_(options) {}

void Worker::Stop() {
  stopping_ = true;
  wake_.notify_all();
}

Status Worker::FatalError() const {
  std::lock_guard lock(mutex_);
  return fatal_error_;
}

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
  while (!stopping_) {
    Result<std::optional<Lease>> leased = queue_.LeaseNext(options_.lease_wait);
    if (!leased.ok() && leased.error().code() == StatusCode::kInvalidArgument) {
      spdlog::error("the queue refused this worker ({}); stopping", leased.error().ToString());
      {
        std::lock_guard lock(mutex_);
        if (fatal_error_.ok()) fatal_error_ = leased.error();
      }
      Stop();
      break;
    }
    if (!leased.ok()) {
      spdlog::warn("leasing a task failed: {}", leased.error().ToString());
      clock_.SleepFor(options_.queue_error_backoff);
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
    processor_.Handle(lease);
    {
      std::lock_guard lock(mutex_);
      in_flight_.erase(lease.token);
    }
  }
}

void Worker::HeartbeatLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.heartbeat_interval);
    if (stopping_ && in_flight_.empty()) break;
    for (auto& [token, lease] : in_flight_) {
      // The heartbeat is a quick write; holding the lock keeps the map stable while it runs.
      if (Status beat = queue_.Heartbeat(lease); !beat.ok()) {
        const TaskLogScope log_scope(lease.task.task_id, lease.task.batch_id);
        spdlog::warn("heartbeat failed: {}", beat.ToString());
      }
    }
  }
}

void Worker::Run() {
  std::thread heartbeat([this] { HeartbeatLoop(); });
  std::vector<std::thread> slots;
  slots.reserve(static_cast<size_t>(options_.concurrency));
  for (int i = 0; i < options_.concurrency; ++i) slots.emplace_back([this] { SlotLoop(); });
  for (auto& slot : slots) slot.join();
  Stop();
  heartbeat.join();
}

}  // namespace pixfleet
