// Store rules: see the header.
#include "results/store_rules.h"

#include <cstdint>
#include <string>
#include <utility>

namespace pixfleet {

Status ValidateBatch(const Batch& batch) {
  if (batch.id.empty()) return InvalidArgument("a batch needs an id");
  return Status::Ok();
}

Status ValidatePublications(std::string_view batch_id, std::span<const Publication> publications) {
  if (batch_id.empty()) return InvalidArgument("publications need a batch id");
  for (const Publication& publication : publications) {
    if (publication.task_id.empty()) return InvalidArgument("a publication needs a task id");
  }
  return Status::Ok();
}

Status CheckSameBatch(const Batch& existing, const Batch& incoming) {
  const char* field = nullptr;
  if (existing.recipe_yaml != incoming.recipe_yaml) {
    field = "recipe_yaml";
  } else if (existing.source_url != incoming.source_url) {
    field = "source_url";
  } else if (existing.output_url != incoming.output_url) {
    field = "output_url";
  }
  if (field == nullptr) return Status::Ok();
  return InvalidArgument("batch " + existing.id + " already exists with a different " + field);
}

Status ValidateResult(const TaskResult& result) {
  if (result.task_id.empty()) return InvalidArgument("a result row needs a task id");
  if (result.batch_id.empty()) {
    return InvalidArgument("result row of task " + result.task_id + " has no batch id");
  }
  // Every SQL backend stores sizes as a signed 64-bit integer.
  if (!std::in_range<int64_t>(result.input_bytes)) {
    return InvalidArgument("result row of task " + result.task_id + " has input_bytes over 2^63");
  }
  const bool succeeded = result.outcome == TaskOutcome::kSucceeded;
  if (succeeded != (result.error_code == StatusCode::kOk)) {
    return InvalidArgument("result row of task " + result.task_id + " is " +
                           TaskOutcomeName(result.outcome) + " with error code " +
                           std::string(StatusCodeName(result.error_code)));
  }
  return Status::Ok();
}

bool ReplacesResult(const TaskResult& existing, const TaskResult& incoming) {
  if (existing.outcome == TaskOutcome::kSucceeded) return false;
  return incoming.outcome == TaskOutcome::kSucceeded || incoming.attempts >= existing.attempts;
}

}  // namespace pixfleet
