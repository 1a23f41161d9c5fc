// TaskQueueOptions: the knobs every TaskQueue backend shares (lease duration, delivery limit,
// poll interval, consumer id, observer), with their defaults and a validity check. Defaults follow
// reference/reliability-anchors.md: a lease of about twice a slow task, kept alive by
// heartbeats, and a delivery limit of 10 after which a task that keeps killing or stalling its
// workers is dead-lettered (RabbitMQ quorum queues default to 20, goqite to 3).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/status.h"
#include "queue/queue_observer.h"

namespace pixfleet {

struct TaskQueueOptions {
  // How long a lease lasts without a heartbeat: the expiring-lease backends deliver the task again
  // after it (expiring_leases.h); every backend stamps Lease::expires_ms with it, and holders
  // heartbeat every third of it.
  std::chrono::milliseconds lease_duration{30'000};
  // Deliveries after which a task whose holders keep getting lost is dead-lettered instead of
  // delivered again. What counts: on the expiring-lease backends every delivery since the task
  // was published except released ones (lapses and retries included); on RabbitMQ the deliveries
  // that ended with a lost connection since the message was last published, retried or released
  // (the broker's x-delivery-limit).
  int delivery_limit = 10;
  // Pause between looks at an empty queue inside LeaseNext.
  std::chrono::milliseconds poll_interval{100};
  // Recorded as the owner of each lease taken through this queue object, for
  // LeaseReleaser::ReleaseLeases.
  std::string consumer_id;
  // Told of events worth counting (queue_observer.h); null: none. Not owned: must outlive the
  // queue.
  QueueObserver* observer = nullptr;
};

// kInvalidArgument unless lease_duration and poll_interval are positive and delivery_limit >= 1.
Status ValidateTaskQueueOptions(const TaskQueueOptions& options);

// The reason recorded when a task is dead-lettered for exceeding the delivery limit.
std::string DeliveryLimitReason(int delivery_limit, std::string_view last_error);

}  // namespace pixfleet
