// Where a crop keeps what draws the eye (`gravity: attention`): pure computation over 8-bit
// pixels, no libvips.
//
// Why not libvips' smartcrop: in libvips 8.14 its attention pass builds some twenty operations
// (colour conversions, a convolution, a blur) and runs them through the thread pool for a
// 32x32 map, ~15 ms per crop whatever the image's size: a tenth of std3's CPU per photo. This
// reads the pixels once, a fraction of a millisecond for the 384x256 image `square` is cut from.
//
// What counts as interesting is what libvips' attention and smartcrop.js look for: detail, skin
// tones and saturated colour. The image is divided into cells, at most kAttentionCells along its
// longer side. Each cell scores
//   detail  the mean luma gradient (|dx| + |dy|) of its pixels, full at kDetailFull levels;
//           sharp subjects against soft backgrounds stand out, flat sky does not;
//   skin    how close the chromaticity of the cell's mean colour is to skin tones (any
//           complexion: they differ in brightness far more than in chromaticity), weight 2;
//   colour  the chroma of the cell's mean colour above a grey-ish floor, weight 1/2;
// times the cell's mean opacity where there is alpha. The crop is the window holding the most
// score, the score spread evenly over each cell's pixels; among windows as good as the best (to
// within kTolerance, i.e. rounding), the one nearest the centre, so that a flat image, or one whose
// interest fits in windows of several places, keeps its centre as `centre` would.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "imaging/pixel_rows.h"
#include "imaging/resize_plan.h"

namespace pixfleet {

inline constexpr int kAttentionCells = 64;
inline constexpr double kDetailFull = 40.0;
inline constexpr double kTolerance = 1e-9;

// The score of each cell (attention.h's header), cells of `cell` x `cell` pixels, the last
// column and row cut short by the image's edge. Exposed for tests.
struct AttentionMap {
  int cell = 1;
  int columns = 0;
  int rows = 0;
  std::vector<double> score;  // columns * rows, row by row

  double At(int column, int row) const {
    return score[static_cast<size_t>(row) * static_cast<size_t>(columns) +
                 static_cast<size_t>(column)];
  }
};

// Requires image.width, image.height >= 1 and 1 <= image.bands <= 4.
AttentionMap MakeAttentionMap(const PixelRows& image);

struct CropOrigin {
  int x = 0;
  int y = 0;
  friend bool operator==(const CropOrigin&, const CropOrigin&) = default;
};

// The top-left corner of the `crop`-sized window to keep. Requires what MakeAttentionMap does,
// and 1 <= crop.width <= image.width, 1 <= crop.height <= image.height.
CropOrigin AttentionCropOrigin(const PixelRows& image, Size crop);

}  // namespace pixfleet
