// `pixfleet run`: the whole job on one machine. Checks the job, takes the output folder's locks,
// creates (or resumes) the batch, publishes the tasks not finished by an earlier run into the
// embedded queue in OUT/.pixfleet/, runs worker processes until the queue is drained, shows
// progress and prints a summary. Exit codes: 0 every input succeeded; 1 some failed or are
// unfinished; 2 bad arguments or configuration, the folder in use by another run, or a run that
// cannot go on for another reason (a worker that cannot start); 3 stopped because the
// environment refused (a full disk, a read-only output): nothing was lost or failed for it, and
// running the same command again once it is fixed finishes the job; 130 interrupted (run again
// to resume).
#pragma once

#include <chrono>
#include <string>

#include "core/clock.h"
#include "imaging/engine.h"

namespace pixfleet {

struct RunOptions {
  std::string source_dir;
  std::string recipe_path;
  std::string out_dir;
  int workers = 0;  // 0: one per core
  EngineLimits limits;
  bool allow_untrusted_loaders = false;
  bool retry_failed = false;  // also redo inputs that failed in an earlier run
  int max_attempts = 5;
  std::chrono::milliseconds lease_duration{30'000};
  std::chrono::milliseconds progress_interval{5'000};  // plain progress lines (not a terminal)
  std::string self_executable;                         // path of this binary, to start workers
  // Workers' log lines at this level or above are relayed on the run's stderr; failures are
  // reported in the summary.
  std::string worker_log_level = "error";
};

int RunJob(const RunOptions& options, Clock& clock);

}  // namespace pixfleet
