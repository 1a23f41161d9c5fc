// DeadTask: a dead-lettered task and why, as listed by the concrete queues (not the port) for a
// run's summary and for operators deciding what to re-publish.
#pragma once

#include <string>

#include "model/task.h"

namespace pixfleet {

struct DeadTask {
  TaskSpec task;
  int attempts = 0;    // deliveries before it died
  std::string reason;  // the DeadLetter reason, or the delivery-limit explanation
  friend bool operator==(const DeadTask&, const DeadTask&) = default;
};

}  // namespace pixfleet
