// Runs the pixfleet binary as a child process for end-to-end tests: captures stdout and stderr,
// returns the exit code, and can be started in the background to be signalled mid-run.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace pixfleet::e2e {

struct ProcessOutcome {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

// The pixfleet binary under test (set by CMake).
std::string PixfleetBinary();
// The repository root (for recipes/std3.yaml).
std::string SourceRoot();

class ChildProcess {
 public:
  // Starts `binary args...` with stdout and stderr sent to files in `scratch_dir`.
  ChildProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::string& scratch_dir);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t Pid() const { return pid_; }
  void Signal(int signal_number) const;
  // Waits for the exit (at most `limit`; then kills it) and returns the captured output.
  ProcessOutcome Wait(std::chrono::seconds limit = std::chrono::seconds(600));
  // Direct children of this process (the worker processes of `pixfleet run`).
  std::vector<pid_t> Children() const;

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
  bool waited_ = false;
};

// Runs to completion.
ProcessOutcome RunPixfleet(const std::vector<std::string>& args, const std::string& scratch_dir);

}  // namespace pixfleet::e2e
