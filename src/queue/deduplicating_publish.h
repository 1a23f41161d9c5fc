// DeduplicatingPublish: the capability of a TaskQueue that holds at most one copy of each task id
// (SQLite, in-memory: a table keyed by task id; not RabbitMQ, a broker keeps every message it is
// given). Publishing through it what is already queued changes nothing, so a caller may simply
// publish everything unfinished again: `pixfleet run` does on every re-run, which also refills a
// queue that lost tasks. The contract: deduplicating_publish_contract.cc.
#pragma once

#include <span>

#include "core/status.h"
#include "model/task.h"

namespace pixfleet {

class DeduplicatingPublish {
 public:
  virtual ~DeduplicatingPublish() = default;
  DeduplicatingPublish() = default;
  DeduplicatingPublish(const DeduplicatingPublish&) = delete;
  DeduplicatingPublish& operator=(const DeduplicatingPublish&) = delete;

  // TaskQueue::Publish, idempotent by task id: a task that is ready, delayed or leased is left
  // exactly as it is (its lease, attempt count and delay untouched); a dead-lettered one is
  // revived in place with a fresh attempt count (and leaves the dead letters); a task listed
  // twice in one call is published once.
  virtual Status PublishDeduplicated(std::span<const TaskSpec> tasks) = 0;
};

}  // namespace pixfleet
