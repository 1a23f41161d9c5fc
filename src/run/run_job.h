// `pixfleet run`: the whole job on one machine. Enumerates the source folder, creates (or
// resumes) the batch, publishes the tasks not finished by an earlier run into the embedded
// queue in OUT/.pixfleet/, runs worker processes until the queue is drained, shows progress and
// prints a summary. Exit codes: 0 every input succeeded; 1 some failed or are unfinished;
// 2 bad arguments or configuration; 130 interrupted (run again to resume).
#pragma once

#include <chrono>
#include <string>

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
  std::string worker_log_level = "error";              // failures are reported in the summary
};

int RunJob(const RunOptions& options);

}  // namespace pixfleet
