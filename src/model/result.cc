#include "model/result.h"

namespace pixfleet {

const char* TaskOutcomeName(TaskOutcome outcome) {
  return outcome == TaskOutcome::kSucceeded ? "succeeded" : "failed";
}

}  // namespace pixfleet
