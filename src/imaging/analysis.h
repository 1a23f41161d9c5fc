// Image analyses as pure functions over pixel values, so they are testable without libvips. For
// 8-bit grey and sRGB images the engine hands the pixels to BandMeans and DifferenceHashOfPixels;
// for others (CMYK, 16 bits) libvips converts and shrinks the image to 9x8 and the engine hands
// the samples to DifferenceHash, and per-band means to MeanColourFromBandMeans.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "imaging/pixel_rows.h"
#include "imaging/resize_plan.h"

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

// The mean of each band of `pixels` (alpha too: MeanColourFromBandMeans leaves it out).
std::vector<double> BandMeans(const PixelRows& pixels);

// Where upright pixel (x, y) lies in an image stored as `stored` with EXIF `orientation` (1..8;
// other values: as 1).
struct Position {
  int x = 0;
  int y = 0;
  friend bool operator==(const Position&, const Position&) = default;
};
Position StoredPosition(int x, int y, Size stored, int orientation);

// DifferenceHash of `pixels` (stored with EXIF `orientation`) made upright and reduced to 9x8:
// averaged in whole blocks to within 4 to 8 times the 9x8 (8x9 for orientations 5..8), then
// Lanczos-3 (lanczos3.h); only the 72 samples are turned upright. kInvalidArgument for an image
// smaller than that or of other than 1 to 4 bands.
Result<uint64_t> DifferenceHashOfPixels(const PixelRows& pixels, int orientation);

}  // namespace pixfleet
