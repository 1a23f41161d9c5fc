// WorkerSupervisor: starts and watches local worker processes (this same binary, `worker`
// subcommand) for `pixfleet run`. Processes, not threads, so a crash or a runaway decode in one
// image takes down one worker, never the run; the supervisor restarts a worker that died while
// work remains. Used from one thread.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "core/status.h"

namespace pixfleet {

struct ExitedWorker {
  pid_t pid = 0;
  bool clean = false;       // exited with status 0
  std::string description;  // "exited with status 1", "killed by signal 9"
};

class WorkerSupervisor {
 public:
  // `executable` is run with `args` (argv[0] excluded) for every worker.
  WorkerSupervisor(std::string executable, std::vector<std::string> args)
      : executable_(std::move(executable)), args_(std::move(args)) {}
  ~WorkerSupervisor();
  WorkerSupervisor(const WorkerSupervisor&) = delete;
  WorkerSupervisor& operator=(const WorkerSupervisor&) = delete;

  // Starts one more worker. kUnavailable if fork fails.
  Result<pid_t> Spawn();

  // Collects workers that have exited since the last call, without blocking.
  std::vector<ExitedWorker> Reap();

  void SignalAll(int signal_number);
  int running() const { return static_cast<int>(pids_.size()); }
  const std::vector<pid_t>& pids() const { return pids_; }

 private:
  std::string executable_;
  std::vector<std::string> args_;
  std::vector<pid_t> pids_;
};

}  // namespace pixfleet
