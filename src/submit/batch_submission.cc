#include "submit/batch_submission.h"

#include <algorithm>
#include <future>
#include <span>

#include "model/output_key_check.h"
#include "model/recipe_yaml.h"
#include "submit/input_selection.h"
#include "submit/largest_first.h"
#include "submit/unfinished_tasks.h"

namespace pixfleet {
namespace {

// Large enough to amortise a transaction or a confirm round trip, small enough to bound memory
// and the work repeated when one chunk fails.
constexpr size_t kPublishChunk = 1000;
// Ledger entries per write: fewer, larger transactions (each commit waits for the disk). A crash
// can make a re-run publish up to this many tasks again, which is harmless.
constexpr size_t kRecordEvery = 10'000;

}  // namespace

Result<SubmitReport> SubmitBatch(const SubmitRequest& request, ObjectStore& source,
                                 const TaskQueueHandle& queue, ResultStore& results, Clock& clock) {
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

  DeduplicatingPublish* deduplicating = queue.AsDeduplicatingPublish();
  PIXFLEET_ASSIGN_OR_RETURN(UnfinishedTasks todo,
                            SelectUnfinishedTasks(results, batch.id, std::move(tasks),
                                                  {.retry_failed = request.retry_failed,
                                                   .skip_queued = deduplicating == nullptr &&
                                                                  !request.requeue_unfinished}));
  OrderLargestFirst(listing.bytes, &todo);  // no slow tail: see largest_first.h
  report.finished = todo.finished;
  report.queued = todo.queued;
  // Published chunks are recorded in groups, each while the next chunks are published, so that
  // the ledger costs the submission little time. A task is recorded only once the queue
  // confirmed it; a failure to record only makes a re-run publish it again.
  std::future<Status> recording;
  const auto record = [&](size_t begin, size_t end) -> Status {
    if (recording.valid()) PIXFLEET_RETURN_IF_ERROR(recording.get());
    const std::span<const Publication> entries =
        std::span(todo.publications).subspan(begin, end - begin);
    recording = std::async(std::launch::async, [&results, &batch, entries] {
      return results.RecordPublications(batch.id, entries).WithContext("recording published tasks");
    });
    return Status::Ok();
  };
  size_t recorded = 0;
  for (size_t i = 0; i < todo.to_publish.size(); i += kPublishChunk) {
    const size_t n = std::min(kPublishChunk, todo.to_publish.size() - i);
    const std::span<const TaskSpec> chunk(todo.to_publish.data() + i, n);
    PIXFLEET_RETURN_IF_ERROR((deduplicating != nullptr ? deduplicating->PublishDeduplicated(chunk)
                                                       : queue->Publish(chunk))
                                 .WithContext("publishing tasks"));
    report.published += static_cast<int64_t>(n);
    if (i + n - recorded >= kRecordEvery) {
      PIXFLEET_RETURN_IF_ERROR(record(recorded, i + n));
      recorded = i + n;
    }
  }
  if (recorded < todo.to_publish.size()) {
    PIXFLEET_RETURN_IF_ERROR(record(recorded, todo.to_publish.size()));
  }
  if (recording.valid()) PIXFLEET_RETURN_IF_ERROR(recording.get());
  return report;
}

}  // namespace pixfleet
