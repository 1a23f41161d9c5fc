// ResizeSources: the decoded image of one ProcessImage call and the smaller copies of it that
// its outputs made on the way, so that a later output (or the analyses) resizes from the smallest
// adequate one instead of from the full decode: std3's square is cut from small's 512-px image,
// not from the 1600-px decode, and the mean colour and dHash read 512 px, not 1600. Every image
// held is in the decoded image's orientation and colour and computed in memory (libvips would
// otherwise recompute a lazy image for each reader: its operation cache is off). Not
// thread-safe: one ProcessImage call owns it.
#pragma once

#include <memory>
#include <vector>

#include <vips/vips8>

#include "imaging/resize_plan.h"

namespace pixfleet {

class ResizeSources {
 public:
  // `decoded` must be computed in memory (DecodeForPlan's result).
  explicit ResizeSources(vips::VImage decoded);

  const vips::VImage& Decoded() const { return images_.front(); }

  // The smallest image held that is at least `size` in both axes; the decoded image when none
  // is (a resize that enlarges starts from the most detail there is).
  const vips::VImage& Covering(Size size) const;

  // The smallest image held whose longer side is at least `long_side`, else the decoded image.
  const vips::VImage& WithLongSideAtLeast(int long_side) const;

  // Keeps `image`, a resize of an image held, computed in memory, for later callers.
  void Add(vips::VImage image);

  // A second chain for the decoded image converted to sRGB, so that outputs which convert
  // before they resize share one conversion (made by the first of them: StartSrgb, with the
  // converted decoded image computed in memory) instead of each converting its own pixels.
  // Null until started.
  ResizeSources* Srgb() { return srgb_.get(); }
  const ResizeSources* Srgb() const { return srgb_.get(); }
  ResizeSources& StartSrgb(vips::VImage converted);

 private:
  std::vector<vips::VImage> images_;  // the decoded image first
  std::unique_ptr<ResizeSources> srgb_;
};

}  // namespace pixfleet
