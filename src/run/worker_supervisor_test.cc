#include "run/worker_supervisor.h"

#include <chrono>
#include <csignal>
#include <thread>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testing/processes.h"

namespace pixfleet {
namespace {

// Reaps until one worker has exited (or 60 s pass, to turn a hang into a failure).
std::optional<ExitedWorker> WaitForExit(WorkerSupervisor& supervisor) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<ExitedWorker> exited = supervisor.Reap();
    if (!exited.empty()) return exited.front();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

TEST(WorkerSupervisorTest, RelaysWhatAWorkerWritesOnStderrAndKeepsItsLastLine) {
  WorkerSupervisor supervisor(
      "/bin/sh", {"-c", "echo starting >&2; echo; printf 'stopped: disk full' >&2; exit 3"});
  ASSERT_TRUE(supervisor.Spawn().ok());
  const std::optional<ExitedWorker> exited = WaitForExit(supervisor);
  ASSERT_TRUE(exited.has_value());
  EXPECT_EQ(exited->exit_code, 3);
  EXPECT_FALSE(exited->Clean());
  EXPECT_EQ(exited->last_line, "stopped: disk full");  // unterminated, still a line
  EXPECT_EQ(supervisor.TakeLines(), (std::vector<std::string>{"starting", "stopped: disk full"}));
  EXPECT_TRUE(supervisor.TakeLines().empty());
  EXPECT_EQ(supervisor.running(), 0);
}

TEST(WorkerSupervisorTest, AWorkerKilledByASignalHasNoExitCode) {
  WorkerSupervisor supervisor("/bin/sh", {"-c", "kill -9 $$"});
  ASSERT_TRUE(supervisor.Spawn().ok());
  const std::optional<ExitedWorker> exited = WaitForExit(supervisor);
  ASSERT_TRUE(exited.has_value());
  EXPECT_EQ(exited->exit_code, -1);
  EXPECT_NE(exited->description.find("killed by signal 9"), std::string::npos);
}

TEST(WorkerSupervisorTest, WaitForExitEndsWhenAWorkerExitsAndNotBefore) {
  WorkerSupervisor sleeper("/bin/sleep", {"600"});  // killed by the supervisor's destructor
  ASSERT_TRUE(sleeper.Spawn().ok());
  EXPECT_FALSE(sleeper.WaitForExit(std::chrono::milliseconds(10)));
  EXPECT_TRUE(sleeper.Reap().empty());

  WorkerSupervisor quick("/bin/sh", {"-c", "exit 0"});
  ASSERT_TRUE(quick.Spawn().ok());
  // Returns when the worker exits, long before the limit; a wait that missed the exit would run
  // the whole minute and say false.
  EXPECT_TRUE(quick.WaitForExit(std::chrono::minutes(1)));
  const std::vector<ExitedWorker> exited = quick.Reap();
  ASSERT_EQ(exited.size(), 1U);
  EXPECT_TRUE(exited[0].Clean());
  // None left to wait for: the pause is the limit.
  EXPECT_FALSE(quick.WaitForExit(std::chrono::milliseconds(1)));
}

TEST(WorkerSupervisorTest, WorkersDieWithTheirSupervisorEvenKilledByKillNine) {
  int pid_pipe[2];
  ASSERT_EQ(pipe(pid_pipe), 0);
  const pid_t supervisor_process = fork();
  ASSERT_GE(supervisor_process, 0);
  if (supervisor_process == 0) {
    WorkerSupervisor supervisor("/bin/sleep", {"600"});
    const Result<pid_t> worker = supervisor.Spawn();
    const pid_t pid = worker.ok() ? *worker : -1;
    (void)!write(pid_pipe[1], &pid, sizeof(pid));
    pause();  // until killed
    _exit(0);
  }
  close(pid_pipe[1]);
  pid_t worker = -1;
  ASSERT_EQ(read(pid_pipe[0], &worker, sizeof(worker)), static_cast<ssize_t>(sizeof(worker)));
  close(pid_pipe[0]);
  ASSERT_GT(worker, 0);
  EXPECT_FALSE(ProcessIsDead(worker));
  kill(supervisor_process, SIGKILL);  // no destructor runs, no signal is forwarded
  waitpid(supervisor_process, nullptr, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!ProcessIsDead(worker) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(ProcessIsDead(worker)) << "worker " << worker << " outlived its supervisor";
  if (!ProcessIsDead(worker)) kill(worker, SIGKILL);
}

}  // namespace
}  // namespace pixfleet
