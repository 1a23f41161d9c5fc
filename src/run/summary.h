// The end-of-run summary of `pixfleet run`: counts, failures grouped by reason, time and rate,
// then every failed input with its reason (input keys and messages through TerminalText: they
// come from the files). Pure formatting.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "model/result.h"

namespace pixfleet {

struct RunSummary {
  int64_t total = 0;               // inputs in the source
  int64_t skipped = 0;             // finished by an earlier run, not redone
  int64_t succeeded = 0;           // rows that say succeeded (earlier runs included)
  std::vector<TaskResult> failed;  // rows that say failed, by input key
  int64_t unfinished = 0;          // neither (interrupted, or still queued)
  std::chrono::milliseconds wall{0};
  std::chrono::milliseconds cpu{0};  // user + system of this process and its workers
  int64_t processed_now = 0;         // tasks finished by this run
  bool interrupted = false;
  bool stopped = false;  // stopped early: the environment refused, or a worker could not start
  size_t max_listed_failures = 200;
};

// Human label for a failure's code: "unreadable or unsupported image", "over a safety limit".
const char* FailureReasonLabel(StatusCode code);

std::string FormatSummary(const RunSummary& summary);

}  // namespace pixfleet
