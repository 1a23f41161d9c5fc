// The rule by which `pixfleet run` sizes its workers: the same ScaledObjectController that
// `pixfleet scale` runs for a cluster's ScaledObject (src/scaling), over a ScaledObject built
// here, so that one machine and a cluster follow one rule:
//   * metric: the embedded queue's ready + leased tasks, as the management API's ready +
//     unacknowledged (protocol http);
//   * value 1, activationValue 0: N deliverable tasks ask for ceil(N / 1) = N workers, capped at
//     maxReplicaCount = --workers. A worker takes one task at a time (its --concurrency slots
//     share one image's libvips work), so this is the rule run always had: min(workers, tasks);
//     a larger value would leave tasks waiting while allowed workers sit unused;
//   * minReplicaCount 0, pollingInterval 1 s, cooldownPeriod 0: the run ends when its batch is
//     done, nothing to keep warm;
//   * the HPA synced every second with a behavior that lets it reach the maximum at once (scale
//     up by --workers pods per second, no stabilisation either way), and the object created one
//     sync period before the run starts, so that KEDA's activation and the HPA's first sync both
//     fall at the start: the run starts all its workers at once, as before.
#pragma once

#include "scaling/scaled_object.h"

namespace pixfleet {

// The controller for a run of at most `max_workers` workers; its time 0 is the run's start.
ScaledObjectController RunWorkerScaling(int max_workers);

}  // namespace pixfleet
