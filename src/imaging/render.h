// Rendering one recipe output from the shared decoded image (or a smaller copy of it that an
// earlier output made: ResizeSources): its operations in order, sized by the plan, then its
// encoder. kInternal when libvips fails on a decoded image (a bug or a libvips limit, not the
// input's fault); kResourceExhausted past the deadline.
#pragma once

#include <vips/vips8>

#include "core/status.h"
#include "imaging/deadline.h"
#include "imaging/engine.h"
#include "imaging/resize_plan.h"
#include "imaging/resize_sources.h"
#include "model/recipe.h"

namespace pixfleet {

// `output` is plan.outputs[i] for recipe output `spec`; `sources` holds DecodeForPlan's image.
// An output whose first resize follows only auto-rotate and srgb resizes first, from the
// smallest image in `sources` that covers it, and adds its resized image to `sources`.
Result<EncodedOutput> RenderOutput(ResizeSources& sources, const DecodePlan& plan,
                                   const OutputPlan& output, const OutputSpec& spec,
                                   const Deadline& deadline);

}  // namespace pixfleet
