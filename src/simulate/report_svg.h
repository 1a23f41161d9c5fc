// The time series of a comparison as one hand-written SVG: small multiples, one panel per
// variant, on a shared time axis. Each panel draws the queue depth (ready + unacknowledged, left
// axis) and, on the right axis, the replicas the scaler asked for, the pods alive and the busy
// pods. Each series is a <polyline> with class "queue", "replicas", "pods" or "busy" and a
// data-variant attribute, so tests and tools can find them. A series is resampled to one value
// per horizontal pixel (the maximum within it), and a flat run is drawn by its two ends, so the
// file stays small for long runs. Pure.
#pragma once

#include <string>
#include <vector>

#include "simulate/model.h"

namespace pixfleet::simulate {

std::string SvgChart(const std::vector<SimResult>& results, const std::string& title);

}  // namespace pixfleet::simulate
