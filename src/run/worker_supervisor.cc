#include "run/worker_supervisor.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

#include <sys/wait.h>
#include <unistd.h>

namespace pixfleet {
namespace {

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    // sigdescr_np, unlike strsignal, is thread-safe (the supervisor's threads describe exits).
    const char* name = sigdescr_np(WTERMSIG(status));
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           (name != nullptr ? name : "unknown signal") + ")";
  }
  return "stopped";
}

}  // namespace

WorkerSupervisor::~WorkerSupervisor() {
  // Never leave orphans behind: whoever destroys the supervisor has given up on its workers.
  SignalAll(SIGKILL);
  for (pid_t pid : pids_) waitpid(pid, nullptr, 0);
}

Result<pid_t> WorkerSupervisor::Spawn() {
  std::vector<std::string> argv_storage;
  argv_storage.push_back(executable_);
  argv_storage.insert(argv_storage.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  argv.reserve(argv_storage.size() + 1);
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) {
    // std::error_code's message is strerror_r's, thread-safe where strerror is not.
    return Unavailable("cannot start a worker process: " +
                       std::error_code(errno, std::generic_category()).message());
  }
  if (pid == 0) {
    execv(executable_.c_str(), argv.data());
    _exit(127);  // exec failed; the parent sees "exited with status 127"
  }
  pids_.push_back(pid);
  return pid;
}

std::vector<ExitedWorker> WorkerSupervisor::Reap() {
  std::vector<ExitedWorker> exited;
  for (auto it = pids_.begin(); it != pids_.end();) {
    int status = 0;
    const pid_t done = waitpid(*it, &status, WNOHANG);
    if (done == *it) {
      exited.push_back(ExitedWorker{done, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                                    DescribeWaitStatus(status)});
      it = pids_.erase(it);
    } else {
      ++it;
    }
  }
  return exited;
}

void WorkerSupervisor::SignalAll(int signal_number) {
  for (pid_t pid : pids_) kill(pid, signal_number);
}

}  // namespace pixfleet
