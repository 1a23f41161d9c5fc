// The comparison as one JSON document, for scripts: {"tasks": N, "seed": S, "variants": [{"label",
// "kind", "protocol", "value", "drain_s" (null when not drained), "paid_s", "busy_s", "idle_s",
// "interrupted", "peak_pods", "peak_replicas", "pgbouncer_clients", "pgbouncer_servers"}...],
// "recommendation": {"value" (null when none), "rule", "why"}}. Pure: returns the text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "simulate/model.h"
#include "simulate/variants.h"

namespace pixfleet::simulate {

std::string JsonReport(const std::vector<Variant>& variants, const std::vector<SimResult>& results,
                       const Recommendation& recommendation, uint64_t seed);

}  // namespace pixfleet::simulate
