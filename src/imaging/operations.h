// The geometric recipe operations on decoded images: upright rotation, exact-size resize and
// gravity crop. Sizes come from resize_plan.h; these functions only execute them. They throw
// vips::VError on libvips failure; the engine converts that to a Status.
#pragma once

#include <vips/vips8>

#include "imaging/deadline.h"
#include "imaging/resize_plan.h"
#include "model/recipe.h"

namespace pixfleet {

// Rotates/flips `in` upright for EXIF `orientation` (1..8) and removes the orientation tag, so
// that no viewer rotates it a second time.
vips::VImage Upright(const vips::VImage& in, int orientation);

// Scales to exactly `target` (aspect is the caller's business) with a Lanczos-3 kernel. Images
// with alpha are premultiplied first so that transparent pixels do not bleed dark fringes.
vips::VImage ResizeExact(const vips::VImage& in, Size target);

// Cuts a `target` region (clipped to the image): the centre, or the most interesting region:
// attention (skin, saturation, detail) by attention.h for 8-bit grey and sRGB images, computed
// here under `deadline`, by libvips' smartcrop for others; entropy (the busiest) by smartcrop.
vips::VImage CropTo(const vips::VImage& in, Size target, Gravity gravity, const Deadline& deadline);

}  // namespace pixfleet
