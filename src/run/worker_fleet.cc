#include "run/worker_fleet.h"

#include <algorithm>
#include <csignal>
#include <iostream>
#include <optional>
#include <set>
#include <string_view>

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "run/progress.h"
#include "run/worker_scaling.h"
#include "worker/consumer_id.h"

namespace pixfleet {
namespace {

// How often the loop looks at its workers: how soon it relays their lines, sees a signal that
// reached another thread, or starts a replacement. A worker's exit ends the pause at once (the
// last one's is the end of the batch: a fixed 20-ms pause ended a run on average 10 ms late).
// A look is a waitpid and a read of each worker's stderr pipe, a few microseconds.
constexpr auto kPollInterval = std::chrono::milliseconds(20);
// The queue's depth and the progress are read at most this often while workers run, at once
// when a worker exits. Each is a query whose cost is what is delayed, leased or failed, not the
// batch (kept counts and index ranges in SQLite), but it still goes to the databases.
constexpr auto kQueryInterval = std::chrono::milliseconds(200);

volatile std::sig_atomic_t g_interrupts = 0;
extern "C" void OnInterrupt(int /*signal*/) { g_interrupts = g_interrupts + 1; }

int TerminalColumns() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// Why a worker stopped, from its last line: "pixfleet worker: stopped: X" gives "X".
std::string WorkerReason(const ExitedWorker& exited) {
  std::string_view line = exited.last_line;
  for (std::string_view prefix : {"pixfleet worker: ", "stopped: "}) {
    if (line.starts_with(prefix)) line.remove_prefix(prefix.size());
  }
  if (line.empty()) return "worker " + std::to_string(exited.pid) + " " + exited.description;
  return std::string(line);
}

class Fleet {
 public:
  Fleet(const FleetOptions& options, WorkerSupervisor& supervisor, TaskQueue& queue,
        LeaseReleaser& releaser, ResultStore& results, Clock& clock)
      : options_(options),
        supervisor_(supervisor),
        queue_(queue),
        releaser_(releaser),
        results_(results),
        clock_(clock),
        tty_(isatty(STDERR_FILENO) == 1),
        max_restarts_(20 + 2 * options.workers),
        started_(clock.MonotonicNow()),
        scaling_(RunWorkerScaling(options.workers)),
        last_progress_line_(started_) {}

  FleetOutcome Run() {
    std::optional<std::chrono::steady_clock::time_point> last_query;  // none yet: query at once
    while (true) {
      const bool exits = HandleExits();
      Relay();
      const auto now = clock_.MonotonicNow();
      // While no worker runs (tasks waiting out a retry's backoff) the interval holds too.
      const bool query = exits || !last_query || now - *last_query >= kQueryInterval;
      if (query) {
        last_query = now;
        ReadDepth();
      }
      HandleInterrupts();
      if (stopping_ && now >= stop_deadline_) supervisor_.SignalAll(SIGKILL);
      Scale();
      StartWorkers();
      if (Finished()) break;
      if (query) ShowProgress();
      Pause();
    }
    Relay();
    if (tty_) std::cerr << "\r\033[K" << std::flush;
    outcome_.gave_up = outcome_.restarts >= max_restarts_ && pending_ > 0;
    return outcome_;
  }

 private:
  // A line on stderr, clearing the progress bar first (it is drawn again on the next update).
  void Print(const std::string& line) {
    std::cerr << (tty_ ? "\r\033[K" : "") << line << "\n" << std::flush;
  }

  // While workers run, real time until one exits (their exits are what the loop waits for);
  // with none running (tasks waiting out a retry's backoff), the clock's time.
  void Pause() {
    if (supervisor_.running() > 0) {
      supervisor_.WaitForExit(kPollInterval);
    } else {
      clock_.SleepFor(kPollInterval);
    }
  }

  // Stops every worker, once: the images in progress finish or go back to the queue.
  void StopBecause(const Status& reason) {
    if (stopping_) return;
    stopping_ = true;
    outcome_.stop_reason = reason;
    stop_deadline_ = clock_.MonotonicNow() + options_.drain_limit;
    Print("pixfleet run: stopping: " + reason.message() + "; finishing the images in progress");
    supervisor_.SignalAll(SIGTERM);
  }

  // The run's own writes and reads of its state: an environment that refuses stops the run.
  void CheckState(const Status& status) {
    if (status.code() == StatusCode::kFailedPrecondition) StopBecause(status);
  }

  // Whether any worker exited.
  bool HandleExits() {
    const std::vector<ExitedWorker> exits = supervisor_.Reap();
    for (const ExitedWorker& exited : exits) {
      if (exited.Clean()) continue;
      if (exited.exit_code < 0) outcome_.killed_workers.insert(exited.pid);
      // Its task goes back to the queue now rather than when its lease lapses.
      CheckState(releaser_.ReleaseLeases(ConsumerIdForPid(exited.pid)));
      if (exited.exit_code == 3) {
        seen_lines_.insert(exited.last_line);  // said once, as the run's reason
        StopBecause(FailedPrecondition(WorkerReason(exited)));
      } else if (exited.exit_code >= 0) {
        StopBecause(InvalidArgument("a worker could not start: " + WorkerReason(exited)));
      } else if (!outcome_.interrupted && !stopping_) {
        Print("pixfleet run: worker " + std::to_string(exited.pid) + " " + exited.description +
              "; its task goes back to the queue");
      }
    }
    return !exits.empty();
  }

  // Each distinct line once: several workers that meet the same problem say it alike.
  void Relay() {
    for (std::string& line : supervisor_.TakeLines()) {
      if (seen_lines_.insert(line).second) Print(line);
    }
  }

  void ReadDepth() {
    Result<QueueDepth> depth = queue_.Depth();
    depth_ok_ = depth.ok();
    if (depth.ok()) {
      pending_ = depth->ready + depth->delayed + depth->leased;
      deliverable_ = depth->ready + depth->leased;
      leased_ = depth->leased;
      depth_failing_since_.reset();
      return;
    }
    // Without the queue's depth the run cannot tell when it is done: an environment that
    // refuses, or a failure that lasts, ends it rather than a wait for what cannot come.
    const auto now = clock_.MonotonicNow();
    if (!depth_failing_since_) depth_failing_since_ = now;
    if (depth.error().code() == StatusCode::kFailedPrecondition ||
        now - *depth_failing_since_ >= options_.state_patience) {
      StopBecause(depth.error().WithContext("reading this run's queue"));
    }
  }

  void HandleInterrupts() {
    if (g_interrupts > 0 && !outcome_.interrupted) {
      outcome_.interrupted = true;
      Print(
          "pixfleet run: stopping: finishing the images in progress (Ctrl-C again to stop at "
          "once)");
      supervisor_.SignalAll(SIGTERM);
    }
    if (g_interrupts > 1) supervisor_.SignalAll(SIGKILL);
  }

  // The workers to run, decided by the ScaledObject rule (run/worker_scaling.h) from the
  // deliverable tasks (ready + leased), as `pixfleet scale` decides from a broker's queue.
  void Scale() {
    if (!depth_ok_) return;
    const auto now = std::chrono::duration_cast<ScaleTime>(clock_.MonotonicNow() - started_);
    if (now < scaling_.NextDue()) return;
    const TriggerSample sample =
        QueueSample{.ready = deliverable_ - leased_, .unacknowledged = leased_, .publish_rate = 0};
    const PodCounts pods{target_, supervisor_.running(), supervisor_.running()};
    const ScaleDecision decision = scaling_.Step(now, {&sample, 1}, pods);
    if (decision.loop[0] == '\0') return;
    if (decision.replicas != target_) {
      spdlog::debug("run: workers {} -> {} (metric {}, {}: {})", target_, decision.replicas,
                    decision.metric, decision.loop, decision.reason);
    }
    target_ = decision.replicas;
    most_workers_ = std::max(most_workers_, target_);
  }

  // Up to the decided number of workers. A worker started after the run already had as many as
  // it ever decided replaces one that died while work remained: within the restart budget.
  // Fewer decided than running: the workers leave by themselves as they find no work.
  void StartWorkers() {
    while (!outcome_.interrupted && !stopping_ && depth_ok_ && pending_ > 0 && deliverable_ > 0 &&
           supervisor_.running() < target_) {
      const bool replacement = spawned_ >= most_workers_;
      if (replacement && outcome_.restarts >= max_restarts_) return;
      if (replacement) ++outcome_.restarts;
      ++spawned_;
      Result<pid_t> spawned = supervisor_.Spawn();
      if (!spawned.ok()) {
        if (supervisor_.running() == 0) StopBecause(spawned.error());
        return;
      }
    }
  }

  bool Finished() const {
    return supervisor_.running() == 0 &&
           (outcome_.interrupted || stopping_ || (depth_ok_ && pending_ == 0) ||
            outcome_.restarts >= max_restarts_);
  }

  void ShowProgress() {
    if (!depth_ok_) return;  // what is pending is not known
    const auto now = clock_.MonotonicNow();
    Result<int64_t> failed = results_.CountFailed(options_.batch_id);
    if (!failed.ok()) {
      CheckState(failed.status());
      return;
    }
    ProgressSnapshot snapshot;
    snapshot.total = options_.total;
    snapshot.failed = *failed;
    snapshot.succeeded = snapshot.total - pending_ - *failed;
    snapshot.workers = supervisor_.running();
    meter_.Add(now, snapshot.succeeded + snapshot.failed);
    snapshot.rate_per_second = meter_.PerSecond();
    if (tty_) {
      std::cerr << "\r\033[K" << FormatProgressBar(snapshot, TerminalColumns()) << std::flush;
    } else if (now - last_progress_line_ >= options_.progress_interval) {
      last_progress_line_ = now;
      std::cerr << FormatProgressLine(snapshot) << "\n";
    }
  }

  const FleetOptions& options_;
  WorkerSupervisor& supervisor_;
  TaskQueue& queue_;
  LeaseReleaser& releaser_;
  ResultStore& results_;
  Clock& clock_;
  const bool tty_;
  const int max_restarts_;
  const std::chrono::steady_clock::time_point started_;
  ScaledObjectController scaling_;
  int target_ = 0;        // workers decided (the ScaledObject's replicas)
  int most_workers_ = 0;  // the most ever decided
  int spawned_ = 0;
  FleetOutcome outcome_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  int64_t pending_ = 0;
  int64_t deliverable_ = 0;
  int64_t leased_ = 0;
  bool depth_ok_ = false;
  std::optional<std::chrono::steady_clock::time_point> depth_failing_since_;
  std::set<std::string, std::less<>> seen_lines_;
  RateMeter meter_;
  std::chrono::steady_clock::time_point last_progress_line_;
};

}  // namespace

void InstallInterruptHandlers() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

FleetOutcome RunWorkers(const FleetOptions& options, WorkerSupervisor& supervisor, TaskQueue& queue,
                        LeaseReleaser& releaser, ResultStore& results, Clock& clock) {
  return Fleet(options, supervisor, queue, releaser, results, clock).Run();
}

}  // namespace pixfleet
