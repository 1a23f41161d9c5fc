// RunWorkers: the part of `pixfleet run` that runs worker processes until the batch's queue is
// drained, the user interrupts, or the run must stop. It starts as many workers as the
// ScaledObject rule of run/worker_scaling.h decides from the queue's depth (min(tasks, workers),
// at once; one more when one dies while work remains, within a budget), hands a dead worker's
// task back at once, relays what the workers write on stderr (each distinct line once, between
// progress updates), and shows progress. It stops every worker (SIGTERM: the images in progress
// finish or go back to the queue), and kills those still running after `drain_limit`, when
//   * a worker exits 3: the environment refused (a full disk, a read-only output); its last line
//     is the reason;
//   * a worker exits with another status: it could not start (its last line says why);
//   * the run's own reads or writes of its state fail with kFailedPrecondition, or fail for
//     longer than `state_patience`.
// Never a loop that waits for what cannot come: when no worker runs and none can be started,
// it returns. Ctrl-C (SIGINT) or SIGTERM: the workers finish their images; a second one kills
// them at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include <sys/types.h>

#include "core/clock.h"
#include "core/status.h"
#include "queue/lease_releaser.h"
#include "queue/task_queue.h"
#include "results/result_store.h"
#include "run/worker_supervisor.h"

namespace pixfleet {

struct FleetOptions {
  int workers = 1;    // at most this many at once
  int64_t total = 0;  // inputs of the batch, for progress
  std::string batch_id;
  std::chrono::milliseconds progress_interval{5'000};  // plain progress lines (not a terminal)
  std::chrono::milliseconds drain_limit{150'000};      // after a stop, before workers are killed
  std::chrono::milliseconds state_patience{30'000};
};

struct FleetOutcome {
  bool interrupted = false;
  int restarts = 0;
  bool gave_up = false;  // workers kept dying
  // The workers a signal ended (a crash, a kill, or the run's own after its drain limit): one
  // may have died writing an output, which leaves a temp file beside it.
  std::set<pid_t> killed_workers;
  // Why the run stopped early: kFailedPrecondition when the environment refused (a worker's
  // exit 3, or the run's own state), kInvalidArgument when a worker could not start; other codes
  // when the run's own state kept failing. OK otherwise.
  Status stop_reason;
};

// Installs the SIGINT/SIGTERM handlers the loop reads; call once before RunWorkers.
void InstallInterruptHandlers();

// `releaser` is `queue` seen as a LeaseReleaser: the leases of a worker seen dead go back at once.
FleetOutcome RunWorkers(const FleetOptions& options, WorkerSupervisor& supervisor, TaskQueue& queue,
                        LeaseReleaser& releaser, ResultStore& results, Clock& clock);

}  // namespace pixfleet
