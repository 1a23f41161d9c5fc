// MatrixShaperToSrgb: the ICC conversion (relative colorimetric, no black point compensation) of
// 8-bit RGB pixels described by a matrix-shaper profile (Display P3, Adobe RGB, ProPhoto and
// most cameras' and phones' profiles) to 8-bit sRGB. Pure computation over bytes; lcms2 only
// parses the profile.
//
// Why not libvips' icc_transform: it goes through a float Lab or XYZ connection space with two
// lcms transforms built per call: ~11 ms to build and ~15 ms per megapixel, so a phone photo's
// 1600-px image took 30 ms more than an untagged one. For two matrix-shaper profiles the
// conversion is exactly a per-channel curve, a 3x3 matrix and the inverse curve (what lcms does
// itself when it optimises such a pair): here a 256-entry table per input channel, the matrix
// in floats, and a table of the sRGB curve at 16-bit resolution, the three output channels computed
// side by side: ~4 ns per pixel on a photo, no set-up.
//
// Only for profiles whose conversion lcms would make through the matrix and curves: an RGB
// profile with rXYZ/gXYZ/bXYZ and rTRC/gTRC/bTRC and no lookup table for the relative intent
// (an A2B table takes precedence); anything else is for the caller's general path. Colours
// outside sRGB's gamut are clipped per channel, as lcms clips them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace pixfleet {

class MatrixShaperToSrgb {
 public:
  // nullopt when `profile` is not such a profile (or not a profile at all).
  static std::optional<MatrixShaperToSrgb> FromProfile(std::span<const uint8_t> profile);

  // `pixels` RGB pixels (3 bytes each) from `in` to `out`; they may be the same buffer.
  void Convert(const uint8_t* in, uint8_t* out, size_t pixels) const;

 private:
  MatrixShaperToSrgb() = default;

  std::array<std::array<float, 256>, 3> linear_{};  // each channel's curve, 0..1
  std::array<float, 9> matrix_{};                   // linear source RGB to linear sRGB, row-major
};

}  // namespace pixfleet
