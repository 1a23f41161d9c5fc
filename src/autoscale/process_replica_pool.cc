#include "autoscale/process_replica_pool.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/wait_status.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not in unistd.h

namespace pixfleet {
namespace {

constexpr const char* kStatusFdVariable = "PIXFLEET_STATUS_FD";
// The status pipe's descriptor in every child: the lowest after stdin, stdout and stderr, so that
// a shell script can write to it too (sh's `>&N` takes one digit).
constexpr int kStatusFd = 3;
// Exit status of a child whose scaler was gone before it could ask to die with it.
constexpr int kOrphanedExit = 125;

// The complete lines read from `fd` so far, `partial` keeping what follows the last newline; at
// `eof` the rest is a line too. Empty lines are dropped.
std::vector<std::string> ReadLines(int fd, std::string& partial, bool eof) {
  char buffer[4096];
  while (true) {
    const ssize_t length = read(fd, buffer, sizeof(buffer));
    if (length > 0) {
      partial.append(buffer, static_cast<size_t>(length));
      continue;
    }
    if (length < 0 && errno == EINTR) continue;
    break;  // nothing more for now (EAGAIN), or the end
  }
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t newline; (newline = partial.find('\n', start)) != std::string::npos;
       start = newline + 1) {
    if (newline > start) lines.push_back(partial.substr(start, newline - start));
  }
  partial.erase(0, start);
  if (eof && !partial.empty()) lines.push_back(std::exchange(partial, ""));
  return lines;
}

// This process's environment with PIXFLEET_STATUS_FD=`fd` in place of any inherited one.
std::vector<std::string> ChildEnvironment(int fd) {
  std::vector<std::string> variables;
  const std::string prefix = std::string(kStatusFdVariable) + "=";
  for (char** at = environ; *at != nullptr; ++at) {
    if (std::strncmp(*at, prefix.c_str(), prefix.size()) != 0) variables.emplace_back(*at);
  }
  variables.push_back(prefix + std::to_string(fd));
  return variables;
}

std::vector<char*> NullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

Status SystemError(const std::string& what, int error) {
  // std::error_code's message is strerror_r's, thread-safe where strerror is not.
  return Unavailable("cannot start a replica: " + what + ": " +
                     std::error_code(error, std::generic_category()).message());
}

}  // namespace

ProcessReplicaPool::ProcessReplicaPool(std::vector<std::string> command,
                                       std::chrono::milliseconds grace, Clock& clock)
    : command_(std::move(command)), grace_(grace), clock_(clock) {}

ProcessReplicaPool::~ProcessReplicaPool() {
  for (const Child& child : children_) kill(child.replica.pid, SIGKILL);
  for (const Child& child : children_) {
    waitpid(child.replica.pid, nullptr, 0);
    close(child.stderr_fd);
    close(child.status_fd);
  }
}

Result<int> ProcessReplicaPool::Start() {
  int stderr_pipe[2];
  int status_pipe[2];
  if (pipe2(stderr_pipe, O_CLOEXEC) != 0) return SystemError("pipe", errno);
  if (pipe2(status_pipe, O_CLOEXEC) != 0) {
    const int error = errno;
    close(stderr_pipe[0]);
    close(stderr_pipe[1]);
    return SystemError("pipe", error);
  }
  // Everything exec needs is built before the fork: between fork and exec only async-signal-safe
  // calls.
  std::vector<std::string> argv_storage = command_;
  std::vector<char*> argv = NullTerminated(argv_storage);
  std::vector<std::string> env_storage = ChildEnvironment(kStatusFd);
  std::vector<char*> envp = NullTerminated(env_storage);
  const pid_t scaler = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    for (int fd : {stderr_pipe[0], stderr_pipe[1], status_pipe[0], status_pipe[1]}) close(fd);
    return SystemError("fork", error);
  }
  if (pid == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != scaler) _exit(kOrphanedExit);
    setpgid(0, 0);
    dup2(stderr_pipe[1], STDERR_FILENO);  // dup2 clears close-on-exec on the copy
    // The status pipe's write end at kStatusFd, surviving exec.
    if (status_pipe[1] == kStatusFd) {
      fcntl(kStatusFd, F_SETFD, 0);
    } else {
      dup2(status_pipe[1], kStatusFd);
    }
    execvpe(argv[0], argv.data(), envp.data());
    _exit(127);  // exec failed; the scaler sees "exited with status 127"
  }
  close(stderr_pipe[1]);
  close(status_pipe[1]);
  for (int fd : {stderr_pipe[0], status_pipe[0]}) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  Child child;
  child.replica.id = ++last_id_;
  child.replica.pid = pid;
  child.stderr_fd = stderr_pipe[0];
  child.status_fd = status_pipe[0];
  children_.push_back(std::move(child));
  return last_id_;
}

void ProcessReplicaPool::Stop(int id) {
  for (Child& child : children_) {
    if (child.replica.id != id || child.replica.terminating) continue;
    child.replica.terminating = true;
    child.kill_at = clock_.MonotonicNow() + grace_;
    kill(child.replica.pid, SIGTERM);
  }
}

void ProcessReplicaPool::Hurry(int id) {
  for (const Child& child : children_) {
    if (child.replica.id == id && child.replica.terminating && !child.killed) {
      kill(child.replica.pid, SIGTERM);
    }
  }
}

std::vector<Replica> ProcessReplicaPool::Replicas() const {
  std::vector<Replica> replicas;
  replicas.reserve(children_.size());
  for (const Child& child : children_) replicas.push_back(child.replica);
  return replicas;
}

void ProcessReplicaPool::Drain(Child& child, bool eof) {
  for (const std::string& line : ReadLines(child.stderr_fd, child.stderr_partial, eof)) {
    spdlog::info("replica {}: {}", child.replica.id, line);
  }
  for (const std::string& line : ReadLines(child.status_fd, child.status_partial, eof)) {
    if (const auto status = ParseStatusLine(line)) child.replica.status = *status;
  }
}

std::vector<ReplicaExit> ProcessReplicaPool::Poll() {
  const auto now = clock_.MonotonicNow();
  std::vector<ReplicaExit> exited;
  for (auto it = children_.begin(); it != children_.end();) {
    Child& child = *it;
    Drain(child, /*eof=*/false);
    if (child.replica.terminating && !child.killed && now >= child.kill_at) {
      spdlog::warn("replica {} (pid {}) still running after the grace period of {} ms: killed",
                   child.replica.id, child.replica.pid, grace_.count());
      kill(child.replica.pid, SIGKILL);
      child.killed = true;
    }
    int status = 0;
    if (waitpid(child.replica.pid, &status, WNOHANG) != child.replica.pid) {
      ++it;
      continue;
    }
    // Gone: its ends of the pipes are closed (unless a grandchild holds them), read what is left.
    Drain(child, /*eof=*/true);
    close(child.stderr_fd);
    close(child.status_fd);
    exited.push_back(ReplicaExit{child.replica.id, child.replica.pid, child.replica.terminating,
                                 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                 DescribeWaitStatus(status)});
    it = children_.erase(it);
  }
  return exited;
}

}  // namespace pixfleet
