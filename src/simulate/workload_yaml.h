// The workload file of `pixfleet simulate`, read strictly: unknown keys are refused, every error
// names the file and the field ("w.yaml: arrivals[0].batch.tasks: must be a whole number ≥ 0,
// got 'x'"), errors are kInvalidArgument. Durations are written with a unit: 500ms, 10s, 2m, 1h.
//
//   arrivals:                               # one or more, combined
//     - batch: {tasks: 100, at: 0s}         # at defaults to 0s
//     - steady: {rate: 2, for: 10m, start: 0s}      # rate in tasks per second
//     - bursts: {tasks: 50, every: 2m, count: 3, start: 0s}
//   duration:                               # exactly one of
//     fixed: 10s
//     uniform: {min: 1s, max: 5s}
//     lognormal: {median: 2s, p95: 8s}
//     results: {db: sqlite:///path/results.db, batch: BATCH_ID}   # process_ms of its succeeded
//     rows
//   worker: {startup: 10s, slots: 1, grace_period: 25s, db_connections: 1}   # all optional
//   pgbouncer: {pool_size: 20}               # optional
//   horizon: 6h                              # optional: stop simulating there
//   seed: 1                                  # optional; --seed overrides
// `results` is returned as an EmpiricalDuration with no samples and results_db/batch_id set: the
// caller reads the rows (this parser does no I/O).
#pragma once

#include <string_view>

#include "core/status.h"
#include "simulate/workload.h"

namespace pixfleet::simulate {

Result<Workload> ParseWorkloadYaml(std::string_view yaml_text, std::string_view source_name);

// "500ms", "10s", "1.5s", "2m", "1h" → milliseconds; kInvalidArgument otherwise (no unit, < 0).
Result<Millis> ParseDurationText(std::string_view text);

}  // namespace pixfleet::simulate
