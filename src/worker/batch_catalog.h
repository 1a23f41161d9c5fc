// BatchCatalog: resolves a batch id to what a worker needs to run its tasks: the parsed recipe and
// the batch's input and output stores, built once per batch and cached for the life of the
// process (batches are immutable once created). When it first meets a batch it probes whether
// the output accepts writes (ObjectStore::CheckWritable), so that a missing bucket, refused keys
// or a full or read-only disk are found before any image is decoded, and never blamed on one.
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "model/recipe.h"
#include "model/task.h"
#include "results/result_store.h"
#include "storage/object_store.h"

namespace pixfleet {

// Builds an object store for a URL such as "file:///photos"; provided by the composition root.
using ObjectStoreFactory =
    std::function<Result<std::unique_ptr<ObjectStore>>(std::string_view url)>;

struct BatchContext {
  Batch batch;
  Recipe recipe;
  std::unique_ptr<ObjectStore> inputs;
  std::unique_ptr<ObjectStore> outputs;
};

class BatchCatalog {
 public:
  // `results` and the factory's stores must outlive the catalog.
  BatchCatalog(ResultStore& results, ObjectStoreFactory make_store)
      : results_(results), make_store_(std::move(make_store)) {}

  // The batch's context. kNotFound if the batch does not exist (a task published without its
  // batch: permanent); kInvalidArgument if its recipe does not parse; store errors as returned
  // by the factory. kFailedPrecondition when the batch's output refuses writes (the probe says
  // so, or the factory cannot even open it): the environment's fault, not the task's, so the
  // caller hands the task back and stops. That verdict is remembered: later calls for the batch
  // return it without touching the store again. Transient errors (an unreachable store) are
  // not remembered, so a later call tries again.
  Result<std::shared_ptr<const BatchContext>> Get(std::string_view batch_id);

 private:
  // Builds the context and probes its output. Called without the lock.
  Result<std::shared_ptr<const BatchContext>> Build(std::string_view batch_id);

  ResultStore& results_;
  ObjectStoreFactory make_store_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const BatchContext>, std::less<>> cache_;
  std::map<std::string, Status, std::less<>> refused_;  // kFailedPrecondition verdicts
};

}  // namespace pixfleet
