// WorkerSupervisor: starts and watches local worker processes (this same binary, `worker`
// subcommand) for `pixfleet run`. Processes, not threads, so a crash or a runaway decode in one
// image takes down one worker, never the run.
//   * Workers die with their supervisor: each is started with PR_SET_PDEATHSIG (SIGKILL), so a
//     run killed with kill -9 leaves no worker behind (and one whose run died before that was
//     set exits at once).
//   * What a worker writes on stderr comes through a pipe: the run relays it between progress
//     updates (TakeLines) and keeps each worker's last line, which names why it stopped.
//   * A worker's exit can be waited for (WaitForExit): the run's loop pauses on it, so that the
//     end of a batch is seen when the last worker exits, not at the loop's next look.
// Used from one thread, the one that started the workers: the kernel sends the death signal when
// the thread that forked a worker ends.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

#include "core/status.h"

namespace pixfleet {

struct ExitedWorker {
  pid_t pid = 0;
  int exit_code = -1;       // its exit status, or -1 when a signal killed it
  std::string description;  // "exited with status 1", "killed by signal 9 (Killed)"
  std::string last_line;    // the last line it wrote on stderr ("" if none)
  bool Clean() const { return exit_code == 0; }
};

class WorkerSupervisor {
 public:
  // `executable` is run with `args` (argv[0] excluded) for every worker.
  WorkerSupervisor(std::string executable, std::vector<std::string> args)
      : executable_(std::move(executable)), args_(std::move(args)) {}
  ~WorkerSupervisor();
  WorkerSupervisor(const WorkerSupervisor&) = delete;
  WorkerSupervisor& operator=(const WorkerSupervisor&) = delete;

  // Starts one more worker. kUnavailable if the pipe or the fork fails.
  Result<pid_t> Spawn();

  // Collects workers that have exited since the last call, without blocking; what they wrote
  // before exiting is read first (TakeLines returns it).
  std::vector<ExitedWorker> Reap();

  // Blocks until a worker has exited (Reap then collects it), `limit` has passed, or a signal
  // arrived, whichever comes first; returns at once when one has exited already. Returns whether
  // a worker exited. Where the kernel cannot say (no pidfd_open: Linux before 5.3), the whole
  // `limit` is slept.
  bool WaitForExit(std::chrono::milliseconds limit);

  // The complete lines the workers wrote on stderr since the last call, in order per worker,
  // without blocking.
  std::vector<std::string> TakeLines();

  void SignalAll(int signal_number);
  int running() const { return static_cast<int>(workers_.size()); }

 private:
  struct Child {
    pid_t pid = 0;
    int stderr_fd = -1;   // read end of the worker's stderr pipe, non-blocking
    int pidfd = -1;       // readable once the worker has exited; -1 where unsupported
    std::string partial;  // bytes after the last newline
    std::string last_line;
  };

  // Reads what `child` wrote so far; at `eof`, the unterminated rest is a line too.
  void Drain(Child& child, bool eof);

  std::string executable_;
  std::vector<std::string> args_;
  std::vector<Child> workers_;
  std::vector<std::string> lines_;  // read, not yet taken
};

}  // namespace pixfleet
