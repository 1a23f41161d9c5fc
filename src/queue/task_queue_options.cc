#include "queue/task_queue_options.h"

namespace pixfleet {

Status ValidateTaskQueueOptions(const TaskQueueOptions& options) {
  if (options.lease_duration.count() <= 0) {
    return InvalidArgument("queue lease duration must be positive, got " +
                           std::to_string(options.lease_duration.count()) + " ms");
  }
  if (options.poll_interval.count() <= 0) {
    return InvalidArgument("queue poll interval must be positive, got " +
                           std::to_string(options.poll_interval.count()) + " ms");
  }
  if (options.delivery_limit < 1) {
    return InvalidArgument("queue delivery limit must be at least 1, got " +
                           std::to_string(options.delivery_limit));
  }
  return Status::Ok();
}

std::string DeliveryLimitReason(int delivery_limit, std::string_view last_error) {
  std::string reason = "delivery limit of " + std::to_string(delivery_limit) +
                       " exceeded (the task keeps crashing or timing out its workers)";
  // The last retry's reason, if any, is usually the best clue to why.
  if (!last_error.empty()) reason += "; last error: " + std::string(last_error);
  return reason;
}

}  // namespace pixfleet
