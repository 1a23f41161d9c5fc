// LeaseReleaser: the capability of a TaskQueue that can hand back the leases of a consumer known
// to be dead at once, instead of when the queue finds out by itself (SQLite, in-memory, whose
// leases would otherwise wait out their lapse). RabbitMQ has no need of it: the broker returns a
// consumer's deliveries the moment its connection closes, which a dead process's does. For a
// supervisor that reaped a worker process (`pixfleet run`). The contract:
// lease_releaser_contract.cc.
#pragma once

#include <string_view>

#include "core/status.h"

namespace pixfleet {

class LeaseReleaser {
 public:
  virtual ~LeaseReleaser() = default;
  LeaseReleaser() = default;
  LeaseReleaser(const LeaseReleaser&) = delete;
  LeaseReleaser& operator=(const LeaseReleaser&) = delete;

  // Returns every task leased by `consumer_id` (TaskQueueOptions::consumer_id of the queue object
  // that leased it; every consumer's when empty) to the queue, deliverable now and in its place,
  // as if its lease had lapsed: the lost delivery still counts toward the delivery limit (the
  // consumer died holding it, which is what the limit is for). A later call with a released
  // lease is kAborted. REQUIRES: the consumer is dead; a live one would keep working on a task
  // that is now someone else's.
  virtual Status ReleaseLeases(std::string_view consumer_id) = 0;
};

}  // namespace pixfleet
