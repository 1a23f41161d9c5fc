// ReplicaPool: the port through which the scaler runs its replicas (the pods of a Deployment, or
// the Jobs of a ScaledJob, as local processes). Each replica reports its state on a status pipe
// (replica_status.h); one that has not reported yet is kUnknown: not ready, and never preferred
// for stopping over a known-idle one. Stop() is graceful: SIGTERM, then SIGKILL once the grace
// period has passed; a replica being stopped is `terminating` and, like a terminating pod, no
// longer counts as one of the replicas the scaler runs. Implementations:
// process_replica_pool.h, and fakes in tests. Used from one thread.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "autoscale/replica_status.h"
#include "core/status.h"

namespace pixfleet {

struct Replica {
  int id = 0;  // 1, 2, ... in start order: a higher id is a newer replica
  pid_t pid = 0;
  ReplicaStatus status;      // as last reported (kUnknown before the first report)
  bool terminating = false;  // Stop() was called
};

struct ReplicaExit {
  int id = 0;
  pid_t pid = 0;
  bool requested = false;   // it was terminating (Stop() was called)
  int exit_code = -1;       // its exit status, or -1 when a signal ended it
  std::string description;  // "exited with status 1", "killed by signal 9 (Killed)"
  bool Clean() const { return exit_code == 0; }
};

class ReplicaPool {
 public:
  virtual ~ReplicaPool() = default;
  // Starts one more replica; returns its id. kUnavailable when it cannot be started.
  virtual Result<int> Start() = 0;
  // Asks replica `id` to stop (SIGTERM; SIGKILL after the grace period). Nothing when it is
  // already terminating or gone.
  virtual void Stop(int id) = 0;
  // Asks a terminating replica `id` once more (a second SIGTERM: `pixfleet worker` then hands
  // its tasks back at once instead of finishing them); its grace period still ends in SIGKILL.
  // Nothing when it is not terminating or gone.
  virtual void Hurry(int id) = 0;
  // The replicas alive now, terminating ones included, in start order.
  virtual std::vector<Replica> Replicas() const = 0;
  // Reads what the replicas reported, enforces the grace periods, and returns the replicas that
  // exited since the last call. Never blocks.
  virtual std::vector<ReplicaExit> Poll() = 0;
};

}  // namespace pixfleet
