// `pixfleet submit SOURCE --recipe FILE --queue URL --db URL [--out URL] [--batch NAME]`:
// creates a batch (its recipe and locations travel with it, so workers need no local files) and
// publishes its tasks. Safe to re-run: finished inputs are skipped, and so are tasks an earlier
// run published that are still queued (the result store's publication ledger), so nothing is
// queued twice; --requeue-unfinished publishes those again, for a queue that was purged.
#include <chrono>
#include <iostream>
#include <memory>

#include "cli/command_failure.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/read_file.h"
#include "core/terminal_text.h"
#include "model/recipe_yaml.h"
#include "submit/batch_submission.h"
#include "wiring/backends.h"
#include "wiring/batch_locations.h"
#include "wiring/url.h"

namespace pixfleet {
namespace {

struct SubmitFlags {
  std::string source;
  std::string recipe_path;
  std::string queue_url;
  std::string db_url;
  std::string out_url;
  std::string batch_name;
  bool retry_failed = false;
  bool requeue_unfinished = false;
};

int RunSubmit(const SubmitFlags& flags) {
  Clock& clock = RealClock::Instance();
  const auto started = clock.MonotonicNow();
  auto recipe_text = ReadWholeFile(flags.recipe_path, 1 << 20);
  if (!recipe_text.ok()) return FailCommand("submit", 2, recipe_text.error().message());
  auto recipe = ParseRecipeYaml(*recipe_text, flags.recipe_path);
  if (!recipe.ok()) return FailCommand("submit", 2, recipe.error().message());

  SubmitRequest request;
  request.source_url = flags.source;  // BatchLocation made both absolute URLs
  // Default output: a sibling of the source, so outputs are never taken for inputs.
  request.output_url = flags.out_url.empty() ? request.source_url + "-pixfleet" : flags.out_url;
  if (request.output_url.starts_with(request.source_url + "/")) {
    request.exclude_prefix = request.output_url.substr(request.source_url.size() + 1) + "/";
  } else if (request.output_url == request.source_url) {
    return FailCommand("submit", 2, "--out must not be the source itself");
  }
  request.recipe_yaml = *recipe_text;
  request.batch_name = flags.batch_name.empty() ? recipe->name : flags.batch_name;
  request.retry_failed = flags.retry_failed;
  request.requeue_unfinished = flags.requeue_unfinished;

  auto source = MakeObjectStore(request.source_url, /*create=*/false, clock);
  if (!source.ok()) return FailCommand("submit", 2, source.error().ToString());
  // Before anything is published: a batch whose output refuses writes would fail in every worker.
  if (Status usable = CheckBatchLocations(**source, request.source_url, request.output_url, clock);
      !usable.ok()) {
    return FailCommand("submit", usable.IsRetryable() ? 1 : 2, usable.ToString());
  }
  auto queue = MakeTaskQueue(flags.queue_url, TaskQueueOptions{}, clock);
  if (!queue.ok()) return FailCommand("submit", 2, queue.error().ToString());
  auto results = MakeResultStore(flags.db_url, clock);
  if (!results.ok()) return FailCommand("submit", 2, results.error().ToString());

  auto report = SubmitBatch(request, **source, *queue, **results, clock);
  if (!report.ok()) return FailCommand("submit", 1, report.error().ToString());
  const double seconds = std::chrono::duration<double>(clock.MonotonicNow() - started).count();
  std::cout << "batch " << report->batch.id << " \"" << TerminalText(report->batch.name)
            << "\": " << report->inputs << " inputs, " << report->finished << " already finished, "
            << report->published << " tasks published in " << seconds << " s";
  if (seconds > 0 && report->published > 0) {
    std::cout << " (" << static_cast<int64_t>(static_cast<double>(report->published) / seconds)
              << " tasks/s)";
  }
  if (report->queued > 0) {
    std::cout << "; " << report->queued
              << " published earlier and not finished: still queued, not published again (if "
                 "the queue lost them, run again with --requeue-unfinished)";
  }
  std::cout << "\noutputs go to " << TerminalText(report->batch.output_url) << "\n";
  std::cout << report->skipped.Describe();
  return 0;
}

}  // namespace

CommandRunner AddSubmitCommand(CLI::App& app) {
  auto flags = std::make_shared<SubmitFlags>();
  CLI::App* submit = app.add_subcommand(
      "submit",
      "Create a batch from SOURCE and a recipe and publish its tasks for `pixfleet worker` "
      "processes. Re-running it publishes only what is neither finished nor still queued.");
  submit
      ->add_option("SOURCE", flags->source,
                   "Input location: a folder, file:///path or s3://bucket/prefix")
      ->required()
      ->transform(BatchLocation());
  submit->add_option("--recipe,-r", flags->recipe_path, "Recipe YAML file")
      ->required()
      ->transform(LocalLocation("a recipe is a local file"))
      ->check(CLI::ExistingFile);
  submit->add_option("--queue", flags->queue_url, "Queue URL (sqlite:///path/queue.db)")
      ->envname("PIXFLEET_QUEUE")
      ->required()
      ->check(ConnectionUrl());
  submit->add_option("--db", flags->db_url, "Result store URL (sqlite:///path/results.db)")
      ->envname("PIXFLEET_DB")
      ->required()
      ->check(ConnectionUrl());
  submit
      ->add_option("--out,-o", flags->out_url,
                   "Output location: a folder, file:///path or s3://bucket/prefix (default: "
                   "SOURCE-pixfleet)")
      ->envname("PIXFLEET_OUT")
      ->transform(BatchLocation());
  submit->add_option("--batch", flags->batch_name, "Batch name (default: the recipe's name)")
      ->check(NonEmpty());
  submit->add_flag("--retry-failed", flags->retry_failed,
                   "Publish inputs that failed before again (once per failure)");
  submit->add_flag("--requeue-unfinished", flags->requeue_unfinished,
                   "Publish unfinished tasks even if an earlier submit queued them: for a queue "
                   "that was purged or lost (tasks still queued are then queued twice)");
  return [flags] { return RunSubmit(*flags); };
}

}  // namespace pixfleet
