// The order a submission publishes its tasks in: largest input first. Queues hand tasks out
// roughly in publication order, so with workers side by side the largest images (the slowest)
// would otherwise start wherever the key order puts them, and one started last runs alone at the
// end of the batch while the other workers idle. Started first, they overlap with the rest and the
// small ones fill the gaps (longest-processing-time-first scheduling). Only the order changes:
// the same tasks, each once, and each ledger entry stays beside its task. Ties keep their order.
// Pure.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "submit/unfinished_tasks.h"

namespace pixfleet {

// Reorders todo->to_publish (and todo->publications, index for index) by the size of each task's
// input in `input_bytes` (keyed by input key; an absent key counts as 0 bytes), largest first.
void OrderLargestFirst(const std::unordered_map<std::string, uint64_t>& input_bytes,
                       UnfinishedTasks* todo);

}  // namespace pixfleet
