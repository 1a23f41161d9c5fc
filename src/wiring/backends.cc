#include "wiring/backends.h"

#include "queue/sqlite/sqlite_task_queue.h"
#include "results/sqlite/sqlite_result_store.h"
#include "storage/local/local_object_store.h"
#include "wiring/url.h"

namespace pixfleet {

Result<std::unique_ptr<TaskQueue>> MakeTaskQueue(std::string_view url,
                                                 const TaskQueueOptions& options, Clock& clock) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (parsed.scheme == "sqlite") {
    SqliteTaskQueueOptions sqlite_options;
    static_cast<TaskQueueOptions&>(sqlite_options) = options;
    PIXFLEET_ASSIGN_OR_RETURN(auto queue,
                              SqliteTaskQueue::Open(parsed.rest, sqlite_options, clock));
    return std::unique_ptr<TaskQueue>(std::move(queue));
  }
  return InvalidArgument("unsupported queue URL '" + std::string(url) +
                         "' (supported: sqlite:///path/queue.db)");
}

Result<std::unique_ptr<ResultStore>> MakeResultStore(std::string_view url, Clock& clock) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (parsed.scheme == "sqlite") {
    PIXFLEET_ASSIGN_OR_RETURN(auto store, SqliteResultStore::Open(parsed.rest, clock));
    return std::unique_ptr<ResultStore>(std::move(store));
  }
  return InvalidArgument("unsupported result store URL '" + std::string(url) +
                         "' (supported: sqlite:///path/results.db)");
}

Result<std::unique_ptr<ObjectStore>> MakeObjectStore(std::string_view url, bool create) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (parsed.scheme == "file" || parsed.scheme.empty()) {
    LocalObjectStoreOptions options;
    options.create_root = create;
    PIXFLEET_ASSIGN_OR_RETURN(auto store, LocalObjectStore::Open(parsed.rest, options));
    return std::unique_ptr<ObjectStore>(std::move(store));
  }
  return InvalidArgument("unsupported object store URL '" + std::string(url) +
                         "' (supported: file:///path or a plain path)");
}

}  // namespace pixfleet
