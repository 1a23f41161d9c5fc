// Lanczos3Reducer: a Lanczos-3 reduce of 8-bit interleaved pixels (1 to 4 bands), streamed: input
// rows go in top to bottom, output rows come out top to bottom, and only a window of input rows
// a few kernel heights tall is held (as bytes: as they came, or split into band planes for the
// fixed-point passes). Pure computation, no libvips.
//
// Why not libvips' reduce: in libvips 8.14 (Debian 12) reduceh is scalar C and the pair costs
// ~65 ms per photo into a 1600-px box, a fifth of std3's CPU; its SIMD versions arrive with 8.15.
// No other packaged library resizes (Pillow's resampler is Python's). This one is separable
// (vertical pass, then horizontal) and vectorised: with AVX2 both passes in 16-bit fixed point
// (lanczos3_fixed.h: the vertical pass two rows' taps of 8 samples per instruction, the
// horizontal 16 taps of one pixel's band), elsewhere in floats (4 samples per multiply and add).
//
// Kernel and geometry are those of the usual Lanczos-3 downscale (Pillow, libvips): output pixel
// o is centred on input coordinate (o + 0.5) * scale, the kernel is stretched by the scale, taps
// outside the image are dropped and the rest renormalised. Results are rounded to nearest and
// clamped to 0..255; the fixed-point passes' come within a few hundredths of a level of the
// float ones' before rounding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "imaging/resize_plan.h"

namespace pixfleet {

// The taps of one axis: output pixel o reads `count[o]` inputs from `first[o]` with weights
// weights[o * stride ...]. Exposed for tests.
struct Lanczos3Taps {
  std::vector<int> first;
  std::vector<int> count;
  std::vector<float> weights;
  int stride = 0;  // the most taps any output pixel has
};

// Requires 1 <= out <= in.
Lanczos3Taps MakeLanczos3Taps(int in, int out);

// Which code the reducer runs: the fastest the processor has (the fixed-point AVX2 passes where
// present), or the float passes every processor runs (for tests of that code on processors with
// AVX2).
enum class Lanczos3Code { kFastest, kBaseline };

class Lanczos3Reducer {
 public:
  // Requires 1 <= out.width <= in.width, 1 <= out.height <= in.height, 1 <= bands <= 4.
  Lanczos3Reducer(Size in, Size out, int bands, Lanczos3Code code = Lanczos3Code::kFastest);

  // The input rows output row `out_row` reads: [FirstInputRow, EndInputRow).
  int FirstInputRow(int out_row) const { return rows_.first[static_cast<size_t>(out_row)]; }
  int EndInputRow(int out_row) const {
    const auto o = static_cast<size_t>(out_row);
    return rows_.first[o] + rows_.count[o];
  }

  // How many input rows past EndInputRow(o) - 1 may be added before OutputRow(o) is called
  // without pushing out a row it still needs.
  static constexpr int kLookahead = 32;

  // Adds input row `y` (in.width * bands bytes). Rows must come in order, from 0.
  void AddInputRow(int y, const uint8_t* pixels);

  // Writes output row `out_row` (out.width * bands bytes). Requires the rows it reads to have
  // been added and no more than kLookahead past them.
  void OutputRow(int out_row, uint8_t* pixels);

 private:
  const uint8_t* Ring(int y) const;  // the slot of input row y in ring_
  void MakeFixedPointWeights();

  Size in_;
  Size out_;
  int bands_;
  bool fixed_point_;  // the AVX2 passes of lanczos3_fixed.h, not the float ones
  Lanczos3Taps rows_;
  Lanczos3Taps columns_;
  size_t chunks_;        // the fixed-point horizontal pass's chunks of taps per pixel
  size_t plane_stride_;  // the fixed-point passes: samples per band plane of a row
  // A row's bytes: in.width * bands, padded for whole vectors (the float passes), or bands
  // planes of plane_stride_ (the fixed-point ones).
  size_t row_bytes_;
  int ring_rows_;                         // the window of input rows held
  std::vector<uint8_t> ring_;             // ring_rows_ input rows of row_bytes_
  std::vector<const uint8_t*> tap_rows_;  // the input rows of the output row being made
  // The row between the passes (+ padding): floats, or 16-bit fixed point.
  std::vector<float> vertical_;
  std::vector<int16_t> fixed_vertical_;
  // The fixed-point passes' weights (empty for the float ones): per output row, its weights
  // (rows_.stride of them) and their shift; the columns' as lanczos3_fixed::PixelWeights lays
  // them out, and their one shift.
  std::vector<int16_t> fixed_row_weights_;
  std::vector<int> fixed_row_shifts_;
  std::vector<int16_t> fixed_pixel_weights_;
  int fixed_column_shift_ = 0;
  int next_row_ = 0;
};

}  // namespace pixfleet
