#include "run/state_lock.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace pixfleet {
namespace {

constexpr const char* kRunLockFile = "lock";
constexpr const char* kWorkersLockFile = "workers.lock";

// O_CLOEXEC: a worker must hold only what it takes itself, never inherit its run's locks.
Result<int> OpenLockFile(const std::filesystem::path& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Unavailable("cannot open " + path.string());
  return fd;
}

// The pid a run wrote in its lock file, or -1.
pid_t RecordedRunPid(int fd) {
  char text[32] = {};
  const ssize_t length = pread(fd, text, sizeof(text) - 1, 0);
  if (length <= 0) return -1;
  try {
    return static_cast<pid_t>(std::stol(std::string(text, static_cast<size_t>(length))));
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

Result<StateLock> StateLock::Acquire(const std::filesystem::path& state_dir) {
  PIXFLEET_ASSIGN_OR_RETURN(const int fd, OpenLockFile(state_dir / kRunLockFile));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return Aborted("another pixfleet run is using " + state_dir.parent_path().string());
  }
  // The pid tells this run's workers that the lock they see held is their run's. Written over
  // the previous one, then cut to length: on a full disk that needs no new block.
  const std::string pid = std::to_string(getpid()) + "\n";
  if (pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()) ||
      ftruncate(fd, static_cast<off_t>(pid.size())) != 0) {
    const std::string reason = std::generic_category().message(errno);
    close(fd);
    return Unavailable("cannot write " + (state_dir / kRunLockFile).string() + ": " + reason);
  }
  Result<int> workers_fd = OpenLockFile(state_dir / kWorkersLockFile);
  if (!workers_fd.ok()) {
    close(fd);
    return workers_fd.error();
  }
  return StateLock(state_dir, fd, *workers_fd);
}

Status StateLock::WaitForEarlierWorkers(Clock& clock, std::chrono::milliseconds patience) {
  const auto deadline = clock.MonotonicNow() + patience;
  while (flock(workers_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (clock.MonotonicNow() >= deadline) {
      return Aborted("workers of an earlier pixfleet run still use " +
                     state_dir_.parent_path().string() + " (they hold " +
                     (state_dir_ / kWorkersLockFile).string() + "); stop them and run again");
    }
    clock.SleepFor(std::chrono::milliseconds(100));
  }
  return Status::Ok();
}

void StateLock::AllowWorkers() { (void)flock(workers_fd_, LOCK_UN); }

StateLock::StateLock(StateLock&& other) noexcept
    : state_dir_(std::move(other.state_dir_)),
      fd_(std::exchange(other.fd_, -1)),
      workers_fd_(std::exchange(other.workers_fd_, -1)) {}

StateLock::~StateLock() {
  if (workers_fd_ >= 0) close(workers_fd_);
  if (fd_ >= 0) close(fd_);
}

Result<WorkerLock> WorkerLock::Acquire(const std::filesystem::path& state_dir, pid_t run_pid) {
  const std::string folder = state_dir.parent_path().string();
  PIXFLEET_ASSIGN_OR_RETURN(const int fd, OpenLockFile(state_dir / kWorkersLockFile));
  if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
    close(fd);
    return Aborted("another pixfleet run is preparing " + folder);
  }
  WorkerLock held(fd);
  PIXFLEET_ASSIGN_OR_RETURN(const int run_fd, OpenLockFile(state_dir / kRunLockFile));
  // Held by someone if a shared lock cannot be had; by this worker's run if it wrote its pid.
  const bool locked = flock(run_fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  const pid_t holder = RecordedRunPid(run_fd);
  close(run_fd);
  if (!locked || holder != run_pid) {
    return Aborted("the pixfleet run that started this worker no longer holds " + folder);
  }
  return held;
}

WorkerLock::WorkerLock(WorkerLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

WorkerLock::~WorkerLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace pixfleet
