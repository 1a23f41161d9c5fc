// InMemoryTaskQueue: a TaskQueue held in this process's memory, for tests, for `pixfleet
// process`, and as the reference the SQLite queue is checked against (same contracts). It has
// every capability (expiring leases, releasing a dead consumer's leases, de-duplicating publish).
// Thread-safe (one mutex); lease expiry and not-before times come from the given Clock. Tasks
// are delivered in the same order as the SQLite queue: lapsed leases first (oldest expiry
// first), then ready tasks by not-before time and publication order. Nothing survives the
// process.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "queue/dead_task.h"
#include "queue/deduplicating_publish.h"
#include "queue/expiring_leases.h"
#include "queue/lease_releaser.h"
#include "queue/lease_token.h"
#include "queue/task_queue.h"
#include "queue/task_queue_options.h"

namespace pixfleet {

class InMemoryTaskQueue final : public TaskQueue,
                                public ExpiringLeases,
                                public LeaseReleaser,
                                public DeduplicatingPublish {
 public:
  // Invalid options (see ValidateTaskQueueOptions) are raised to the smallest valid values;
  // `clock` must outlive the queue.
  explicit InMemoryTaskQueue(Clock& clock, TaskQueueOptions options = {});

  // TaskQueue
  Status Publish(std::span<const TaskSpec> tasks) override;
  Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds max_wait) override;
  Status Heartbeat(Lease& lease) override;
  Status Ack(const Lease& lease) override;
  Status Retry(const Lease& lease, std::chrono::milliseconds delay,
               std::string_view reason) override;
  Status Release(const Lease& lease, std::string_view reason) override;
  Status DeadLetter(const Lease& lease, std::string_view reason) override;
  Result<QueueDepth> Depth() override;

  // ExpiringLeases
  std::chrono::milliseconds LeaseDuration() const override { return options_.lease_duration; }

  // LeaseReleaser
  Status ReleaseLeases(std::string_view consumer_id) override;

  // DeduplicatingPublish (Publish de-duplicates too)
  Status PublishDeduplicated(std::span<const TaskSpec> tasks) override;

  // Dead-lettered tasks in the order they were first published.
  Result<std::vector<DeadTask>> ListDead();

 private:
  enum class State { kReady, kLeased, kDead };
  // (time in ms, publication sequence): the delivery order within the ready and leased indexes.
  using OrderKey = std::pair<int64_t, uint64_t>;

  struct Entry {
    TaskSpec task;
    uint64_t sequence = 0;
    State state = State::kReady;
    int attempts = 0;
    int64_t not_before_ms = 0;
    std::string token;
    std::string owner;
    int64_t expires_ms = 0;
    std::string last_error;
  };

  std::optional<Lease> TryLeaseLocked(int64_t now_ms);
  // The entry leased under `lease`'s token, or kAborted.
  Result<Entry*> FindLeasedLocked(const Lease& lease);
  // Moves an entry out of its state's index / into the index of its (new) state.
  void UnindexLocked(const Entry& entry);
  void IndexLocked(const Entry& entry);
  // Makes a leased entry ready again at `not_before_ms`, keeping its place in the order.
  void RequeueLocked(Entry& entry, int64_t not_before_ms);

  Clock& clock_;
  const TaskQueueOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::map<OrderKey, std::string> ready_;   // (not_before_ms, sequence) -> task id
  std::map<OrderKey, std::string> leased_;  // (expires_ms, sequence) -> task id
  std::map<uint64_t, std::string> dead_;    // sequence -> task id
  uint64_t next_sequence_ = 0;
  LeaseTokenGenerator tokens_;
};

}  // namespace pixfleet
