// StatusPipe: the worker's side of the status pipe, a contract between processes. A supervisor
// (`pixfleet scale`) that starts `pixfleet worker` with the environment variable
// PIXFLEET_STATUS_FD=<n> naming a file descriptor open for writing (usually the write end of a
// pipe it holds the read end of) reads one line per state of the worker:
//
//   idle          ready, no task in flight
//   busy N        ready, N tasks in flight (N >= 1)
//   stopping N    a stop was requested (SIGTERM/SIGINT, --max-tasks reached, --exit-when-idle
//                 found the queue drained, or the environment refused); N tasks in flight (N >= 0)
//
// Each line is ASCII, at most 32 bytes with its '\n', and goes out with one write() (shorter
// than PIPE_BUF, so it never interleaves with another writer's). The first line is written at
// start, then one at each change of state, in order; once "stopping" is written no "idle" or
// "busy" follows. Closing the pipe (EOF) means the worker exited.
//
// The worker never waits for the reader: lines go out from a thread of their own, and when the
// reader falls behind, the states it has not yet been sent are replaced by the newest one (each
// line is a whole state, so the last line read is always the worker's latest state). A reader
// that closes its end ends the writing (EPIPE, no SIGPIPE); the worker carries on. Without the
// variable, or when it does not name an open descriptor, nothing is written.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "worker/worker.h"

namespace pixfleet {

inline constexpr const char* kStatusFdEnv = "PIXFLEET_STATUS_FD";

// "idle", "busy 2", "stopping 0": the line for `state`, without its '\n'.
std::string StatusLine(const WorkerState& state);

// The descriptor `value` (PIXFLEET_STATUS_FD's) names when it is a decimal number of a
// descriptor open for writing in this process; nullopt otherwise (null, empty, not a number, not
// open, read-only).
std::optional<int> StatusFdFrom(const char* value);

class StatusPipe {
 public:
  // Writes to `fd`, which it does not own (the process's descriptor, closed at exit), and makes
  // it non-blocking.
  explicit StatusPipe(int fd);
  // Sends whatever is pending (unless the reader is gone), then stops the writer thread.
  ~StatusPipe();
  StatusPipe(const StatusPipe&) = delete;
  StatusPipe& operator=(const StatusPipe&) = delete;

  // The pipe of PIXFLEET_STATUS_FD, or null when the variable does not name one.
  static std::unique_ptr<StatusPipe> FromEnvironment();

  // Queues `state`'s line, replacing any line not yet written; never blocks on the reader.
  void Send(const WorkerState& state);

 private:
  void WriteLoop();
  // Writes `line` once there is room; false when the reader is gone or the pipe is closing.
  bool WriteLine(const std::string& line);

  const int fd_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<std::string> pending_;  // guarded by mutex_
  bool closing_ = false;                // guarded by mutex_
  std::thread writer_;
};

}  // namespace pixfleet
