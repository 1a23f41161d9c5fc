// TaskResult: the one row recorded per task, keyed by task id. It names every output written
// (key, size, dimensions), the analyses asked for by the recipe, and on failure the error code
// and a message that names the input and the reason.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace pixfleet {

enum class TaskOutcome { kSucceeded, kFailed };

struct OutputRecord {
  std::string name;  // the recipe's output name
  std::string key;   // where it was written in the batch's output store
  uint64_t bytes = 0;
  int width = 0;
  int height = 0;
  std::string format;  // "jpeg", "webp", ...
  friend bool operator==(const OutputRecord&, const OutputRecord&) = default;
};

// Only the analyses the recipe asked for are set.
struct ImageAnalysis {
  std::optional<int> width;  // after auto-rotation (as displayed)
  std::optional<int> height;
  std::optional<std::string> format;  // loader's format name: "jpeg", "png", "webp", ...
  std::optional<int> orientation;     // EXIF orientation 1..8 (1 when absent)
  std::optional<std::array<double, 3>> mean_colour;  // sRGB, 0..255 per channel
  std::optional<uint64_t> dhash;                     // 64-bit difference hash of the upright image
  std::optional<std::string> sha256;  // of the input file's bytes, 64 lower-case hex digits
  friend bool operator==(const ImageAnalysis&, const ImageAnalysis&) = default;
};

struct TaskResult {
  std::string task_id;
  std::string batch_id;
  std::string input_key;
  TaskOutcome outcome = TaskOutcome::kSucceeded;
  StatusCode error_code = StatusCode::kOk;  // kOk when succeeded
  std::string error_message;
  int attempts = 0;
  uint64_t input_bytes = 0;
  std::vector<OutputRecord> outputs;
  ImageAnalysis analysis;
  int64_t finished_ms = 0;
  int64_t process_ms = 0;  // wall time of the whole task in the worker
  friend bool operator==(const TaskResult&, const TaskResult&) = default;
};

const char* TaskOutcomeName(TaskOutcome outcome);  // "succeeded" / "failed"

}  // namespace pixfleet
