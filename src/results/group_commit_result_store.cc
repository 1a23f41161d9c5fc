#include "results/group_commit_result_store.h"

#include <utility>
#include <vector>

namespace pixfleet {

GroupCommitResultStore::GroupCommitResultStore(ResultStore& inner, GroupCommitOptions options)
    : ResultStoreWrapper(inner), options_(options) {}

GroupCommitStats GroupCommitResultStore::Stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::vector<GroupCommitResultStore::Waiter*> GroupCommitResultStore::TakeGroupLocked() {
  std::vector<Waiter*> group;
  size_t rows = 0;
  while (!queue_.empty()) {
    Waiter* next = queue_.front();
    if (!group.empty() && rows + next->rows.size() > options_.max_rows) break;
    rows += next->rows.size();
    group.push_back(next);
    queue_.pop_front();
  }
  return group;
}

int64_t GroupCommitResultStore::WriteGroup(const std::vector<Waiter*>& group) {
  if (group.size() == 1) {
    group.front()->status = Target().RecordResults(group.front()->rows);
    return 1;
  }
  std::vector<TaskResult> rows;
  for (const Waiter* waiter : group) {
    rows.insert(rows.end(), waiter->rows.begin(), waiter->rows.end());
  }
  const Status together = Target().RecordResults(rows);
  if (together.ok() || together.IsRetryable()) {
    for (Waiter* waiter : group) waiter->status = together;
    return 1;
  }
  // A permanent error belongs to some row; find whose by writing each call alone.
  for (Waiter* waiter : group) waiter->status = Target().RecordResults(waiter->rows);
  return 1 + static_cast<int64_t>(group.size());
}

Status GroupCommitResultStore::RecordResults(std::span<const TaskResult> results) {
  Waiter self;
  self.rows = results;
  std::unique_lock lock(mutex_);
  ++stats_.calls;
  queue_.push_back(&self);
  while (!self.done) {
    if (writing_) {
      self.wake.wait(lock);
      continue;
    }
    // No write in progress: this thread writes for everyone waiting (itself included, unless
    // the queue ahead of it already fills a group; then it loops and writes the next one).
    writing_ = true;
    const std::vector<Waiter*> group = TakeGroupLocked();
    lock.unlock();
    const int64_t writes = WriteGroup(group);
    lock.lock();
    stats_.writes += writes;
    writing_ = false;
    for (Waiter* waiter : group) {
      waiter->done = true;
      if (waiter != &self) waiter->wake.notify_one();
    }
    // The next call in line writes what queued meanwhile (it may be this thread's own, if the
    // group above was others' calls).
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  return self.status;
}

}  // namespace pixfleet
