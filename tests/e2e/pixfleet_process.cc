#include "tests/e2e/pixfleet_process.h"

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pixfleet::e2e {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

int unique_counter = 0;

}  // namespace

std::string PixfleetBinary() { return PIXFLEET_BINARY; }
std::string SourceRoot() { return PIXFLEET_SOURCE_ROOT; }

ChildProcess::ChildProcess(const std::string& binary, const std::vector<std::string>& args,
                           const std::string& scratch_dir) {
  const std::string stem = scratch_dir + "/proc-" + std::to_string(++unique_counter);
  out_path_ = stem + ".out";
  err_path_ = stem + ".err";
  std::vector<std::string> storage{binary};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (auto& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    // A process group of its own, as a shell would give a job, so signals reach only it.
    setpgid(0, 0);
    const int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (!waited_ && pid_ > 0) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void ChildProcess::Signal(int signal_number) const { kill(pid_, signal_number); }

ProcessOutcome ChildProcess::Wait(std::chrono::seconds limit) {
  ProcessOutcome outcome;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  waited_ = true;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  outcome.out = Slurp(out_path_);
  outcome.err = Slurp(err_path_);
  return outcome;
}

std::vector<pid_t> ChildProcess::Children() const {
  std::vector<pid_t> children;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) + "/children");
  pid_t child = 0;
  while (in >> child) children.push_back(child);
  return children;
}

ProcessOutcome RunPixfleet(const std::vector<std::string>& args, const std::string& scratch_dir) {
  ChildProcess child(PixfleetBinary(), args, scratch_dir);
  return child.Wait();
}

}  // namespace pixfleet::e2e
