#include "run/run_job.h"

#include <algorithm>
#include <iostream>
#include <thread>

#include <sys/resource.h>

#include "core/log.h"
#include "core/terminal_text.h"
#include "run/job_setup.h"
#include "run/summary.h"
#include "run/worker_fleet.h"
#include "run/worker_supervisor.h"
#include "wiring/backends.h"

namespace pixfleet {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailures = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRefused = 3;
constexpr int kExitInterrupted = 130;

// How long a new run waits for the workers of an earlier one to exit (they die with their run,
// so this only matters if something keeps one alive).
constexpr auto kEarlierWorkersPatience = std::chrono::seconds(30);

std::chrono::milliseconds CpuTimeOfSelfAndChildren() {
  auto millis = [](const rusage& usage) {
    return static_cast<int64_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
  };
  rusage self{};
  rusage children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  return std::chrono::milliseconds(millis(self) + millis(children));
}

// Ends the run on `reason`: exit 3 when the environment refused (nothing lost: the same command
// finishes the job once it is fixed), 2 otherwise (a bad job, a folder in use).
int Stop(const Status& reason) {
  if (reason.code() == StatusCode::kFailedPrecondition) {
    PrintFatalLine("run", "stopped: " + reason.message());
    PrintFatalLine("run", "nothing lost: fix it and run the same command again");
    return kExitRefused;
  }
  PrintFatalLine("run", reason.message());
  return kExitUsage;
}

void Announce(const JobPlan& plan, const SubmitReport& submitted) {
  if (submitted.inputs == 0) {
    std::cerr << "pixfleet run: no images (jpg, jpeg, png, webp, tif, tiff, gif, heic, heif, avif) "
                 "under "
              << TerminalText(plan.source.string()) << "\n";
  }
  if (const std::string passed_over = submitted.skipped.Describe(); !passed_over.empty()) {
    std::cerr << "pixfleet run: " << passed_over;
  }
  std::cerr << "pixfleet run: " << submitted.inputs << " images in "
            << TerminalText(plan.source.string()) << ", " << submitted.finished << " already done, "
            << submitted.published << " to process\n";
}

std::vector<std::string> WorkerArguments(const WorkerSettings& settings,
                                         const std::string& log_level,
                                         const std::filesystem::path& state_dir) {
  std::vector<std::string> args = {"worker",
                                   "--queue",
                                   settings.queue_url,
                                   "--db",
                                   settings.db_url,
                                   "--concurrency",
                                   std::to_string(settings.concurrency),
                                   "--lease-ms",
                                   std::to_string(settings.lease.count()),
                                   "--max-attempts",
                                   std::to_string(settings.max_attempts),
                                   "--max-pixels",
                                   std::to_string(settings.limits.max_pixels),
                                   "--max-bytes",
                                   std::to_string(settings.limits.max_input_bytes),
                                   "--timeout-ms",
                                   std::to_string(settings.limits.timeout.count()),
                                   "--run-state",
                                   state_dir.string(),
                                   "--log-level",
                                   log_level};
  if (settings.exit_when_idle) args.emplace_back("--exit-when-idle");
  // As long as the run waits for them (its drain limit): the images in progress finish.
  args.insert(args.end(),
              {"--grace-period",
               std::to_string((settings.limits.timeout + settings.lease).count()) + "ms"});
  if (settings.allow_untrusted_loaders) args.emplace_back("--allow-untrusted");
  return args;
}

FleetOutcome RunWorkersOf(const RunOptions& options, const JobPlan& plan, RunState& state,
                          const SubmitReport& submitted, Clock& clock) {
  InstallInterruptHandlers();
  FleetOptions fleet;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  fleet.workers = options.workers > 0 ? options.workers : cores;
  fleet.total = submitted.inputs;
  fleet.batch_id = submitted.batch.id;
  fleet.progress_interval = options.progress_interval;
  // Time for the images in progress to finish (each is bounded by the per-image limit).
  fleet.drain_limit = options.limits.timeout + options.lease_duration;
  WorkerSupervisor supervisor(
      options.self_executable,
      WorkerArguments(state.workers, options.worker_log_level, plan.StateDir()));
  state.lock.AllowWorkers();
  return RunWorkers(fleet, supervisor, *state.queue, *state.releaser, *state.results, clock);
}

// A worker killed in the middle of writing an output leaves its temp file beside it (hidden,
// never listed, never a partial output): removed once every worker has exited, while this run
// still holds the folder, so that no live process can own one of those names.
void RemoveTempFilesOfKilledWorkers(const JobPlan& plan, const FleetOutcome& fleet) {
  if (fleet.killed_workers.empty()) return;
  const Result<int64_t> removed =
      RemoveTempFilesOfDeadWriters(plan.output_url, fleet.killed_workers);
  if (!removed.ok()) {
    std::cerr << "pixfleet run: " << TerminalText(removed.status().message())
              << " (the outputs are whole; any temporary file left is hidden and harmless)\n";
  } else if (*removed > 0) {
    std::cerr << "pixfleet run: removed " << *removed << " partly written temporary file"
              << (*removed == 1 ? "" : "s") << " of killed workers\n";
  }
}

// The summary from the result rows (the source of truth), then the exit code.
int Conclude(const SubmitReport& submitted, RunState& state, const FleetOutcome& fleet,
             std::chrono::milliseconds wall, std::chrono::milliseconds cpu) {
  RunSummary summary;
  summary.total = submitted.inputs;
  summary.skipped = submitted.finished;
  summary.interrupted = fleet.interrupted;
  summary.stopped = !fleet.stop_reason.ok();
  auto failed = state.results->ListResults(submitted.batch.id, TaskOutcome::kFailed);
  auto counts = state.results->CountResults(submitted.batch.id);
  if (!failed.ok() || !counts.ok()) {
    const Status unread = failed.ok() ? counts.status() : failed.status();
    return Stop(fleet.stop_reason.ok() ? unread.WithContext("reading the results")
                                       : fleet.stop_reason);
  }
  summary.failed = std::move(*failed);
  summary.succeeded = counts->succeeded;
  summary.unfinished = summary.total - counts->succeeded - counts->failed;
  summary.processed_now = counts->succeeded + counts->failed - submitted.finished;
  summary.wall = wall;
  summary.cpu = cpu;
  std::cout << FormatSummary(summary) << std::flush;
  if (!fleet.stop_reason.ok()) return Stop(fleet.stop_reason);
  if (fleet.interrupted) return kExitInterrupted;
  if (fleet.gave_up && summary.unfinished > 0) {
    std::cerr << "pixfleet run: workers kept dying (" << fleet.restarts
              << " restarts); giving up\n";
  }
  return summary.failed.empty() && summary.unfinished == 0 ? kExitOk : kExitFailures;
}

}  // namespace

int RunJob(const RunOptions& options, Clock& clock) {
  const auto started = clock.MonotonicNow();
  const auto cpu_at_start = CpuTimeOfSelfAndChildren();
  Result<JobPlan> plan = PlanJob(options);
  if (!plan.ok()) return Stop(plan.error());
  Result<RunState> state = OpenRunState(*plan, options, clock, kEarlierWorkersPatience);
  if (!state.ok()) return Stop(state.error());
  Result<SubmitReport> submitted = SubmitUnfinished(*plan, options, *state, clock);
  if (!submitted.ok()) return Stop(submitted.error());
  Announce(*plan, *submitted);
  const FleetOutcome fleet = RunWorkersOf(options, *plan, *state, *submitted, clock);
  RemoveTempFilesOfKilledWorkers(*plan, fleet);
  return Conclude(
      *submitted, *state, fleet,
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.MonotonicNow() - started),
      CpuTimeOfSelfAndChildren() - cpu_at_start);
}

}  // namespace pixfleet
