// Image similarity for tests and benchmarks: the structural similarity index (SSIM) of an encoded
// output against a full-quality reference made from the original, so that a faster engine is
// never bought with visible loss. Uses libvips; throws vips::VError on images it cannot read.
#pragma once

#include <vips/vips8>

namespace pixfleet {

// SSIM of the luma of `candidate` against that of `reference` (same size): an 11x11 Gaussian
// window of sigma 1.5 and the usual constants (K1 0.01, K2 0.03, L 255). 1 means identical;
// below ~0.9 the difference is plain to see. Alpha is flattened on black first.
double LumaSsim(const vips::VImage& reference, const vips::VImage& candidate);

// The best rendering of `original` at `width` x `height`: decoded at full size, turned upright by
// its orientation tag, converted to sRGB, resized with Lanczos-3, never lossily encoded.
vips::VImage FullQualityReference(const vips::VImage& original, int width, int height);

}  // namespace pixfleet
