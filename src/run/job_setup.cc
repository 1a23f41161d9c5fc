#include "run/job_setup.h"

#include "core/read_file.h"
#include "model/recipe_yaml.h"
#include "model/task.h"
#include "wiring/backends.h"
#include "wiring/url.h"
#include "worker/consumer_id.h"

namespace pixfleet {
namespace {

namespace fs = std::filesystem;

// Relative prefix of `out` inside `source` ("thumbs/"), or "" if out is not inside source.
std::string ExcludedPrefix(const fs::path& source, const fs::path& out) {
  const fs::path relative = out.lexically_relative(source);
  if (relative.empty() || relative.native().starts_with("..")) return "";
  return relative.generic_string() + "/";
}

// Removes queue files of other batches (an earlier recipe): their tasks must not run into this
// folder any more. Safe: the locks prove that no worker is using them.
void RemoveStaleQueues(const fs::path& state_dir, const std::string& keep) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(state_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("queue-") && !name.starts_with(keep)) fs::remove(entry.path(), error);
  }
}

}  // namespace

Result<JobPlan> PlanJob(const RunOptions& options) {
  JobPlan plan;
  Result<std::string> recipe_text = ReadWholeFile(options.recipe_path, 1 << 20);
  if (!recipe_text.ok()) return InvalidArgument(recipe_text.error().message());
  plan.recipe_text = std::move(*recipe_text);
  Result<Recipe> recipe = ParseRecipeYaml(plan.recipe_text, options.recipe_path);
  if (!recipe.ok()) return InvalidArgument(recipe.error().message());
  plan.recipe = std::move(*recipe);
  std::error_code error;
  plan.source = fs::weakly_canonical(options.source_dir, error);
  if (error || !fs::is_directory(plan.source, error)) {
    return InvalidArgument("source " + options.source_dir + " is not a folder");
  }
  fs::create_directories(options.out_dir, error);
  plan.out = fs::weakly_canonical(options.out_dir, error);
  if (plan.out == plan.source) {
    // Outputs would be taken for inputs on the next run.
    return InvalidArgument(
        "--out must not be the source folder itself; use another folder or a sub-folder (which "
        "is then skipped when listing inputs)");
  }
  plan.source_url = FileUrl(plan.source.string());
  plan.output_url = FileUrl(plan.out.string());
  plan.batch_id = MakeBatchId(plan.source_url, plan.recipe_text, plan.output_url);
  return plan;
}

Result<RunState> OpenRunState(const JobPlan& plan, const RunOptions& options, Clock& clock,
                              std::chrono::milliseconds earlier_workers_patience) {
  std::error_code error;
  fs::create_directories(plan.StateDir(), error);
  if (error) {
    return InvalidArgument("cannot create " + plan.StateDir().string() + ": " + error.message());
  }
  PIXFLEET_ASSIGN_OR_RETURN(StateLock lock, StateLock::Acquire(plan.StateDir()));
  PIXFLEET_RETURN_IF_ERROR(lock.WaitForEarlierWorkers(clock, earlier_workers_patience));
  const std::string queue_file = "queue-" + plan.batch_id + ".db";
  RemoveStaleQueues(plan.StateDir(), queue_file);

  WorkerSettings workers;
  workers.queue_url = SqliteUrl((plan.StateDir() / queue_file).string());
  workers.db_url = SqliteUrl((plan.StateDir() / "results.db").string());
  workers.concurrency = 1;  // one process per core instead: a crash takes one image down
  workers.exit_when_idle = true;
  workers.lease = options.lease_duration;
  workers.max_attempts = options.max_attempts;
  workers.limits = options.limits;
  workers.allow_untrusted_loaders = options.allow_untrusted_loaders;
  TaskQueueOptions queue_options = WorkerQueueOptions(workers, ThisProcessConsumerId());
  queue_options.delivery_limit = options.max_attempts + 2;
  PIXFLEET_ASSIGN_OR_RETURN(TaskQueueHandle queue,
                            MakeTaskQueue(workers.queue_url, queue_options, clock));
  LeaseReleaser* releaser = queue.AsLeaseReleaser();
  if (releaser == nullptr) return Internal("the embedded queue cannot hand back leases");
  PIXFLEET_ASSIGN_OR_RETURN(auto results, MakeResultStore(workers.db_url, clock));
  PIXFLEET_ASSIGN_OR_RETURN(auto inputs, MakeObjectStore(plan.source_url, false, clock));
  return RunState{std::move(lock), std::move(workers), std::move(queue),
                  releaser,        std::move(results), std::move(inputs)};
}

Result<SubmitReport> SubmitUnfinished(const JobPlan& plan, const RunOptions& options,
                                      RunState& state, Clock& clock) {
  SubmitRequest request;
  request.source_url = plan.source_url;
  request.output_url = plan.output_url;
  request.recipe_yaml = plan.recipe_text;
  request.batch_name = plan.recipe.name;
  request.exclude_prefix = ExcludedPrefix(plan.source, plan.out);
  request.retry_failed = options.retry_failed;
  PIXFLEET_ASSIGN_OR_RETURN(SubmitReport submitted, SubmitBatch(request, *state.inputs, state.queue,
                                                                *state.results, clock));
  // Leases held by workers of an earlier, interrupted run: the locks prove they are dead.
  PIXFLEET_RETURN_IF_ERROR(state.releaser->ReleaseLeases(""));
  return submitted;
}

}  // namespace pixfleet
