// GroupCommitResultStore: a ResultStore decorator that merges the RecordResults calls of many
// threads into few transactions (group commit). The worker's slots each record one row per task;
// at thousands of tasks per second a transaction per row would cost the database more than the
// tasks do, so rows that arrive while a write is in progress are written together by the next
// one. There is no timer and no added latency: a call that finds no write in progress writes at
// once (its own rows plus any already waiting), and a call returns only when its rows are
// committed or have failed, so the caller's ack-after-commit order is kept.
//
// Errors: a group that fails with a retryable error (connection lost, database restarting) fails
// every call in it with that error — each caller retries its own task. A group that fails with a
// permanent error is written again call by call, so that one bad row fails only its own caller.
// Other methods go straight to the inner store. Thread-safe if the inner store is; the inner
// store sees at most one RecordResults at a time from this decorator.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

#include "results/result_store.h"
#include "results/result_store_wrapper.h"

namespace pixfleet {

struct GroupCommitOptions {
  // Upper bound on the rows of one transaction (a call with more rows is written alone).
  size_t max_rows = 500;
};

struct GroupCommitStats {
  int64_t calls = 0;   // RecordResults calls received
  int64_t writes = 0;  // RecordResults calls made on the inner store
};

class GroupCommitResultStore final : public ResultStoreWrapper {
 public:
  // `inner` must outlive this decorator.
  explicit GroupCommitResultStore(ResultStore& inner, GroupCommitOptions options = {});

  // The one call it changes; every other call is forwarded (ResultStoreWrapper).
  Status RecordResults(std::span<const TaskResult> results) override;

  GroupCommitStats Stats() const;

 private:
  // One waiting RecordResults call. Lives on its caller's stack until `done`. Each has its own
  // condition variable, so that a finished write wakes only the calls it wrote and the one
  // that writes next, not every waiting slot.
  struct Waiter {
    std::span<const TaskResult> rows;
    Status status;
    bool done = false;  // guarded by mutex_
    std::condition_variable wake;
  };

  // Takes waiters from the front of queue_ up to max_rows (at least one). Caller holds mutex_.
  std::vector<Waiter*> TakeGroupLocked();
  // Writes a group and sets each waiter's status (not `done`); returns the inner writes made.
  // Called without mutex_.
  int64_t WriteGroup(const std::vector<Waiter*>& group);

  const GroupCommitOptions options_;
  mutable std::mutex mutex_;
  std::deque<Waiter*> queue_;  // calls not yet taken into a write
  bool writing_ = false;       // a thread is writing a group
  GroupCommitStats stats_;
};

}  // namespace pixfleet
