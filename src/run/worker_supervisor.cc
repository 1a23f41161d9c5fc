#include "run/worker_supervisor.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/wait_status.h"

namespace pixfleet {
namespace {

// Exit status of a worker whose run was gone before it could ask to die with it.
constexpr int kOrphanedExit = 125;

// pidfd_open(2), called directly: glibc 2.36's <sys/pidfd.h> declares it without C linkage.
int OpenPidfd(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

WorkerSupervisor::~WorkerSupervisor() {
  // Never leave orphans behind: whoever destroys the supervisor has given up on its workers.
  SignalAll(SIGKILL);
  for (const Child& child : workers_) {
    waitpid(child.pid, nullptr, 0);
    close(child.stderr_fd);
    if (child.pidfd >= 0) close(child.pidfd);
  }
}

Result<pid_t> WorkerSupervisor::Spawn() {
  std::vector<std::string> argv_storage;
  argv_storage.push_back(executable_);
  argv_storage.insert(argv_storage.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  argv.reserve(argv_storage.size() + 1);
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Unavailable("cannot start a worker process: pipe: " +
                       std::generic_category().message(errno));
  }
  const pid_t supervisor = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    // std::error_code's message is strerror_r's, thread-safe where strerror is not.
    return Unavailable("cannot start a worker process: " +
                       std::error_code(error, std::generic_category()).message());
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec. The death signal survives exec; if the
    // run died before it was set, the parent is already someone else.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != supervisor) _exit(kOrphanedExit);
    dup2(pipe_fds[1], STDERR_FILENO);  // dup2 clears close-on-exec on the copy
    execv(executable_.c_str(), argv.data());
    _exit(127);  // exec failed; the parent sees "exited with status 127"
  }
  close(pipe_fds[1]);
  fcntl(pipe_fds[0], F_SETFL, fcntl(pipe_fds[0], F_GETFL) | O_NONBLOCK);
  // The child cannot have been reaped yet (only Reap reaps), so the pid is still its own. The
  // descriptor is close-on-exec: later workers do not inherit it.
  const int pidfd = OpenPidfd(pid);
  workers_.push_back(Child{pid, pipe_fds[0], pidfd, "", ""});
  return pid;
}

void WorkerSupervisor::Drain(Child& child, bool eof) {
  char buffer[4096];
  while (true) {
    const ssize_t length = read(child.stderr_fd, buffer, sizeof(buffer));
    if (length > 0) {
      child.partial.append(buffer, static_cast<size_t>(length));
      continue;
    }
    if (length < 0 && errno == EINTR) continue;
    break;  // nothing more for now (EAGAIN), or the end
  }
  size_t start = 0;
  for (size_t newline; (newline = child.partial.find('\n', start)) != std::string::npos;
       start = newline + 1) {
    std::string line = child.partial.substr(start, newline - start);
    if (line.empty()) continue;
    child.last_line = line;
    lines_.push_back(std::move(line));
  }
  child.partial.erase(0, start);
  if (eof && !child.partial.empty()) {
    child.last_line = child.partial;
    lines_.push_back(std::exchange(child.partial, ""));
  }
}

std::vector<ExitedWorker> WorkerSupervisor::Reap() {
  std::vector<ExitedWorker> exited;
  for (auto it = workers_.begin(); it != workers_.end();) {
    int status = 0;
    if (waitpid(it->pid, &status, WNOHANG) != it->pid) {
      ++it;
      continue;
    }
    // The worker is gone, so its end of the pipe is closed: read to the end.
    const int flags = fcntl(it->stderr_fd, F_GETFL);
    fcntl(it->stderr_fd, F_SETFL, flags & ~O_NONBLOCK);
    Drain(*it, /*eof=*/true);
    close(it->stderr_fd);
    if (it->pidfd >= 0) close(it->pidfd);
    exited.push_back(ExitedWorker{it->pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                  DescribeWaitStatus(status), it->last_line});
    it = workers_.erase(it);
  }
  return exited;
}

bool WorkerSupervisor::WaitForExit(std::chrono::milliseconds limit) {
  std::vector<pollfd> watched;
  watched.reserve(workers_.size());
  for (const Child& child : workers_) {
    if (child.pidfd < 0) {
      // One worker the kernel cannot watch: the pause is the whole limit, as before pidfds.
      std::this_thread::sleep_for(limit);
      return false;
    }
    watched.push_back(pollfd{child.pidfd, POLLIN, 0});
  }
  if (watched.empty()) {
    std::this_thread::sleep_for(limit);
    return false;
  }
  // EINTR (the run's SIGINT/SIGTERM handler ran) ends the wait too: the loop looks at it next.
  const int ready = poll(watched.data(), watched.size(), static_cast<int>(limit.count()));
  return ready > 0;
}

std::vector<std::string> WorkerSupervisor::TakeLines() {
  for (Child& child : workers_) Drain(child, /*eof=*/false);
  return std::exchange(lines_, {});
}

void WorkerSupervisor::SignalAll(int signal_number) {
  for (const Child& child : workers_) kill(child.pid, signal_number);
}

}  // namespace pixfleet
