#include "run/run_job.h"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/read_file.h"
#include "model/recipe_yaml.h"
#include "model/task.h"
#include "run/progress.h"
#include "run/state_lock.h"
#include "run/summary.h"
#include "run/worker_supervisor.h"
#include "submit/batch_submission.h"
#include "wiring/backends.h"
#include "wiring/url.h"
#include "worker/consumer_id.h"

namespace pixfleet {
namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitFailures = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;
constexpr auto kPollInterval = std::chrono::milliseconds(200);

volatile std::sig_atomic_t g_signals = 0;
extern "C" void OnSignal(int /*signal*/) { g_signals = g_signals + 1; }

int Fail(int code, const std::string& message) {
  std::cerr << "pixfleet run: " << message << "\n";
  return code;
}

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

int TerminalColumns() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// Relative prefix of `out` inside `source` ("thumbs/"), or "" if out is not inside source.
std::string ExcludedPrefix(const fs::path& source, const fs::path& out) {
  const fs::path relative = out.lexically_relative(source);
  if (relative.empty() || relative.native().starts_with("..")) return "";
  return relative.generic_string() + "/";
}

// Removes queue files of other batches (an earlier recipe): their tasks must not run into this
// folder any more. Safe: the state lock guarantees no worker is using them.
void RemoveStaleQueues(const fs::path& state_dir, const std::string& keep) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(state_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("queue-") && !name.starts_with(keep)) fs::remove(entry.path(), error);
  }
}

std::vector<std::string> WorkerArguments(const RunOptions& options, const std::string& queue_url,
                                         const std::string& db_url) {
  std::vector<std::string> args = {"worker",
                                   "--queue",
                                   queue_url,
                                   "--db",
                                   db_url,
                                   "--concurrency",
                                   "1",
                                   "--exit-when-idle",
                                   "--lease-ms",
                                   std::to_string(options.lease_duration.count()),
                                   "--max-attempts",
                                   std::to_string(options.max_attempts),
                                   "--max-pixels",
                                   std::to_string(options.limits.max_pixels),
                                   "--max-bytes",
                                   std::to_string(options.limits.max_input_bytes),
                                   "--timeout-ms",
                                   std::to_string(options.limits.timeout.count()),
                                   "--log-level",
                                   options.worker_log_level};
  if (options.allow_untrusted_loaders) args.emplace_back("--allow-untrusted");
  return args;
}

}  // namespace

int RunJob(const RunOptions& options) {
  Clock& clock = RealClock::Instance();
  const auto started = clock.MonotonicNow();
  const auto cpu_at_start = CpuTimeOfSelfAndChildren();

  // --- Validate the job before touching anything.
  Result<std::string> recipe_text = ReadWholeFile(options.recipe_path, 1 << 20);
  if (!recipe_text.ok()) return Fail(kExitUsage, recipe_text.error().message());
  Result<Recipe> recipe = ParseRecipeYaml(*recipe_text, options.recipe_path);
  if (!recipe.ok()) return Fail(kExitUsage, recipe.error().message());
  std::error_code error;
  const fs::path source = fs::weakly_canonical(options.source_dir, error);
  if (error || !fs::is_directory(source, error)) {
    return Fail(kExitUsage, "source " + options.source_dir + " is not a folder");
  }
  fs::create_directories(options.out_dir, error);
  const fs::path out = fs::weakly_canonical(options.out_dir, error);
  if (out == source) {
    // Outputs would be taken for inputs on the next run.
    return Fail(kExitUsage,
                "--out must not be the source folder itself; use another folder or a "
                "sub-folder (which is then skipped when listing inputs)");
  }
  const fs::path state_dir = out / ".pixfleet";
  fs::create_directories(state_dir, error);
  if (error) {
    return Fail(kExitUsage, "cannot create " + state_dir.string() + ": " + error.message());
  }
  Result<StateLock> lock = StateLock::Acquire(state_dir);
  if (!lock.ok()) return Fail(kExitUsage, lock.error().message());

  // --- The batch's state: one queue file per batch, one result store per output folder.
  const std::string source_url = FileUrl(source.string());
  const std::string output_url = FileUrl(out.string());
  const std::string queue_file =
      "queue-" + MakeBatchId(source_url, *recipe_text, output_url) + ".db";
  RemoveStaleQueues(state_dir, queue_file);
  const std::string queue_url = SqliteUrl((state_dir / queue_file).string());
  const std::string db_url = SqliteUrl((state_dir / "results.db").string());
  TaskQueueOptions queue_settings;
  queue_settings.lease_duration = options.lease_duration;
  queue_settings.delivery_limit = options.max_attempts + 2;
  queue_settings.consumer_id = ThisProcessConsumerId();
  auto queue = MakeTaskQueue(queue_url, queue_settings, clock);
  if (!queue.ok()) return Fail(kExitUsage, queue.error().ToString());
  auto results = MakeResultStore(db_url, clock);
  if (!results.ok()) return Fail(kExitUsage, results.error().ToString());
  auto inputs = MakeObjectStore(source_url, /*create=*/false);
  if (!inputs.ok()) return Fail(kExitUsage, inputs.error().ToString());

  // --- Skip what an earlier run finished; publish the rest.
  SubmitRequest request;
  request.source_url = source_url;
  request.output_url = output_url;
  request.recipe_yaml = *recipe_text;
  request.batch_name = recipe->name;
  request.exclude_prefix = ExcludedPrefix(source, out);
  request.retry_failed = options.retry_failed;
  Result<SubmitReport> submitted = SubmitBatch(request, **inputs, **queue, **results, clock);
  if (!submitted.ok()) return Fail(kExitUsage, submitted.error().ToString());
  const Batch& batch = submitted->batch;
  // Leases held by workers of an earlier, interrupted run: the lock proves they are dead.
  if (Status released = (*queue)->ReleaseLeases(""); !released.ok()) {
    return Fail(kExitUsage, released.ToString());
  }
  const int64_t total = submitted->inputs;
  const int64_t skipped = submitted->finished;
  if (total == 0) {
    std::cerr << "pixfleet run: no images (jpg, jpeg, png, webp, tif, tiff, gif, heic, heif, avif) "
                 "under "
              << source.string() << "\n";
  }
  std::cerr << "pixfleet run: " << total << " images in " << source.string() << ", " << skipped
            << " already done, " << submitted->published << " to process\n";

  // --- Run workers until the queue is drained.
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int wanted = options.workers > 0 ? options.workers : cores;
  WorkerSupervisor supervisor(options.self_executable, WorkerArguments(options, queue_url, db_url));
  const bool tty = isatty(STDERR_FILENO) == 1;
  RateMeter meter;
  auto last_line = clock.MonotonicNow();
  int restarts = 0;
  const int max_restarts = 20 + 2 * wanted;
  bool interrupted = false;
  int64_t pending = submitted->published;
  for (int i = 0; i < std::min<int64_t>(wanted, pending); ++i) {
    if (auto spawned = supervisor.Spawn(); !spawned.ok()) {
      return Fail(kExitFailures, spawned.error().message());
    }
  }

  while (true) {
    for (const ExitedWorker& exited : supervisor.Reap()) {
      if (exited.clean) continue;
      // A crashed worker's task goes back to the queue now rather than when its lease lapses.
      (void)(*queue)->ReleaseLeases(ConsumerIdForPid(exited.pid));
      if (!interrupted) {
        std::cerr << (tty ? "\r\033[K" : "") << "pixfleet run: worker " << exited.pid << " "
                  << exited.description << "; its task goes back to the queue\n";
      }
    }
    Result<QueueDepth> depth = (*queue)->Depth();
    if (depth.ok()) pending = depth->ready + depth->delayed + depth->leased;
    if (g_signals > 0 && !interrupted) {
      interrupted = true;
      std::cerr << (tty ? "\r\033[K" : "")
                << "pixfleet run: stopping: finishing the images in progress (Ctrl-C again to "
                   "stop at once)\n";
      supervisor.SignalAll(SIGTERM);
    }
    if (g_signals > 1) supervisor.SignalAll(SIGKILL);
    if (!interrupted && pending > 0 && supervisor.running() < std::min<int64_t>(wanted, pending)) {
      if (restarts < max_restarts && (depth.ok() && depth->ready + depth->leased > 0)) {
        ++restarts;
        (void)supervisor.Spawn();
      }
    }
    if (supervisor.running() == 0 && (interrupted || pending == 0 || restarts >= max_restarts)) {
      break;
    }

    const auto now = clock.MonotonicNow();
    auto counts = (*results)->CountResults(batch.id);
    if (counts.ok()) {
      ProgressSnapshot snapshot;
      snapshot.total = total;
      snapshot.failed = counts->failed;
      snapshot.succeeded = snapshot.total - pending - counts->failed;
      snapshot.workers = supervisor.running();
      meter.Add(now, snapshot.succeeded + snapshot.failed);
      snapshot.rate_per_second = meter.PerSecond();
      if (tty) {
        std::cerr << "\r\033[K" << FormatProgressBar(snapshot, TerminalColumns()) << std::flush;
      } else if (now - last_line >= options.progress_interval) {
        last_line = now;
        std::cerr << FormatProgressLine(snapshot) << "\n";
      }
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  if (tty) std::cerr << "\r\033[K";

  // --- Summary from the result rows: the source of truth.
  RunSummary summary;
  summary.total = total;
  summary.skipped = skipped;
  summary.interrupted = interrupted;
  auto failed = (*results)->ListResults(batch.id, TaskOutcome::kFailed);
  auto counts = (*results)->CountResults(batch.id);
  if (!failed.ok() || !counts.ok()) return Fail(kExitFailures, "reading results failed");
  summary.failed = std::move(*failed);
  summary.succeeded = counts->succeeded;
  summary.unfinished = summary.total - counts->succeeded - counts->failed;
  summary.processed_now = counts->succeeded + counts->failed - skipped;
  summary.wall =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.MonotonicNow() - started);
  summary.cpu = CpuTimeOfSelfAndChildren() - cpu_at_start;
  std::cout << FormatSummary(summary) << std::flush;
  if (interrupted) return kExitInterrupted;
  if (restarts >= max_restarts && summary.unfinished > 0) {
    std::cerr << "pixfleet run: workers kept dying (" << restarts << " restarts); giving up\n";
  }
  return summary.failed.empty() && summary.unfinished == 0 ? kExitOk : kExitFailures;
}

}  // namespace pixfleet
