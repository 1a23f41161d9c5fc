// Rendering one recipe output from the shared decoded image: its operations in order, sized by
// the plan, then its encoder. kInternal when libvips fails on a decoded image (a bug or a libvips
// limit, not the input's fault); kResourceExhausted past the deadline.
#pragma once

#include <vips/vips8>

#include "core/status.h"
#include "imaging/deadline.h"
#include "imaging/engine.h"
#include "imaging/resize_plan.h"
#include "model/recipe.h"

namespace pixfleet {

// `output` is plan.outputs[i] for recipe output `spec`; `decoded` comes from DecodeForPlan.
Result<EncodedOutput> RenderOutput(const vips::VImage& decoded, const DecodePlan& plan,
                                   const OutputPlan& output, const OutputSpec& spec,
                                   const Deadline& deadline);

}  // namespace pixfleet
