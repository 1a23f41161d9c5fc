#include "worker/status_pipe.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace pixfleet {

std::string StatusLine(const WorkerState& state) {
  const std::string count = std::to_string(state.in_flight);
  if (state.stopping) return "stopping " + count;
  return state.in_flight == 0 ? "idle" : "busy " + count;
}

std::optional<int> StatusFdFrom(const char* value) {
  // Digits only: strtol alone would also take " 5" or "+5".
  if (value == nullptr || *value < '0' || *value > '9') return std::nullopt;
  char* end = nullptr;
  const long fd = std::strtol(value, &end, 10);
  if (*end != '\0' || fd < 0 || fd > 1'000'000) return std::nullopt;
  const int flags =
      fcntl(static_cast<int>(fd), F_GETFL);  // NOLINT(cppcoreguidelines-pro-type-vararg)
  if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) return std::nullopt;
  return static_cast<int>(fd);
}

StatusPipe::StatusPipe(int fd) : fd_(fd) {
  // Non-blocking, so that a full pipe never holds the writer thread beyond the worker's exit.
  const int flags = fcntl(fd_, F_GETFL);  // NOLINT(cppcoreguidelines-pro-type-vararg)
  if (flags >= 0) {
    (void)fcntl(fd_, F_SETFL, flags | O_NONBLOCK);  // NOLINT(cppcoreguidelines-pro-type-vararg)
  }
  writer_ = std::thread([this] { WriteLoop(); });
}

StatusPipe::~StatusPipe() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  writer_.join();
}

std::unique_ptr<StatusPipe> StatusPipe::FromEnvironment() {
  const std::optional<int> fd =
      StatusFdFrom(std::getenv(kStatusFdEnv));  // NOLINT(concurrency-mt-unsafe)
  if (!fd.has_value()) return nullptr;
  return std::make_unique<StatusPipe>(*fd);
}

void StatusPipe::Send(const WorkerState& state) {
  {
    std::lock_guard lock(mutex_);
    pending_ = StatusLine(state) + "\n";
  }
  changed_.notify_all();
}

void StatusPipe::WriteLoop() {
  // A write to a pipe whose reader is gone raises SIGPIPE in the writing thread: blocked here, it
  // stays pending on this thread (which ends) and the write fails with EPIPE instead.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return pending_.has_value() || closing_; });
    if (!pending_.has_value()) return;  // closing, nothing left to say
    const std::string line = std::move(*pending_);
    pending_.reset();
    lock.unlock();
    const bool written = WriteLine(line);
    lock.lock();
    if (!written) return;
  }
}

bool StatusPipe::WriteLine(const std::string& line) {
  for (;;) {
    // Shorter than PIPE_BUF: a write to a pipe puts all of it or, when full, nothing (EAGAIN).
    const ssize_t written = write(fd_, line.data(), line.size());
    if (written >= 0) return true;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {  // EWOULDBLOCK is EAGAIN on Linux
      spdlog::debug("status pipe: cannot write ({}); no more status lines", errno);
      return false;
    }
    // The reader is behind: wait for room, in slices so that a worker that is exiting does not
    // wait for a reader that never reads again (its last lines are then dropped).
    {
      std::unique_lock lock(mutex_);
      if (closing_) return false;
      if (pending_.has_value()) return true;  // a newer state replaces this one
    }
    pollfd room{fd_, POLLOUT, 0};
    (void)poll(&room, 1, 100);
  }
}

}  // namespace pixfleet
