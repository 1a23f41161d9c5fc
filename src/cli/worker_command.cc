// `pixfleet worker --queue URL --db URL`: the long-running consumer. SIGTERM or SIGINT stops
// leasing; tasks in flight finish; the process exits 0.
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/engine_flags.h"
#include "core/backoff.h"
#include "core/clock.h"
#include "metrics/http_endpoint.h"
#include "results/group_commit_result_store.h"
#include "wiring/backends.h"
#include "worker/consumer_id.h"
#include "worker/worker.h"
#include "worker/worker_metrics.h"

namespace pixfleet {
namespace {

struct WorkerFlags {
  std::string queue_url;
  std::string db_url;
  int concurrency = 1;
  bool exit_when_idle = false;
  int64_t lease_ms = 30'000;
  int max_attempts = 5;
  std::string listen;  // HOST:PORT for /metrics, /healthz, /readyz; empty: no endpoint
  EngineFlags engine;
};

// Opens a backend, waiting out a dependency that is still starting (a broker or database that
// comes up after the worker, as happens on Kubernetes) instead of crash-looping: retryable
// errors are retried with capped backoff for up to a minute; permanent ones fail at once.
template <typename Open>
auto OpenWithPatience(const char* what, Clock& clock, Open&& open) {
  const auto deadline = clock.MonotonicNow() + std::chrono::seconds(60);
  BackoffPolicy backoff{std::chrono::milliseconds(250), std::chrono::seconds(5), 0};
  for (int attempt = 1;; ++attempt) {
    auto opened = open();
    if (opened.ok() || !opened.error().IsRetryable() || clock.MonotonicNow() > deadline) {
      return opened;
    }
    spdlog::warn("{} not reachable yet ({}); retrying", what, opened.error().ToString());
    clock.SleepFor(BackoffDelay(backoff, attempt, 1.0));
  }
}

int RunWorker(const WorkerFlags& flags) {
  // Block the stop signals in every thread; one thread waits for them and stops the worker.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  EngineOptions engine_options;
  engine_options.allow_untrusted_loaders = flags.engine.allow_untrusted;
  if (Status init = InitImageEngine(engine_options); !init.ok()) {
    std::cerr << "pixfleet worker: " << init.ToString() << "\n";
    return 2;
  }
  Clock& clock = RealClock::Instance();
  TaskQueueOptions settings;
  settings.lease_duration = std::chrono::milliseconds(flags.lease_ms);
  settings.consumer_id = ThisProcessConsumerId();
  auto queue = OpenWithPatience("queue", clock, [&] {
    return MakeTaskQueue(flags.queue_url, settings, clock, flags.concurrency);
  });
  if (!queue.ok()) {
    std::cerr << "pixfleet worker: " << queue.error().ToString() << "\n";
    return 2;
  }
  auto results =
      OpenWithPatience("result store", clock, [&] { return MakeResultStore(flags.db_url, clock); });
  if (!results.ok()) {
    std::cerr << "pixfleet worker: " << results.error().ToString() << "\n";
    return 2;
  }
  // The slots' result rows share transactions (group commit): one per row would cost the
  // database more than a light task costs the worker.
  GroupCommitResultStore grouped_results(**results);
  BatchCatalog catalog(grouped_results,
                       [](std::string_view url) { return MakeObjectStore(url, /*create=*/true); });
  TaskProcessorOptions processor_options;
  processor_options.limits = flags.engine.Limits();
  processor_options.retry.max_attempts = flags.max_attempts;
  metrics::Registry registry;
  WorkerMetrics worker_metrics(registry);
  TaskProcessor processor(**queue, grouped_results, catalog, clock, processor_options,
                          &worker_metrics);
  WorkerOptions worker_options;
  worker_options.concurrency = flags.concurrency;
  worker_options.exit_when_idle = flags.exit_when_idle;
  worker_options.heartbeat_interval =
      std::chrono::milliseconds(std::max<int64_t>(flags.lease_ms / 3, 100));
  Worker worker(**queue, processor, clock, worker_options);

  std::unique_ptr<metrics::HttpEndpoint> endpoint;
  if (!flags.listen.empty()) {
    auto address = metrics::ParseListenAddress(flags.listen);
    if (!address.ok()) {
      std::cerr << "pixfleet worker: " << address.error().message() << "\n";
      return 2;
    }
    metrics::Probes probes;
    // Ready when the queue answers and the worker is not draining for shutdown.
    probes.ready = [&worker, &queue]() -> Status {
      if (worker.Stopping()) return Unavailable("stopping");
      return (*queue)->Depth().status();
    };
    auto started = metrics::HttpEndpoint::Start(address->first, address->second, registry, probes);
    if (!started.ok()) {
      std::cerr << "pixfleet worker: " << started.error().message() << "\n";
      return 2;
    }
    endpoint = std::move(*started);
    spdlog::info("serving /metrics, /healthz and /readyz on {}:{}", address->first,
                 endpoint->Port());
  }

  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&stop_signals, &received);
    if (received != 0) worker.Stop();
  });
  worker.Run();
  // Wake the waiter if the worker ended on its own (idle); its signal is then ignored.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread): a wake-up for sigwait(), not a kill
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  if (Status fatal = worker.FatalError(); !fatal.ok()) {
    std::cerr << "pixfleet worker: " << fatal.ToString() << "\n";
    return 2;
  }
  const GroupCommitStats writes = grouped_results.Stats();
  spdlog::info(
      "worker exiting: {} succeeded, {} failed, {} retried; {} results recorded in {} database "
      "writes",
      processor.counters().succeeded.load(), processor.counters().failed.load(),
      processor.counters().retried.load(), writes.calls, writes.writes);
  return 0;
}

}  // namespace

CommandRunner AddWorkerCommand(CLI::App& app) {
  auto flags = std::make_shared<WorkerFlags>();
  CLI::App* worker = app.add_subcommand(
      "worker", "Consume tasks from a queue until stopped (SIGTERM/SIGINT finish in-flight work)");
  worker->add_option("--queue", flags->queue_url, "Queue URL (sqlite:///path/queue.db)")
      ->envname("PIXFLEET_QUEUE")
      ->required();
  worker->add_option("--db", flags->db_url, "Result store URL (sqlite:///path/results.db)")
      ->envname("PIXFLEET_DB")
      ->required();
  worker->add_option("--concurrency,-c", flags->concurrency, "Tasks processed at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  worker->add_flag("--exit-when-idle", flags->exit_when_idle,
                   "Exit once the queue holds no ready, delayed or leased task");
  worker->add_option("--lease-ms", flags->lease_ms, "Lease duration; heartbeats every third of it")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{300}, int64_t{3'600'000}));
  worker
      ->add_option("--max-attempts", flags->max_attempts,
                   "Attempts for transient failures before a task is dead-lettered")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  worker
      ->add_option("--listen", flags->listen,
                   "Serve /metrics, /healthz and /readyz on HOST:PORT (e.g. 0.0.0.0:9090)")
      ->envname("PIXFLEET_LISTEN");
  flags->engine.AddTo(*worker);
  return [flags] { return RunWorker(*flags); };
}

}  // namespace pixfleet
