// `pixfleet worker --queue URL --db URL`: the long-running consumer. Exit codes: 0 stopped on
// request (SIGTERM/SIGINT: leasing stops and /readyz says not ready at once, the tasks in flight
// finish within --grace-period, those still running then are handed back to the queue; a second
// signal of the same kind hands them back at once), idle with --exit-when-idle, or after
// --max-tasks tasks; 2 could not start (bad flags or URL, a configuration the queue or database
// refuses, --pod-deletion-cost outside a Kubernetes pod); 3 stopped because the environment refused
// mid-work (a full disk, a read-only output, storage refusing writes): its tasks went back to the
// queue, and the last stderr line names the reason.
#include <atomic>
#include <csignal>
#include <memory>
#include <optional>
#include <stop_token>
#include <thread>

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/engine_flags.h"
#include "cli/flag_checks.h"
#include "core/clock.h"
#include "core/log.h"
#include "imaging/malloc_tuning.h"
#include "metrics/http_endpoint.h"
#include "run/state_lock.h"
#include "wiring/pod_deletion_cost.h"
#include "wiring/worker_assembly.h"
#include "worker/status_pipe.h"

namespace pixfleet {
namespace {

constexpr int kExitStopped = 0;
constexpr int kExitCannotStart = 2;
constexpr int kExitRefused = 3;

struct WorkerFlags {
  WorkerSettings settings;
  int64_t grace_ms = 25'000;  // under Kubernetes' default terminationGracePeriodSeconds, 30 s
  std::string run_state;      // OUT/.pixfleet of the `pixfleet run` that started this worker
  int64_t lease_ms = 30'000;
  std::string listen;  // HOST:PORT for /metrics, /healthz, /readyz; empty: no endpoint
  bool pod_deletion_cost = false;
  EngineFlags engine;
};

// Turns SIGTERM and SIGINT into a stop request, from construction on: the signals are blocked in
// this thread and every thread started after it, and one thread waits for them. A second signal
// of the kind that started the stop asks for the tasks in flight to be handed back at once (a
// SIGINT and a SIGTERM together are one request: Ctrl-C in a terminal reaches the workers of a
// `pixfleet run` from the terminal and from the run). Construct it first, so that no wait at
// start-up delays a stop.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    waiter_ = std::thread([this] {
      int first = 0;
      sigwait(&signals_, &first);
      if (done_) return;
      stop_.request_stop();
      for (int again = 0; again != first;) {
        sigwait(&signals_, &again);
        if (done_) return;
      }
      hand_back_now_.request_stop();
    });
  }
  ~StopSignals() {
    // Wake the waiter if it still waits; that last signal is then not a request. Both kinds, so
    // that a waiter expecting a second SIGINT wakes too.
    done_ = true;
    // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread): a wake-up for sigwait(), not a kill
    pthread_kill(waiter_.native_handle(), SIGTERM);
    // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread): as above
    pthread_kill(waiter_.native_handle(), SIGINT);
    waiter_.join();
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  std::stop_token Token() const { return stop_.get_token(); }
  std::stop_token HandBackNow() const { return hand_back_now_.get_token(); }

 private:
  sigset_t signals_{};
  std::stop_source stop_;
  std::stop_source hand_back_now_;
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

int CannotStart(const std::string& message) {
  PrintFatalLine("worker", message);
  return kExitCannotStart;
}

// Serves /metrics, /healthz and /readyz on `listen`; ready as AssembledWorker::Ready() says (not
// while stopping, on request or because the environment refused).
Result<std::unique_ptr<metrics::HttpEndpoint>> StartEndpoint(const std::string& listen,
                                                             AssembledWorker& assembled) {
  PIXFLEET_ASSIGN_OR_RETURN(auto address, metrics::ParseListenAddress(listen));
  metrics::Probes probes;
  probes.ready = [&assembled] { return assembled.Ready(); };
  PIXFLEET_ASSIGN_OR_RETURN(
      auto endpoint,
      metrics::HttpEndpoint::Start(address.first, address.second, assembled.Metrics(), probes));
  spdlog::info("serving /metrics, /healthz and /readyz on {}:{}", address.first, endpoint->Port());
  return endpoint;
}

int RunWorker(const WorkerFlags& flags) {
  const StopSignals stop_signals;
  const std::unique_ptr<StatusPipe> status_pipe = StatusPipe::FromEnvironment();
  // A worker of a `pixfleet run` writes only while it holds the workers' lock of the run's folder,
  // and starts only while its run holds the folder (run/state_lock.h).
  std::optional<WorkerLock> run_lock;
  if (!flags.run_state.empty()) {
    Result<WorkerLock> held = WorkerLock::Acquire(flags.run_state, getppid());
    if (!held.ok()) return CannotStart(held.error().message());
    run_lock.emplace(std::move(*held));
  }
  WorkerSettings settings = flags.settings;
  settings.lease = std::chrono::milliseconds(flags.lease_ms);
  settings.limits = flags.engine.Limits();
  settings.allow_untrusted_loaders = flags.engine.allow_untrusted;
  settings.grace_period = std::chrono::milliseconds(flags.grace_ms);
  settings.on_idle = ReturnFreeMemory;  // an idle worker holds no image's memory
  // Told of the worker's states, so it outlives the worker.
  std::unique_ptr<PodDeletionCost> deletion_cost;
  if (flags.pod_deletion_cost) {
    auto started = StartPodDeletionCost(RealClock::Instance());
    if (!started.ok()) return CannotStart(started.error().message());
    deletion_cost = std::move(*started);
  }
  if (status_pipe != nullptr || deletion_cost != nullptr) {
    settings.on_state = [pipe = status_pipe.get(),
                         cost = deletion_cost.get()](const WorkerState& state) {
      if (pipe != nullptr) pipe->Send(state);
      if (cost != nullptr) cost->OnState(state);
    };
  }
  auto assembled = AssembleWorker(settings, RealClock::Instance(), stop_signals.Token());
  if (!assembled.ok()) {
    if (assembled.error().code() == StatusCode::kCancelled) return kExitStopped;
    return CannotStart(assembled.error().ToString());
  }
  Status ran;
  {
    std::unique_ptr<metrics::HttpEndpoint> endpoint;
    if (!flags.listen.empty()) {
      auto started = StartEndpoint(flags.listen, **assembled);
      if (!started.ok()) return CannotStart(started.error().message());
      endpoint = std::move(*started);
    }
    ran = (*assembled)->Run(stop_signals.Token(), stop_signals.HandBackNow());
  }
  spdlog::info("worker exiting: {}", (*assembled)->Totals());
  assembled->reset();
  if (ran.code() == StatusCode::kFailedPrecondition) {
    // The last line on stderr, for an operator or for `pixfleet run` to show.
    PrintFatalLine("worker", "stopped: " + ran.message());
    return kExitRefused;
  }
  if (!ran.ok()) return CannotStart(ran.ToString());
  return kExitStopped;
}

}  // namespace

CommandRunner AddWorkerCommand(CLI::App& app) {
  auto flags = std::make_shared<WorkerFlags>();
  CLI::App* worker = app.add_subcommand(
      "worker", "Consume tasks from a queue until stopped (SIGTERM/SIGINT finish in-flight work)");
  worker->add_option("--queue", flags->settings.queue_url, "Queue URL (sqlite:///path/queue.db)")
      ->envname("PIXFLEET_QUEUE")
      ->required();
  worker->add_option("--db", flags->settings.db_url, "Result store URL (sqlite:///path/results.db)")
      ->envname("PIXFLEET_DB")
      ->required();
  worker->add_option("--concurrency,-c", flags->settings.concurrency, "Tasks processed at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  worker->add_flag("--exit-when-idle", flags->settings.exit_when_idle,
                   "Exit once the queue holds no ready, delayed or leased task");
  worker
      ->add_option("--max-tasks", flags->settings.max_tasks,
                   "Lease at most N tasks, then exit 0 once they are settled (succeeded, failed "
                   "or retried); for one-job-per-process scaling")
      ->check(PositiveInteger());
  worker
      ->add_option("--grace-period", flags->grace_ms,
                   "After SIGTERM/SIGINT, how long tasks in flight may go on before they are "
                   "handed back to the queue (25s, 1.5s, 500ms, 2m)")
      ->transform(Duration())
      ->default_str("25s");
  worker->add_option("--lease-ms", flags->lease_ms, "Lease duration; heartbeats every third of it")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{300}, int64_t{3'600'000}));
  worker
      ->add_option("--max-attempts", flags->settings.max_attempts,
                   "Attempts for transient failures before a task is dead-lettered")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  worker
      ->add_option("--listen", flags->listen,
                   "Serve /metrics, /healthz and /readyz on HOST:PORT (e.g. 0.0.0.0:9090)")
      ->envname("PIXFLEET_LISTEN");
  worker
      ->add_flag("--pod-deletion-cost", flags->pod_deletion_cost,
                 "On Kubernetes: keep this pod's controller.kubernetes.io/pod-deletion-cost "
                 "annotation at 1000 while busy and -1000 while idle (at most one change per 5 s), "
                 "so that a scale-down deletes idle workers first. Needs env POD_NAME (and "
                 "POD_NAMESPACE) and a service account allowed to get and patch pods")
      ->envname("PIXFLEET_POD_DELETION_COST");
  worker
      ->add_option("--run-state", flags->run_state,
                   "Set by `pixfleet run` for the workers it starts: its OUT/.pixfleet folder")
      ->group("");  // not for users: hidden from --help
  flags->engine.AddTo(*worker);
  return [flags] { return RunWorker(*flags); };
}

}  // namespace pixfleet
