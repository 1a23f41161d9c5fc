// Workload: what `pixfleet simulate` feeds the autoscaler — when tasks arrive, how long each one
// takes, and what a worker pod is like (start-up time, slots, grace period, database
// connections). Plain data; workload_yaml.h reads it from a file, tasks.h turns it into tasks.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pixfleet::simulate {

using Millis = std::chrono::milliseconds;

// `tasks` tasks at once, at `at`.
struct BatchArrival {
  int64_t tasks = 0;
  Millis at{0};
};

// `rate` tasks per second, evenly spaced, from `start` for `duration`.
struct SteadyArrival {
  double rate = 0;
  Millis start{0};
  Millis duration{0};
};

// `count` bursts of `tasks` tasks, the first at `start`, then one every `every`.
struct BurstArrival {
  int64_t tasks = 0;
  Millis start{0};
  Millis every{0};
  int64_t count = 0;
};

using Arrival = std::variant<BatchArrival, SteadyArrival, BurstArrival>;

struct FixedDuration {
  Millis value{0};
};
struct UniformDuration {
  Millis min{0};
  Millis max{0};
};
// Log-normal, given as its median and 95th percentile (the two figures people know).
struct LognormalDuration {
  Millis median{0};
  Millis p95{0};
};
// Measured: each task's duration is drawn from these, e.g. the process_ms of a finished batch's
// result rows. Filled by the caller (the command reads the rows) when `results` names a source.
struct EmpiricalDuration {
  std::vector<Millis> samples;
  std::string results_db;  // the result store URL the samples come from, if any
  std::string batch_id;
};

using DurationSpec =
    std::variant<FixedDuration, UniformDuration, LognormalDuration, EmpiricalDuration>;

struct PodSpec {
  Millis startup{10000};       // from pod creation to taking tasks
  int slots = 1;               // tasks at once (worker --concurrency; the broker prefetch)
  Millis grace_period{25000};  // worker --grace-period: in-flight work may finish within it
  int db_connections = 1;  // result-store connections a running worker holds (pgbouncer clients)
};

struct Workload {
  std::vector<Arrival> arrivals;
  DurationSpec duration = FixedDuration{Millis{1000}};
  PodSpec pod;
  int pgbouncer_pool_size = 20;  // server connections pgbouncer opens to PostgreSQL at most
  Millis horizon{std::chrono::hours(6)};
  std::optional<uint64_t> seed;
};

}  // namespace pixfleet::simulate
