// Image analyses as pure functions over pixel values, so they are testable without libvips: the
// engine shrinks the upright image to 9x8 and hands the samples to DifferenceHash, and hands
// per-band means to MeanColourFromBandMeans.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/status.h"

namespace pixfleet {

inline constexpr int kDhashWidth = 9;
inline constexpr int kDhashHeight = 8;

// ITU-R BT.601 luma of an 8-bit sRGB pixel, rounded, as PIL's convert("L") computes it.
uint8_t Luma601(uint8_t r, uint8_t g, uint8_t b);

// Standard 64-bit difference hash of a 9x8 image given as interleaved 8-bit samples with `bands`
// per pixel (1 or 2: grey[+alpha]; 3 or 4: sRGB[+alpha]; alpha is ignored). Per row, each bit is
// 1 when a pixel is brighter than its right neighbour; rows top to bottom, the first bit is the
// most significant. kInvalidArgument if the sample count is not 9 x 8 x bands.
Result<uint64_t> DifferenceHash(std::span<const uint8_t> samples, int bands);

// Mean sRGB colour (0..255 per channel) from the mean of each band of an 8-bit image with 1..4
// bands: grey repeats its value three times; alpha (band 2 of grey, band 4 of colour) is ignored.
// kInvalidArgument for other band counts.
Result<std::array<double, 3>> MeanColourFromBandMeans(std::span<const double> band_means);

}  // namespace pixfleet
