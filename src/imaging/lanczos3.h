// Lanczos3Reducer: a Lanczos-3 reduce of 8-bit interleaved pixels (1 to 4 bands), streamed: input
// rows go in top to bottom, output rows come out top to bottom, and only a window of input rows
// a few kernel heights tall is held (as the bytes they came as). Pure computation, no libvips.
//
// Why not libvips' reduce: in libvips 8.14 (Debian 12) reduceh is scalar C and the pair costs
// ~65 ms per photo into a 1600-px box, a fifth of std3's CPU; its SIMD versions arrive with 8.15.
// No other packaged library resizes (Pillow's resampler is Python's). This one is separable and
// vectorised: the vertical pass accumulates 8 samples per fused multiply-add across the row (4
// per multiply and add without AVX2 and FMA), the horizontal pass two pixels (up to 4 bands
// each) per fused multiply-add (one pixel per multiply and add without).
//
// Kernel and geometry are those of the usual Lanczos-3 downscale (Pillow, libvips): output pixel
// o is centred on input coordinate (o + 0.5) * scale, the kernel is stretched by the scale, taps
// outside the image are dropped and the rest renormalised. Results are rounded to nearest and
// clamped to 0..255.
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

// Which code the reducer runs: the fastest the processor has (AVX2 and FMA where present), or
// the baseline every processor runs (for tests of that code on processors with AVX2).
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

  Size in_;
  Size out_;
  int bands_;
  bool avx2_;  // the AVX2 and FMA passes
  Lanczos3Taps rows_;
  Lanczos3Taps columns_;
  size_t row_bytes_;                      // in.width * bands, padded for whole vectors
  int ring_rows_;                         // the window of input rows held
  std::vector<uint8_t> ring_;             // ring_rows_ input rows of row_bytes_, as they came
  std::vector<float> vertical_;           // one row after the vertical pass (+ padding)
  std::vector<const uint8_t*> tap_rows_;  // the input rows of the output row being made
  // For the AVX2 horizontal pass, which makes two output pixels at once: per pair of pixels and
  // tap, the two pixels' weights four times each. Empty without AVX2 and FMA.
  std::vector<float> pair_weights_;
  int next_row_ = 0;
};

}  // namespace pixfleet
