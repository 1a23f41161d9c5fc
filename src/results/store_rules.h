// The rules every ResultStore applies, in one place so that the in-memory fake and the
// databases cannot drift apart (the SQL backends restate ReplacesResult in their ON CONFLICT
// clause, and the contract test holds them to it).
#pragma once

#include <span>
#include <string_view>

#include "core/status.h"
#include "model/result.h"
#include "model/task.h"
#include "results/result_store.h"

namespace pixfleet {

// kInvalidArgument unless the batch has an id.
Status ValidateBatch(const Batch& batch);

// OK if `incoming` may be stored under the id of `existing`: same recipe, source and output
// (the batch id is derived from them, so a difference means a collision or a bug).
// Otherwise kInvalidArgument naming the first field that differs.
Status CheckSameBatch(const Batch& existing, const Batch& incoming);

// kInvalidArgument unless the row has a task id and a batch id, its error code agrees with its
// outcome (kOk exactly when succeeded), and input_bytes fits a signed 64-bit column.
Status ValidateResult(const TaskResult& result);

// kInvalidArgument unless the batch id and every publication's task id are non-empty.
Status ValidatePublications(std::string_view batch_id, std::span<const Publication> publications);

// Whether `incoming` overwrites the stored row `existing` of the same task:
//  - a succeeded row is final: its outputs exist, and a late duplicate must not overwrite it;
//  - a success replaces a failure (a redelivery after a transient failure succeeded);
//  - a failure replaces a failure only from the same or a later attempt, so a stale worker
//    whose lease expired cannot overwrite the newer attempt's row.
bool ReplacesResult(const TaskResult& existing, const TaskResult& incoming);

}  // namespace pixfleet
