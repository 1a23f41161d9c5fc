// The composition root: the only code that knows every backend. It turns URLs into ports:
//   queue:   sqlite:///path/queue.db
//   results: sqlite:///path/results.db
//   objects: file:///dir (or a bare path)
// Unknown schemes are kInvalidArgument with the list of supported ones.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "queue/task_queue.h"
#include "queue/task_queue_options.h"
#include "results/result_store.h"
#include "storage/object_store.h"

namespace pixfleet {

Result<std::unique_ptr<TaskQueue>> MakeTaskQueue(std::string_view url,
                                                 const TaskQueueOptions& options, Clock& clock);
Result<std::unique_ptr<ResultStore>> MakeResultStore(std::string_view url, Clock& clock);
// `create` makes the root folder of a local store if it does not exist (outputs); inputs must
// exist.
Result<std::unique_ptr<ObjectStore>> MakeObjectStore(std::string_view url, bool create);

}  // namespace pixfleet
