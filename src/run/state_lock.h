// The locks in OUT/.pixfleet that keep runs, and the workers they start, apart:
//   lock          a `pixfleet run` holds it exclusively for its whole life, its pid written in
//                 it: one run per output folder at a time.
//   workers.lock  every worker a run starts holds it shared for its whole life. A run takes it
//                 exclusively before it touches the state (removes the queues of other batches,
//                 hands back leases, publishes): proof that no worker of an earlier run is still
//                 alive, even one whose run was killed; then it lets go of it to start its own.
// A worker refuses to start unless its run (its parent) holds `lock`, and it never writes
// without holding workers.lock, so a worker that outlived its run can never write beside a newer
// run: the newer run waits for it, or gives up with a message. (Workers also die with their run:
// see worker_supervisor.h.) flock(2) locks, released by the kernel when their holder dies.
#pragma once

#include <chrono>
#include <filesystem>

#include <sys/types.h>

#include "core/clock.h"
#include "core/status.h"

namespace pixfleet {

class StateLock {
 public:
  // Takes `lock` in `state_dir`. kAborted naming the folder if another run holds it;
  // kUnavailable if the lock file cannot be opened.
  static Result<StateLock> Acquire(const std::filesystem::path& state_dir);

  // Takes workers.lock exclusively, waiting (on `clock`, at most `patience`) for the workers of
  // an earlier run to exit. kAborted when they are still alive after that.
  Status WaitForEarlierWorkers(Clock& clock, std::chrono::milliseconds patience);
  // Lets go of workers.lock, so that this run's workers can take it.
  void AllowWorkers();

  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&&) = delete;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

 private:
  StateLock(std::filesystem::path state_dir, int fd, int workers_fd)
      : state_dir_(std::move(state_dir)), fd_(fd), workers_fd_(workers_fd) {}
  std::filesystem::path state_dir_;
  int fd_;
  int workers_fd_;
};

// What a worker started by a run holds for its whole life: workers.lock, shared.
class WorkerLock {
 public:
  // Takes workers.lock in `state_dir` shared, then checks that `run_pid` (the worker's parent)
  // holds `lock`. kAborted, naming the folder, when either fails: the run that started this
  // worker is gone, or another run is preparing the folder.
  static Result<WorkerLock> Acquire(const std::filesystem::path& state_dir, pid_t run_pid);

  WorkerLock(WorkerLock&& other) noexcept;
  WorkerLock& operator=(WorkerLock&&) = delete;
  WorkerLock(const WorkerLock&) = delete;
  WorkerLock& operator=(const WorkerLock&) = delete;
  ~WorkerLock();

 private:
  explicit WorkerLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace pixfleet
