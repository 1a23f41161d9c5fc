// Tasks: the workload made concrete — every task's arrival time and duration, drawn once from a
// seed so that every variant of a comparison sees exactly the same tasks. Pure.
#pragma once

#include <cstdint>
#include <vector>

#include "simulate/workload.h"

namespace pixfleet::simulate {

struct SimTask {
  Millis arrival{0};
  Millis duration{0};
};

// Sorted by arrival (stable: equal arrivals keep the order of the workload's arrivals). Durations
// are at least 1 ms. An empty EmpiricalDuration gives 1 ms tasks (the caller refuses it first).
std::vector<SimTask> MakeTasks(const Workload& workload, uint64_t seed);

}  // namespace pixfleet::simulate
