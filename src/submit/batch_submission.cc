#include "submit/batch_submission.h"

#include <algorithm>
#include <span>

#include "submit/input_selection.h"
#include "submit/unfinished_tasks.h"

namespace pixfleet {
namespace {

// Large enough to amortise a transaction or a confirm round trip, small enough to bound memory
// and the work repeated when one chunk fails.
constexpr size_t kPublishChunk = 1000;

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

  PIXFLEET_ASSIGN_OR_RETURN(std::vector<std::string> keys,
                            ListImageKeys(source, request.exclude_prefix));
  report.inputs = static_cast<int64_t>(keys.size());
  batch.task_count = report.inputs;
  // The batch row comes first: a worker that leases a task must find its batch.
  PIXFLEET_RETURN_IF_ERROR(results.PutBatch(batch));

  DeduplicatingPublish* deduplicating = queue.deduplicating_publish();
  PIXFLEET_ASSIGN_OR_RETURN(UnfinishedTasks todo,
                            SelectUnfinishedTasks(results, batch.id, MakeTasks(batch.id, keys),
                                                  {.retry_failed = request.retry_failed,
                                                   .skip_queued = deduplicating == nullptr &&
                                                                  !request.requeue_unfinished}));
  report.finished = todo.finished;
  report.queued = todo.queued;
  for (size_t i = 0; i < todo.to_publish.size(); i += kPublishChunk) {
    const size_t n = std::min(kPublishChunk, todo.to_publish.size() - i);
    const std::span<const TaskSpec> chunk(todo.to_publish.data() + i, n);
    PIXFLEET_RETURN_IF_ERROR((deduplicating != nullptr ? deduplicating->PublishDeduplicated(chunk)
                                                       : queue->Publish(chunk))
                                 .WithContext("publishing tasks"));
    // Only now that the queue holds them: a failure here only makes a re-run publish them again.
    PIXFLEET_RETURN_IF_ERROR(
        results.RecordPublications(batch.id, std::span(todo.publications).subspan(i, n))
            .WithContext("recording published tasks"));
    report.published += static_cast<int64_t>(n);
  }
  return report;
}

}  // namespace pixfleet
