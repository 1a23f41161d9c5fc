#include "wiring/backends.h"

#include <algorithm>

#include "queue/rabbitmq/amqp_url.h"
#include "queue/rabbitmq/management_api.h"
#include "queue/rabbitmq/rabbitmq_task_queue.h"
#include "queue/sqlite/sqlite_task_queue.h"
#include "results/postgres/postgres_result_store.h"
#include "results/sqlite/sqlite_result_store.h"
#include "storage/local/local_object_store.h"
#include "storage/local/stray_temp_files.h"
#include "storage/retrying_object_store.h"
#include "storage/s3/s3_object_store.h"
#include "wiring/test_fault_hooks.h"
#include "wiring/url.h"

namespace pixfleet {
namespace {

// The queue an amqp URL names with ?queue=, or RabbitMqOptions' default.
std::string QueueOrDefault(const std::optional<std::string>& named) {
  if (named.has_value()) return *named;
  const RabbitMqOptions defaults;
  return defaults.queue_name;
}

}  // namespace

Result<TaskQueueHandle> MakeTaskQueue(std::string_view url, const TaskQueueOptions& options,
                                      Clock& clock, int concurrency) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (parsed.scheme == "amqp" || parsed.scheme == "amqps") {
    RabbitMqOptions amqp_options;
    static_cast<TaskQueueOptions&>(amqp_options) = options;
    amqp_options.prefetch = std::max(1, concurrency);
    // queue=NAME is ours; the other query parameters (TLS options) are the connection's.
    auto [broker_url, queue_name] = amqp::TakeQueryParameter(url, "queue");
    if (queue_name.has_value()) amqp_options.queue_name = *queue_name;
    PIXFLEET_ASSIGN_OR_RETURN(auto queue, RabbitMqTaskQueue::Open(broker_url, amqp_options, clock));
    return TaskQueueHandle::Of(std::move(queue));
  }
  if (parsed.scheme == "sqlite") {
    SqliteTaskQueueOptions sqlite_options;
    static_cast<TaskQueueOptions&>(sqlite_options) = options;
    PIXFLEET_ASSIGN_OR_RETURN(auto queue,
                              SqliteTaskQueue::Open(parsed.rest, sqlite_options, clock));
    return TaskQueueHandle::Of(std::move(queue));
  }
  return InvalidArgument("unsupported queue URL '" + amqp::RedactUrl(url) +
                         "' (supported: sqlite:///path/queue.db, amqp[s]://host/vhost)");
}

Result<std::string> QueueName(std::string_view url) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (parsed.scheme == "amqp" || parsed.scheme == "amqps") {
    return QueueOrDefault(amqp::TakeQueryParameter(url, "queue").second);
  }
  return parsed.rest;
}

Result<std::optional<int64_t>> FleetInFlight(std::string_view url, std::string_view api_url,
                                             const QueueDepth& depth) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (parsed.scheme != "amqp" && parsed.scheme != "amqps") return std::optional(depth.leased);
  if (api_url.empty()) return std::optional<int64_t>();
  auto [broker_url, queue_name] = amqp::TakeQueryParameter(url, "queue");
  PIXFLEET_ASSIGN_OR_RETURN(const amqp::AmqpUrl broker, amqp::ParseAmqpUrl(broker_url));
  PIXFLEET_ASSIGN_OR_RETURN(const QueueCounts counts,
                            ManagementApiCounts(api_url, QueueOrDefault(queue_name), broker.vhost));
  return std::optional(counts.unacknowledged);
}

Result<std::unique_ptr<ResultStore>> MakeResultStore(std::string_view url, Clock& clock) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (parsed.scheme == "sqlite") {
    PIXFLEET_ASSIGN_OR_RETURN(auto store, SqliteResultStore::Open(parsed.rest, clock));
    return std::unique_ptr<ResultStore>(std::move(store));
  }
  if (parsed.scheme == "postgresql" || parsed.scheme == "postgres") {
    PIXFLEET_ASSIGN_OR_RETURN(auto store, PostgresResultStore::Open(url, PostgresOptions{}, clock));
    return std::unique_ptr<ResultStore>(std::move(store));
  }
  return InvalidArgument("unsupported result store URL '" + amqp::RedactUrl(url) +
                         "' (supported: sqlite:///path/results.db, postgresql://host/db)");
}

Result<std::unique_ptr<ObjectStore>> MakeObjectStore(std::string_view url, bool create,
                                                     Clock& clock, std::stop_token cancel) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (parsed.IsLocalPath()) {
    LocalObjectStoreOptions options;
    options.create_root = create;
    PIXFLEET_ASSIGN_OR_RETURN(auto store, LocalObjectStore::Open(parsed.rest, options));
    return WithTestFaultHooks(std::move(store), clock, std::move(cancel));
  }
  if (parsed.scheme == "s3") {
    PIXFLEET_ASSIGN_OR_RETURN(S3ObjectStoreOptions options, S3OptionsFromEnvironment());
    options.cancel = cancel;  // the grace period's end abandons transfers in flight too
    PIXFLEET_ASSIGN_OR_RETURN(auto store, S3ObjectStore::Open(url, options));
    // Throttling and 5xx are retried here, close to the call, with capped backoff and jitter.
    return WithTestFaultHooks(
        std::make_unique<RetryingObjectStore>(std::move(store), clock, RetryOptions{}, cancel),
        clock, cancel);
  }
  return InvalidArgument("unsupported object store URL '" + amqp::RedactUrl(url) +
                         "' (supported: file:///path or a plain path, s3://bucket/prefix)");
}

Result<int64_t> RemoveTempFilesOfDeadWriters(std::string_view url, const std::set<pid_t>& writers) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (!parsed.IsLocalPath()) return int64_t{0};
  return RemoveTempFilesOf(parsed.rest, writers);
}

Status MigrateResultStore(std::string_view url, Clock& clock) {
  PIXFLEET_ASSIGN_OR_RETURN(BackendUrl parsed, ParseBackendUrl(url));
  if (parsed.scheme == "postgresql" || parsed.scheme == "postgres") return MigratePostgres(url);
  return MakeResultStore(url, clock).status();
}

}  // namespace pixfleet
