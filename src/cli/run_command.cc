// `pixfleet run SOURCE --recipe FILE --out DIR`: flags for run/run_job.h.
#include <memory>

#include "cli/commands.h"
#include "cli/engine_flags.h"
#include "cli/flag_checks.h"
#include "run/run_job.h"

namespace pixfleet {
namespace {

// `run` keeps its state in OUT/.pixfleet (SQLite): it works on local folders only.
CLI::Validator RunLocation() {
  return LocalLocation(
      "pixfleet run reads and writes local folders; for S3 or another remote store, create the "
      "batch with `pixfleet submit` and process it with `pixfleet worker` (README, \"Distributed "
      "mode\")");
}

// Bounds that keep every value meaningful: at least one, and below what would overflow or
// exhaust the machine (worker processes are forked, delivery limits add to the attempts).
constexpr int kMaxWorkers = 1024;
constexpr int kMaxAttempts = 1000;
constexpr int64_t kMaxProgressIntervalMs = 86'400'000;

}  // namespace

CommandRunner AddRunCommand(CLI::App& app, const std::string& self_executable) {
  struct Flags {
    RunOptions options;
    EngineFlags engine;
    int64_t lease_ms = 30'000;
    int64_t progress_interval_ms = 5'000;
  };
  auto flags = std::make_shared<Flags>();
  flags->options.self_executable = self_executable;
  CLI::App* run = app.add_subcommand(
      "run",
      "Process every image under SOURCE with a recipe, on this machine. Outputs go to "
      "OUT/<input path without extension>/<output>.<ext>; state lives in OUT/.pixfleet so that "
      "running the same command again resumes where it stopped.");
  run->add_option("SOURCE", flags->options.source_dir,
                  "Folder of input images (searched recursively): a path or file:///path")
      ->required()
      ->transform(RunLocation())
      ->check(CLI::ExistingDirectory);
  run->add_option("--recipe,-r", flags->options.recipe_path, "Recipe YAML file")
      ->required()
      ->transform(LocalLocation("a recipe is a local file"))
      ->check(CLI::ExistingFile);
  run->add_option("--out,-o", flags->options.out_dir,
                  "Output folder (created if missing): a path or file:///path")
      ->required()
      ->transform(RunLocation());
  run->add_option("--workers,-w", flags->options.workers,
                  "Worker processes (default: one per core)")
      ->check(CLI::Range(1, kMaxWorkers));
  run->add_flag("--retry-failed", flags->options.retry_failed,
                "Also redo inputs that failed in an earlier run (e.g. after fixing them)");
  run->add_option("--max-attempts", flags->options.max_attempts,
                  "Attempts for transient failures before an input is given up")
      ->capture_default_str()
      ->check(CLI::Range(1, kMaxAttempts));
  run->add_option("--lease-ms", flags->lease_ms,
                  "How long a task stays with a worker that stops sending heartbeats")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{500}, int64_t{3'600'000}));
  run->add_option("--progress-interval-ms", flags->progress_interval_ms,
                  "Period of plain progress lines when stderr is not a terminal")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, kMaxProgressIntervalMs));
  flags->engine.AddTo(*run);
  return [flags] {
    RunOptions options = flags->options;
    options.limits = flags->engine.Limits();
    options.allow_untrusted_loaders = flags->engine.allow_untrusted;
    options.lease_duration = std::chrono::milliseconds(flags->lease_ms);
    options.progress_interval = std::chrono::milliseconds(flags->progress_interval_ms);
    return RunJob(options, RealClock::Instance());
  };
}

}  // namespace pixfleet
