// ProcessReplicaPool: replicas as local child processes running one command (`pixfleet scale
// -- WORKER COMMAND...`), looked up on PATH.
//   * Each child gets PIXFLEET_STATUS_FD=3, the write end of its own status pipe (replica_status.h)
//     at descriptor 3 (so that a shell script can write `echo idle >&3` too),
//     and runs in a process group of its own, so that Ctrl-C reaches the scaler only and the
//     scaler stops its children the way it chose (SIGTERM, the grace period, SIGKILL).
//   * Children die with the scaler (PR_SET_PDEATHSIG, SIGKILL), as pods die with their node.
//   * What a child writes on stderr is logged line by line, prefixed with "replica N:"; its
//     stdout is the scaler's.
// Used from one thread, the one that started the children (the death signal is sent when the
// thread that forked a child ends).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "autoscale/replica_pool.h"
#include "core/clock.h"

namespace pixfleet {

class ProcessReplicaPool final : public ReplicaPool {
 public:
  // `command` is argv (command[0] is looked up on PATH); `grace` is the time between SIGTERM and
  // SIGKILL.
  ProcessReplicaPool(std::vector<std::string> command, std::chrono::milliseconds grace,
                     Clock& clock);
  // Kills (SIGKILL) and reaps every child still running.
  ~ProcessReplicaPool() override;
  ProcessReplicaPool(const ProcessReplicaPool&) = delete;
  ProcessReplicaPool& operator=(const ProcessReplicaPool&) = delete;

  Result<int> Start() override;
  void Stop(int id) override;
  void Hurry(int id) override;
  std::vector<Replica> Replicas() const override;
  std::vector<ReplicaExit> Poll() override;

 private:
  struct Child {
    Replica replica;
    int stderr_fd = -1;  // read ends, non-blocking
    int status_fd = -1;
    std::string stderr_partial;  // bytes after the last newline
    std::string status_partial;
    std::chrono::steady_clock::time_point kill_at;  // when terminating
    bool killed = false;
  };

  // Reads what `child` wrote so far on both pipes; at `eof`, an unterminated rest is a line too.
  void Drain(Child& child, bool eof);

  std::vector<std::string> command_;
  std::chrono::milliseconds grace_;
  Clock& clock_;
  std::vector<Child> children_;
  int last_id_ = 0;
};

}  // namespace pixfleet
