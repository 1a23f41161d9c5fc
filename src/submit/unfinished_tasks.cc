// Unfinished tasks: see the header. Sets of ids are hashed: a batch may hold millions.
#include "submit/unfinished_tasks.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace pixfleet {

Result<UnfinishedTasks> SelectUnfinishedTasks(ResultStore& results, std::string_view batch_id,
                                              std::vector<TaskSpec> tasks,
                                              const UnfinishedTasksOptions& options) {
  PIXFLEET_ASSIGN_OR_RETURN(const std::vector<std::string> succeeded_ids,
                            results.SucceededTaskIds(batch_id));
  const std::unordered_set<std::string> succeeded(succeeded_ids.begin(), succeeded_ids.end());
  // finished_ms of each failed row.
  std::unordered_map<std::string, int64_t> failed;
  PIXFLEET_ASSIGN_OR_RETURN(const std::vector<TaskResult> failed_rows,
                            results.ListResults(batch_id, TaskOutcome::kFailed));
  for (const TaskResult& row : failed_rows) failed.emplace(row.task_id, row.finished_ms);
  // What each published task's row was when it was published.
  std::unordered_map<std::string, std::optional<int64_t>> published;
  if (options.skip_queued) {
    PIXFLEET_ASSIGN_OR_RETURN(std::vector<Publication> ledger, results.ListPublications(batch_id));
    published.reserve(ledger.size());
    for (Publication& entry : ledger) {
      published.emplace(std::move(entry.task_id), entry.result_finished_ms);
    }
  }

  UnfinishedTasks selected;
  for (TaskSpec& task : tasks) {
    if (succeeded.contains(task.task_id)) {
      ++selected.finished;
      continue;
    }
    std::optional<int64_t> row_finished_ms;
    if (const auto it = failed.find(task.task_id); it != failed.end()) {
      if (!options.retry_failed) {
        ++selected.finished;
        continue;
      }
      row_finished_ms = it->second;
    }
    if (const auto it = published.find(task.task_id);
        it != published.end() && it->second == row_finished_ms) {
      ++selected.queued;
      continue;
    }
    selected.publications.push_back(Publication{task.task_id, row_finished_ms});
    selected.to_publish.push_back(std::move(task));
  }
  return selected;
}

}  // namespace pixfleet
