// The preparation of a `pixfleet run` (run_job.h), before any worker starts:
//   PlanJob       checks the job before anything is touched: the recipe parses, the source is a
//                 folder, the output folder is not the source; it names the batch.
//   OpenRunState  takes the output folder's locks (state_lock.h), waiting for the workers of an
//                 earlier run to be gone, then opens the state in OUT/.pixfleet: the batch's queue
//                 (queues of other batches are removed: their tasks must not run into this folder
//                 any more), the result store, and the source.
//   SubmitUnfinished  creates or resumes the batch, publishes what no earlier run finished, and
//                 hands back the leases of an earlier run's workers (the locks prove them dead).
// Errors say what the caller may do: kInvalidArgument for a bad job, kAborted for a folder in use,
// kFailedPrecondition for an environment that refuses (full disk, read-only folder).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "model/recipe.h"
#include "queue/lease_releaser.h"
#include "queue/task_queue.h"
#include "queue/task_queue_handle.h"
#include "results/result_store.h"
#include "run/run_job.h"
#include "run/state_lock.h"
#include "storage/object_store.h"
#include "submit/batch_submission.h"
#include "wiring/worker_assembly.h"

namespace pixfleet {

struct JobPlan {
  std::string recipe_text;
  Recipe recipe;
  std::filesystem::path source;  // canonical
  std::filesystem::path out;     // canonical, created
  std::string source_url;
  std::string output_url;
  std::string batch_id;
  std::filesystem::path StateDir() const { return out / ".pixfleet"; }
};

Result<JobPlan> PlanJob(const RunOptions& options);

struct RunState {
  StateLock lock;
  WorkerSettings workers;  // what every worker of this run is started with
  TaskQueueHandle queue;
  // The queue as a LeaseReleaser: the embedded queue's leases are records the run can hand back.
  LeaseReleaser* releaser = nullptr;
  std::unique_ptr<ResultStore> results;
  std::unique_ptr<ObjectStore> inputs;
};

// `earlier_workers_patience` bounds the wait for the workers of an earlier run to exit.
Result<RunState> OpenRunState(const JobPlan& plan, const RunOptions& options, Clock& clock,
                              std::chrono::milliseconds earlier_workers_patience);

Result<SubmitReport> SubmitUnfinished(const JobPlan& plan, const RunOptions& options,
                                      RunState& state, Clock& clock);

}  // namespace pixfleet
