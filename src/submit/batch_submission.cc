#include "submit/batch_submission.h"

#include <algorithm>
#include <set>

#include "model/output_key_check.h"
#include "model/recipe_yaml.h"
#include "submit/input_selection.h"

namespace pixfleet {
namespace {

// Large enough to amortise a transaction or a confirm round trip, small enough to bound memory
// and the work repeated when one chunk fails.
constexpr size_t kPublishChunk = 1000;

}  // namespace

Result<SubmitReport> SubmitBatch(const SubmitRequest& request, ObjectStore& source,
                                 TaskQueue& queue, ResultStore& results, Clock& clock) {
  SubmitReport report;
  Batch& batch = report.batch;
  batch.id = MakeBatchId(request.source_url, request.recipe_yaml, request.output_url);
  batch.name = request.batch_name.empty() ? batch.id : request.batch_name;
  batch.source_url = request.source_url;
  batch.output_url = request.output_url;
  batch.recipe_yaml = request.recipe_yaml;
  batch.created_ms = clock.NowMillis();

  PIXFLEET_ASSIGN_OR_RETURN(InputListing listing, ListInputs(source, request.exclude_prefix));
  const std::vector<std::string>& keys = listing.keys;
  report.skipped = std::move(listing.skipped);
  // Outputs that would overwrite each other are refused before the batch row or a task exists.
  PIXFLEET_ASSIGN_OR_RETURN(const Recipe recipe, ParseRecipeYaml(request.recipe_yaml, "recipe"));
  std::vector<TaskSpec> tasks = MakeTasks(batch.id, keys);
  PIXFLEET_RETURN_IF_ERROR(CheckOutputKeys(recipe.outputs, tasks));
  report.inputs = static_cast<int64_t>(keys.size());
  batch.task_count = report.inputs;
  // The batch row comes first: a worker that leases a task must find its batch.
  PIXFLEET_RETURN_IF_ERROR(results.PutBatch(batch));

  std::set<std::string> finished;
  PIXFLEET_ASSIGN_OR_RETURN(std::vector<std::string> succeeded, results.SucceededTaskIds(batch.id));
  finished.insert(succeeded.begin(), succeeded.end());
  if (!request.retry_failed) {
    PIXFLEET_ASSIGN_OR_RETURN(std::vector<TaskResult> failed,
                              results.ListResults(batch.id, TaskOutcome::kFailed));
    for (const TaskResult& row : failed) finished.insert(row.task_id);
  }
  std::vector<TaskSpec> todo;
  for (TaskSpec& task : tasks) {
    if (!finished.contains(task.task_id)) todo.push_back(std::move(task));
  }
  report.finished = report.inputs - static_cast<int64_t>(todo.size());
  for (size_t i = 0; i < todo.size(); i += kPublishChunk) {
    const size_t n = std::min(kPublishChunk, todo.size() - i);
    PIXFLEET_RETURN_IF_ERROR(queue.Publish({todo.data() + i, n}).WithContext("publishing tasks"));
    report.published += static_cast<int64_t>(n);
  }
  return report;
}

}  // namespace pixfleet
