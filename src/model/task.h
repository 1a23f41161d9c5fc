// Task and batch: the unit of work on the queue and the job it belongs to. A batch carries its
// recipe and its input/output locations so that a worker needs nothing but the batch id.
// Ids are deterministic (see MakeBatchId/MakeTaskId): re-submitting the same work yields the
// same ids, which is what makes re-runs and redeliveries idempotent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pixfleet {

// What travels on the queue: small, self-describing, no recipe inside.
struct TaskSpec {
  std::string task_id;
  std::string batch_id;
  std::string input_key;  // key of the input in the batch's source store ("a/b/c.jpg")
  // Output keys keep the input's extension ({path} = "a/b/c.jpg", not "a/b/c"): set for inputs
  // that differ only by extension (IMG_1.JPG and IMG_1.HEIC), whose outputs would collide.
  bool keep_extension = false;
  friend bool operator==(const TaskSpec&, const TaskSpec&) = default;
};

struct Batch {
  std::string id;
  std::string name;         // human label (defaults to the id)
  std::string source_url;   // "file:///photos" (later "s3://bucket/prefix")
  std::string output_url;   // "file:///out"
  std::string recipe_yaml;  // the recipe's text, parsed by each worker
  int64_t created_ms = 0;
  int64_t task_count = 0;  // tasks published so far
  friend bool operator==(const Batch&, const Batch&) = default;
};

// Batch id from what defines the work: the same source, recipe text and output give the same id,
// so re-running a command resumes its batch, and a changed recipe starts a new one.
std::string MakeBatchId(std::string_view source_url, std::string_view recipe_yaml,
                        std::string_view output_url);

// Task id from its batch and input key (32 hex characters).
std::string MakeTaskId(std::string_view batch_id, std::string_view input_key);

// Tasks for `input_keys` (sorted or not) of a batch, with keep_extension set on every input whose
// key without extension is shared with another input.
std::vector<TaskSpec> MakeTasks(std::string_view batch_id,
                                const std::vector<std::string>& input_keys);

}  // namespace pixfleet
