// Resize planning: pure arithmetic that turns a recipe and an image's header dimensions into the
// exact size of every step of every output and the smallest decode size that still serves them
// all. No libvips here; the engine executes the plan. Sizes are whole pixels, never below 1x1.
#pragma once

#include <vector>

#include "core/status.h"
#include "model/recipe.h"

namespace pixfleet {

struct Size {
  int width = 0;
  int height = 0;
  friend bool operator==(const Size&, const Size&) = default;
};

// True for EXIF orientations 5..8, whose upright image has width and height swapped.
bool OrientationSwapsAxes(int orientation);

// The size of the upright image: `stored` with its axes swapped for orientations 5..8.
Size UprightSize(Size stored, int orientation);

// Geometry of one ResizeOp applied to an image of size `in`: first scale to `scaled` (aspect kept
// except for kFill), then, for kCover, cut `cropped` out of it (cropped == scaled otherwise).
struct ResizeGeometry {
  Size scaled;
  Size cropped;
};
ResizeGeometry PlanResize(Size in, const ResizeOp& op);

// Size of a CropOp applied to an image of size `in`: the region, clipped to the image.
Size PlanCrop(Size in, const CropOp& op);

// One planned operation: the size of the image after it, computed as if the whole chain ran on
// the full-resolution stored image. For ResizeOp, `resize` holds both stages.
struct PlannedStep {
  Size after;
  ResizeGeometry resize;  // only for ResizeOp
};

struct OutputPlan {
  std::vector<PlannedStep> steps;  // one per operation, in order
  Size final_size;
  // Decode scale (relative to the stored image) this output needs to come out exact: the scale of
  // its first ResizeOp (pixels before it are source pixels), or 1 when it has none.
  double required_scale = 1.0;
};

struct DecodePlan {
  Size stored;  // header size, as stored (before orientation)
  int orientation = 1;
  double scale = 1;  // chosen decode scale, <= 1: the largest any output (or analysis) needs
  Size decode_box;   // box for shrink-on-load, stored orientation: the decoded image fits in it.
                     // `scale` x stored in each axis, rounded up, except one pixel less where
                     // that pixel is more than any output (its first resize, in stored
                     // orientation) or analysis needs: every one finds its size in the box
  std::vector<OutputPlan> outputs;  // in recipe order
};

// Decodes never shrink below this many pixels on the longer side for the analyses, so that mean
// colour and dHash see a faithful image even when every output is tiny.
inline constexpr int kMinAnalysisDecodeSide = 256;

// Plans `recipe` on an image whose header says `stored` and `orientation` (1..8; other values
// are treated as 1). kInvalidArgument when an operation has a non-positive size.
Result<DecodePlan> PlanDecode(Size stored, int orientation, const Recipe& recipe);

// The JPEG loader's shrink-on-load for a decode into `box`: the largest of 8, 4, 2 and 1 whose
// DCT-scaled image still covers `box`, so that a resize down to the box finishes the job. The
// sides are divided and rounded down, as libvips 8.14's jpegload reports them (7x5 at shrink 2
// is 3x2; libjpeg's extra column and row are dropped), never to 0. (libvips' thumbnail keeps a
// factor of two more in hand, decoding a 6000-px photo at full size for a 1600-px box; the DCT
// scaling itself is a band-limiting filter, so stopping at the box loses no measurable quality: see
// bench/engine.sh.)
int JpegShrinkOnLoad(Size stored, Size box);

}  // namespace pixfleet
