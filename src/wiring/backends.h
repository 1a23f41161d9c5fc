// The composition root: the only code that knows every backend. It turns URLs into ports:
//   queue:   sqlite:///path/queue.db | amqp[s]://user:pass@host:port/vhost[?queue=NAME][&TLS]
//            (TLS options: queue/rabbitmq/amqp_url.h)
//   results: sqlite:///path/results.db | postgresql://user:pass@host:port/db[?sslmode=...]
//   objects: file:///dir (or a bare path) | s3://bucket/prefix (endpoint, region and keys from
//            the standard AWS environment variables or ~/.aws/credentials)
// A queue comes as a TaskQueueHandle: the port plus the capabilities its backend has beyond it
// (queue/task_queue_handle.h), for the callers that need one. Remote object stores are wrapped
// in the retrying decorator; every object store in the test-only
// fault hooks of test_fault_hooks.h (nothing unless PIXFLEET_FAULT_* is set). Unknown schemes are
// kInvalidArgument with the list of supported ones.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "core/clock.h"
#include "core/status.h"
#include "queue/task_queue.h"
#include "queue/task_queue_handle.h"
#include "queue/task_queue_options.h"
#include "results/result_store.h"
#include "storage/object_store.h"

namespace pixfleet {

// `concurrency` is how many tasks the caller processes at once (a broker's prefetch).
// SQLite queues have every capability, RabbitMQ queues none.
Result<TaskQueueHandle> MakeTaskQueue(std::string_view url, const TaskQueueOptions& options,
                                      Clock& clock, int concurrency = 1);

// The name of the queue at `url`, for people: RabbitMQ's queue name, a SQLite queue's path.
Result<std::string> QueueName(std::string_view url);

// Tasks in flight across the whole fleet on the queue at `url`, when that can be known;
// `depth` was read through a TaskQueue made from `url`. A SQLite queue's leases live in its
// database (depth.leased is fleet-wide). For RabbitMQ a passive declare cannot see other
// consumers' unacked deliveries: the count comes from the management API at `api_url`
// (messages_unacknowledged), or is unknown (nullopt) without one.
Result<std::optional<int64_t>> FleetInFlight(std::string_view url, std::string_view api_url,
                                             const QueueDepth& depth);

Result<std::unique_ptr<ResultStore>> MakeResultStore(std::string_view url, Clock& clock);
// `create` makes the root folder of a local store if it does not exist (outputs); inputs must
// exist. `clock` times the retrying decorator's backoff; a request on `cancel` ends its waits
// (the call is then kCancelled), for a worker whose grace period ran out.
Result<std::unique_ptr<ObjectStore>> MakeObjectStore(std::string_view url, bool create,
                                                     Clock& clock, std::stop_token cancel = {});

// Removes the temp files that `writers`, processes now dead, left in the object store at `url`
// by dying in the middle of a Put, and returns how many (storage/local/stray_temp_files.h: the
// caller must know no live process has one of those pids and writes there). Only a local folder
// has such files (an S3 object is written whole or not at all): 0 for every other store.
Result<int64_t> RemoveTempFilesOfDeadWriters(std::string_view url, const std::set<pid_t>& writers);

// Creates or upgrades the result store's schema (`pixfleet db migrate`). SQLite stores create
// theirs when opened, so for them this only opens the store.
Status MigrateResultStore(std::string_view url, Clock& clock);

}  // namespace pixfleet
