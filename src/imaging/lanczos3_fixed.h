// The Lanczos-3 reduce's passes in 16-bit fixed point, for processors with AVX2: what
// Lanczos3Reducer runs on every x86-64 since 2013-2015 (chosen at run time, so that one binary
// runs on any x86-64; the float passes in lanczos3.cc run elsewhere and are tested beside these).
//
// Why fixed point: vpmaddwd multiplies sixteen 16-bit pairs and adds each pair in one
// instruction, so a tap pair of 8 samples costs what one tap of 8 floats costs with FMA, and the
// bytes need widening to 16 bits only, not converting to floats. Both passes take about half the
// instructions of the float ones.
//
// Why band planes: the rows are split by band as they come (SplitBands), so that a pixel's taps
// of one band lie side by side. The horizontal pass then weighs 16 taps of a band with one load
// and one vpmaddwd, and adds up eight pixels' products at once; interleaved, each step had to
// gather and shuffle two taps of two pixels into place. The vertical pass does not care: it
// weighs every sample of a row alike.
//
// Precision: weights are integers scaled by 2^shift with the largest at most 2^14 (15 significant
// bits) and each output's weights summing to exactly 2^shift, so a uniform area stays exactly
// uniform and a same-size axis is the identity. Between the passes a sample is a 16-bit integer
// with kFractionBits bits below the unit (1/64 of a level). Against the float passes an output
// differs by a few hundredths of a level before rounding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "imaging/lanczos3.h"

namespace pixfleet::lanczos3_fixed {

// Bits below the unit in the row between the passes: 255 * 64 plus the kernel's overshoot
// (at most about a third of the range) stays inside int16.
constexpr int kFractionBits = 6;

// Whether this processor has AVX2; asked once.
bool Available();

// The largest shift for weights with these largest absolute value and absolute sum, applied to
// inputs up to `largest_input` in magnitude: the largest weight at most 2^14 and every 32-bit sum
// of products far from overflow.
int ShiftFor(double largest_weight, double absolute_sum, double largest_input);

// `count` weights as integers scaled by 2^shift, rounded, the rounding error put on the largest
// so that they sum to exactly 2^shift (when the floats sum to 1).
void Quantize(const float* weights, size_t count, int shift, int16_t* fixed);

// One row between the passes (n samples, n a multiple of 32, as 16-bit integers with
// kFractionBits below the unit): the sum of `count` (even) input rows of bytes, weighed by
// `weights` scaled by 2^shift.
void VerticalPass(const uint8_t* const* rows, const int16_t* weights, size_t count, size_t n,
                  int shift, int16_t* out);

// The horizontal pass reads each output pixel's taps in chunks of 16 samples (one 256-bit load
// per chunk and band), as many chunks as the widest pixel needs.
constexpr size_t kChunk = 16;
size_t ChunksFor(const Lanczos3Taps& columns);

// The weights HorizontalPass reads for `columns`, scaled by 2^shift: per output pixel,
// chunks * kChunk of them, its own taps' and then zeros.
std::vector<int16_t> PixelWeights(const Lanczos3Taps& columns, int width, int shift, size_t chunks);

// A row of `width` pixels of `bands` interleaved bytes as `bands` planes of `plane_stride`
// bytes: band b of pixel x goes to planes[b * plane_stride + x]; the bytes past `width` in each
// plane are left alone.
void SplitBands(const uint8_t* pixels, size_t width, size_t bands, size_t plane_stride,
                uint8_t* planes);

// One output row of `width` pixels of `bands` interleaved bytes from a row made by VerticalPass
// over band planes (as SplitBands lays them out, each `plane_stride` samples), with the weights
// of PixelWeights: pixel x's band b is the sum over k < chunks * kChunk of
// weights[x * chunks * kChunk + k] * planes[b * plane_stride + first[x] + k]. Every such sample
// must be readable (the ones past a pixel's taps are weighed 0).
void HorizontalPass(const int16_t* planes, size_t plane_stride, const int* first,
                    const int16_t* weights, size_t chunks, size_t width, size_t bands, int shift,
                    uint8_t* pixels);

}  // namespace pixfleet::lanczos3_fixed
