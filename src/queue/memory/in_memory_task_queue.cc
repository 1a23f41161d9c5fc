#include "queue/memory/in_memory_task_queue.h"

#include <algorithm>

#include "queue/lease_polling.h"

namespace pixfleet {
namespace {

TaskQueueOptions Sanitised(TaskQueueOptions options) {
  options.lease_duration = std::max(options.lease_duration, std::chrono::milliseconds(1));
  options.poll_interval = std::max(options.poll_interval, std::chrono::milliseconds(1));
  options.delivery_limit = std::max(options.delivery_limit, 1);
  return options;
}

Status LostLease(const Lease& lease) {
  return Aborted("lease on task " + lease.task.task_id +
                 " was lost (it lapsed and the task was delivered again, or it was settled)");
}

}  // namespace

InMemoryTaskQueue::InMemoryTaskQueue(Clock& clock, TaskQueueOptions options)
    : clock_(clock), options_(Sanitised(std::move(options))) {}

void InMemoryTaskQueue::UnindexLocked(const Entry& entry) {
  switch (entry.state) {
    case State::kReady:
      ready_.erase({entry.not_before_ms, entry.sequence});
      break;
    case State::kLeased:
      leased_.erase({entry.expires_ms, entry.sequence});
      break;
    case State::kDead:
      dead_.erase(entry.sequence);
      break;
  }
}

void InMemoryTaskQueue::IndexLocked(const Entry& entry) {
  switch (entry.state) {
    case State::kReady:
      ready_.emplace(OrderKey{entry.not_before_ms, entry.sequence}, entry.task.task_id);
      break;
    case State::kLeased:
      leased_.emplace(OrderKey{entry.expires_ms, entry.sequence}, entry.task.task_id);
      break;
    case State::kDead:
      dead_.emplace(entry.sequence, entry.task.task_id);
      break;
  }
}

Status InMemoryTaskQueue::Publish(std::span<const TaskSpec> tasks) {
  return PublishDeduplicated(tasks);
}

Status InMemoryTaskQueue::PublishDeduplicated(std::span<const TaskSpec> tasks) {
  for (const TaskSpec& task : tasks) {
    if (task.task_id.empty()) return InvalidArgument("cannot publish a task without an id");
  }
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  for (const TaskSpec& task : tasks) {
    auto [it, inserted] = entries_.try_emplace(task.task_id);
    Entry& entry = it->second;
    if (inserted) {
      entry.sequence = next_sequence_++;
    } else if (entry.state == State::kDead) {
      UnindexLocked(entry);  // revived below with a fresh attempt count
    } else {
      continue;  // ready, delayed or leased: publishing again changes nothing
    }
    entry.task = task;
    entry.state = State::kReady;
    entry.attempts = 0;
    entry.not_before_ms = now_ms;
    entry.token.clear();
    entry.owner.clear();
    entry.last_error.clear();
    IndexLocked(entry);
  }
  return Status::Ok();
}

std::optional<Lease> InMemoryTaskQueue::TryLeaseLocked(int64_t now_ms) {
  while (true) {
    std::string id;
    if (!leased_.empty() && leased_.begin()->first.first <= now_ms) {
      id = leased_.begin()->second;  // a lapsed lease: its worker crashed or stalled
    } else if (!ready_.empty() && ready_.begin()->first.first <= now_ms) {
      id = ready_.begin()->second;
    } else {
      return std::nullopt;
    }
    Entry& entry = entries_.at(id);
    UnindexLocked(entry);
    entry.token.clear();
    entry.owner.clear();
    if (entry.attempts + 1 > options_.delivery_limit) {
      entry.state = State::kDead;
      entry.last_error = DeliveryLimitReason(options_.delivery_limit, entry.last_error);
      IndexLocked(entry);
      continue;
    }
    entry.state = State::kLeased;
    entry.attempts += 1;
    entry.token = tokens_.Next();
    entry.owner = options_.consumer_id;
    entry.expires_ms = now_ms + options_.lease_duration.count();
    IndexLocked(entry);
    return Lease{entry.task, entry.attempts, entry.token, entry.expires_ms};
  }
}

Result<std::optional<Lease>> InMemoryTaskQueue::LeaseNext(std::chrono::milliseconds max_wait) {
  return PollForLease(clock_, max_wait, options_.poll_interval,
                      [this]() -> Result<std::optional<Lease>> {
                        const int64_t now_ms = clock_.NowMillis();
                        std::lock_guard lock(mutex_);
                        return TryLeaseLocked(now_ms);
                      });
}

Result<InMemoryTaskQueue::Entry*> InMemoryTaskQueue::FindLeasedLocked(const Lease& lease) {
  auto it = entries_.find(lease.task.task_id);
  if (it == entries_.end() || it->second.state != State::kLeased ||
      it->second.token != lease.token) {
    return LostLease(lease);
  }
  return &it->second;
}

Status InMemoryTaskQueue::Heartbeat(Lease& lease) {
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(Entry * entry, FindLeasedLocked(lease));
  UnindexLocked(*entry);
  entry->expires_ms = now_ms + options_.lease_duration.count();
  IndexLocked(*entry);
  lease.expires_ms = entry->expires_ms;
  return Status::Ok();
}

Status InMemoryTaskQueue::Ack(const Lease& lease) {
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(Entry * entry, FindLeasedLocked(lease));
  UnindexLocked(*entry);
  entries_.erase(lease.task.task_id);
  return Status::Ok();
}

void InMemoryTaskQueue::RequeueLocked(Entry& entry, int64_t not_before_ms) {
  UnindexLocked(entry);
  entry.state = State::kReady;
  entry.not_before_ms = not_before_ms;
  entry.token.clear();
  entry.owner.clear();
  IndexLocked(entry);
}

Status InMemoryTaskQueue::Retry(const Lease& lease, std::chrono::milliseconds delay,
                                std::string_view reason) {
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(Entry * entry, FindLeasedLocked(lease));
  entry->last_error = reason;
  RequeueLocked(*entry, now_ms + std::max<int64_t>(delay.count(), 0));
  return Status::Ok();
}

Status InMemoryTaskQueue::Release(const Lease& lease, std::string_view /*reason*/) {
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(Entry * entry, FindLeasedLocked(lease));
  // This delivery does not count: the next one carries the same attempt number.
  entry->attempts -= 1;
  RequeueLocked(*entry, std::min(entry->not_before_ms, now_ms));
  return Status::Ok();
}

Status InMemoryTaskQueue::DeadLetter(const Lease& lease, std::string_view reason) {
  std::lock_guard lock(mutex_);
  PIXFLEET_ASSIGN_OR_RETURN(Entry * entry, FindLeasedLocked(lease));
  UnindexLocked(*entry);
  entry->state = State::kDead;
  entry->last_error = reason;
  entry->token.clear();
  entry->owner.clear();
  IndexLocked(*entry);
  return Status::Ok();
}

Status InMemoryTaskQueue::ReleaseLeases(std::string_view consumer_id) {
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  std::vector<std::string> released;
  for (const auto& [key, id] : leased_) {
    if (consumer_id.empty() || entries_.at(id).owner == consumer_id) released.push_back(id);
  }
  for (const std::string& id : released) {
    // Attempts are kept, so that a task that kills its workers still reaches the delivery limit.
    Entry& entry = entries_.at(id);
    RequeueLocked(entry, std::min(entry.not_before_ms, now_ms));
  }
  return Status::Ok();
}

Result<QueueDepth> InMemoryTaskQueue::Depth() {
  const int64_t now_ms = clock_.NowMillis();
  std::lock_guard lock(mutex_);
  QueueDepth depth;
  for (const auto& [key, id] : ready_) {
    (key.first <= now_ms ? depth.ready : depth.delayed) += 1;
  }
  for (const auto& [key, id] : leased_) {
    (key.first <= now_ms ? depth.ready : depth.leased) += 1;
  }
  depth.dead = static_cast<int64_t>(dead_.size());
  return depth;
}

Result<std::vector<DeadTask>> InMemoryTaskQueue::ListDead() {
  std::lock_guard lock(mutex_);
  std::vector<DeadTask> dead;
  dead.reserve(dead_.size());
  for (const auto& [sequence, id] : dead_) {
    const Entry& entry = entries_.at(id);
    dead.push_back(DeadTask{entry.task, entry.attempts, entry.last_error});
  }
  return dead;
}

}  // namespace pixfleet
