// The float passes, which run where the processor lacks AVX2 (lanczos3_fixed.h has the ones that
// run where it has it), are written with GCC vector types (vector_size), which compile to SSE on
// x86-64 and NEON on arm64; x86 intrinsics only where GCC 12 turns a vector conversion into one
// instruction per lane (bytes to floats and back), each with a plain fallback. Unaligned loads
// and stores go through memcpy, which compiles to a single move.
#include "imaging/lanczos3.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <numbers>

#include "imaging/lanczos3_fixed.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pixfleet {
namespace {

using Floats4 = float __attribute__((vector_size(16)));

constexpr size_t kVerticalBlock = 32;  // samples per step of the vertical pass

template <typename Vector>
Vector Load(const float* from) {
  Vector v;
  std::memcpy(&v, from, sizeof v);
  return v;
}

// sinc(x) * sinc(x / 3) given s = sin(pi x / 3): sin(pi x) = s (3 - 4 s^2) (the triple-angle
// identity), so one sine serves both factors.
double Lanczos3GivenSine(double x, double s) {
  if (std::abs(x) >= 3.0) return 0.0;
  if (x == 0.0) return 1.0;
  const double pi_x = std::numbers::pi * x;
  return 3.0 * s * s * (3.0 - 4.0 * s * s) / (pi_x * pi_x);
}

// Output pixel x of a row of `width` pixels of `bands` bytes: all four of `bytes` where they stay
// inside the row (any beyond the pixel belong to the next ones, which are written after).
void StorePixel(uint8_t* row, size_t x, size_t bands, size_t width, uint32_t bytes) {
  if ((x + 1) * bands + (4 - bands) <= width * bands) {
    std::memcpy(row + x * bands, &bytes, sizeof bytes);
  } else {
    std::memcpy(row + x * bands, &bytes, bands);
  }
}

size_t RoundUp(size_t n, size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// The four lanes rounded to nearest and clamped to 0..255, as the bytes of a little-endian word.
uint32_t ToBytes(Floats4 sum) {
  sum += 0.5F;  // then truncation rounds to nearest; a negative sum truncates to 0 or below
#if defined(__SSE2__)
  __m128 lanes;
  std::memcpy(&lanes, &sum, sizeof lanes);
  const __m128i ints = _mm_cvttps_epi32(lanes);
  // Saturating packs: 32 -> 16 -> 8 bits, which is the clamp.
  const __m128i words = _mm_packs_epi32(ints, ints);
  return static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_packus_epi16(words, words)));
#else
  uint32_t bytes = 0;
  for (int lane = 3; lane >= 0; --lane) {
    bytes = bytes << 8 | static_cast<uint32_t>(std::clamp(static_cast<int>(sum[lane]), 0, 255));
  }
  return bytes;
#endif
}

// Four bytes as four floats. GCC 12 converts vector_size bytes to floats one lane at a time;
// SSE2 (x86-64's baseline) widens them with two unpacks.
Floats4 FourBytesAsFloats(const uint8_t* from) {
#if defined(__SSE2__)
  int32_t word = 0;
  std::memcpy(&word, from, sizeof word);
  const __m128i zero = _mm_setzero_si128();
  const __m128i ints = _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(word), zero), zero);
  const __m128 floats = _mm_cvtepi32_ps(ints);
  Floats4 out;
  std::memcpy(&out, &floats, sizeof out);
  return out;
#else
  return Floats4{static_cast<float>(from[0]), static_cast<float>(from[1]),
                 static_cast<float>(from[2]), static_cast<float>(from[3])};
#endif
}

// One float row, the weighted sum of `count` input rows of `n` bytes (a multiple of
// kVerticalBlock), kVerticalBlock samples at a time so that the accumulators stay in registers
// across the taps. The input rows stay bytes until here: a quarter of the memory floats would
// take, so that the rows an output row reads stay in the processor's cache.
void VerticalPassBaseline(const uint8_t* const* rows, const float* weights, size_t count, size_t n,
                          float* out) {
  constexpr size_t kVectors = kVerticalBlock / 4;
  for (size_t i = 0; i < n; i += kVerticalBlock) {
    Floats4 sums[kVectors] = {};
    for (size_t k = 0; k < count; ++k) {
      const uint8_t* from = rows[k] + i;
      const float w = weights[k];
#pragma GCC unroll 8
      for (size_t v = 0; v < kVectors; ++v) sums[v] += w * FourBytesAsFloats(from + 4 * v);
    }
    std::memcpy(out + i, sums, sizeof sums);
  }
}

}  // namespace

Lanczos3Taps MakeLanczos3Taps(int in, int out) {
  assert(out >= 1 && out <= in);
  const double scale = static_cast<double>(in) / out;
  const double support = 3.0 * scale;
  Lanczos3Taps taps;
  // Room for every tap, rounded up to whole groups of four (the horizontal pass reads four at a
  // time; the weights past a pixel's taps stay zero).
  taps.stride = (static_cast<int>(std::ceil(2.0 * support)) + 2 + 3) / 4 * 4;
  const auto outputs = static_cast<size_t>(out);
  taps.first.resize(outputs);
  taps.count.resize(outputs);
  taps.weights.assign(outputs * static_cast<size_t>(taps.stride), 0.0F);
  std::vector<double> weights(static_cast<size_t>(taps.stride));
  // One output's taps are 1 / scale apart, so the angles pi x / 3 of their sines step by a
  // constant: each sine comes from the one before by a rotation (four multiplications), one
  // sincos per output pixel instead of a sine per tap. The taps are made per image and axis,
  // ~100,000 of them for std3 on a camera photo, and their sines were ~1.3 % of the engine's CPU.
  // Over the 20-40 taps of an output the rotation's rounding stays near 1e-15 of a weight.
  const double step = std::numbers::pi / (3.0 * scale);
  const double cos_step = std::cos(step);
  const double sin_step = std::sin(step);
  for (size_t o = 0; o < outputs; ++o) {
    const double centre = (static_cast<double>(o) + 0.5) * scale;
    const int first = std::max(0, static_cast<int>(std::floor(centre - support + 0.5)));
    const int end =
        std::min({in, static_cast<int>(std::floor(centre + support + 0.5)), first + taps.stride});
    const double first_angle = std::numbers::pi * ((first + 0.5 - centre) / scale) / 3.0;
    double sine = std::sin(first_angle);
    double cosine = std::cos(first_angle);
    double sum = 0.0;
    for (int x = first; x < end; ++x) {
      const double weight = Lanczos3GivenSine((x + 0.5 - centre) / scale, sine);
      weights[static_cast<size_t>(x - first)] = weight;
      sum += weight;
      const double next_sine = sine * cos_step + cosine * sin_step;
      cosine = cosine * cos_step - sine * sin_step;
      sine = next_sine;
    }
    taps.first[o] = first;
    taps.count[o] = end - first;
    float* row = &taps.weights[o * static_cast<size_t>(taps.stride)];
    for (int k = 0; k < end - first; ++k) {
      row[k] = static_cast<float>(weights[static_cast<size_t>(k)] / sum);
    }
  }
  return taps;
}

Lanczos3Reducer::Lanczos3Reducer(Size in, Size out, int bands, Lanczos3Code code)
    : in_(in),
      out_(out),
      bands_(bands),
      fixed_point_(code == Lanczos3Code::kFastest && lanczos3_fixed::Available()),
      rows_(MakeLanczos3Taps(in.height, out.height)),
      columns_(MakeLanczos3Taps(in.width, out.width)),
      chunks_(lanczos3_fixed::ChunksFor(columns_)),
      // The fixed-point passes hold each row as band planes, each with room past its last
      // sample for the whole chunks the horizontal pass loads from a pixel's first tap.
      plane_stride_(fixed_point_
                        ? RoundUp(static_cast<size_t>(in.width) + chunks_ * lanczos3_fixed::kChunk,
                                  kVerticalBlock)
                        : 0),
      row_bytes_(fixed_point_ ? plane_stride_ * static_cast<size_t>(bands)
                              : RoundUp(static_cast<size_t>(in.width) * static_cast<size_t>(bands),
                                        kVerticalBlock)),
      ring_rows_(rows_.stride + kLookahead),
      ring_(static_cast<size_t>(ring_rows_) * row_bytes_, 0),
      tap_rows_(static_cast<size_t>(rows_.stride)) {
  assert(bands >= 1 && bands <= 4);
  if (fixed_point_) {
    MakeFixedPointWeights();
    fixed_vertical_.assign(row_bytes_, 0);
    return;
  }
  // Past the last pixel, room for the zero-weighted taps the float horizontal pass reads beyond a
  // pixel's own (up to a whole stride when a pixel cut short by the image's edge is given as
  // many taps as its neighbour), then the last load's width (4 samples).
  vertical_.assign(
      row_bytes_ + static_cast<size_t>(columns_.stride + 1) * static_cast<size_t>(bands) + 4, 0.0F);
}

void Lanczos3Reducer::MakeFixedPointWeights() {
  const auto largest_and_sum = [](const Lanczos3Taps& taps, size_t o) {
    double largest = 0.0;
    double sum = 0.0;
    for (int k = 0; k < taps.count[o]; ++k) {
      const double weight =
          std::abs(taps.weights[o * static_cast<size_t>(taps.stride) + static_cast<size_t>(k)]);
      largest = std::max(largest, weight);
      sum += weight;
    }
    return std::pair{largest, sum};
  };
  // Each output row its own shift: the vertical pass scales each row back by itself.
  const auto row_stride = static_cast<size_t>(rows_.stride);  // a multiple of 4, so even
  fixed_row_weights_.assign(static_cast<size_t>(out_.height) * row_stride, 0);
  fixed_row_shifts_.resize(static_cast<size_t>(out_.height));
  double largest_row_sum = 0.0;
  for (size_t o = 0; o < static_cast<size_t>(out_.height); ++o) {
    const auto [largest, sum] = largest_and_sum(rows_, o);
    largest_row_sum = std::max(largest_row_sum, sum);
    fixed_row_shifts_[o] = lanczos3_fixed::ShiftFor(largest, sum, 255.0);
    lanczos3_fixed::Quantize(&rows_.weights[o * row_stride], static_cast<size_t>(rows_.count[o]),
                             fixed_row_shifts_[o], &fixed_row_weights_[o * row_stride]);
  }
  // One shift for every column, since the horizontal pass rounds eight pixels at once.
  double largest = 0.0;
  double largest_sum = 0.0;
  for (size_t o = 0; o < static_cast<size_t>(out_.width); ++o) {
    const auto [pixel_largest, sum] = largest_and_sum(columns_, o);
    largest = std::max(largest, pixel_largest);
    largest_sum = std::max(largest_sum, sum);
  }
  // The largest sample between the passes, in the fixed-point units of that row.
  const double largest_sample = 255.0 * largest_row_sum * (1 << lanczos3_fixed::kFractionBits);
  fixed_column_shift_ = lanczos3_fixed::ShiftFor(largest, largest_sum, largest_sample);
  fixed_pixel_weights_ =
      lanczos3_fixed::PixelWeights(columns_, out_.width, fixed_column_shift_, chunks_);
}

const uint8_t* Lanczos3Reducer::Ring(int y) const {
  return ring_.data() + static_cast<size_t>(y % ring_rows_) * row_bytes_;
}

void Lanczos3Reducer::AddInputRow(int y, const uint8_t* pixels) {
  assert(y == next_row_);
  uint8_t* slot = ring_.data() + static_cast<size_t>(y % ring_rows_) * row_bytes_;
  const auto width = static_cast<size_t>(in_.width);
  const auto bands = static_cast<size_t>(bands_);
  next_row_ = y + 1;
#if defined(__x86_64__)
  if (fixed_point_) {
    lanczos3_fixed::SplitBands(pixels, width, bands, plane_stride_, slot);
    return;
  }
#endif
  std::memcpy(slot, pixels, width * bands);
}

void Lanczos3Reducer::OutputRow(int out_row, uint8_t* pixels) {
  const auto o = static_cast<size_t>(out_row);
  const int first_row = rows_.first[o];
  const int row_count = rows_.count[o];
  assert(first_row + row_count <= next_row_ && next_row_ - first_row <= ring_rows_);
  for (int k = 0; k < row_count; ++k) tap_rows_[static_cast<size_t>(k)] = Ring(first_row + k);
  const auto taps = static_cast<size_t>(row_count);
  const auto bands = static_cast<size_t>(bands_);
  const auto width = static_cast<size_t>(out_.width);
#if defined(__x86_64__)
  if (fixed_point_) {
    // Taps in pairs: an odd count gets a pad row, weighing 0.
    const size_t even_taps = RoundUp(taps, 2);
    if (even_taps != taps) tap_rows_[taps] = tap_rows_[taps - 1];
    const auto row_stride = static_cast<size_t>(rows_.stride);
    lanczos3_fixed::VerticalPass(tap_rows_.data(), &fixed_row_weights_[o * row_stride], even_taps,
                                 row_bytes_, fixed_row_shifts_[o], fixed_vertical_.data());
    lanczos3_fixed::HorizontalPass(fixed_vertical_.data(), plane_stride_, columns_.first.data(),
                                   fixed_pixel_weights_.data(), chunks_, width, bands,
                                   fixed_column_shift_, pixels);
    return;
  }
#endif
  const float* row_weights = &rows_.weights[o * static_cast<size_t>(rows_.stride)];
  VerticalPassBaseline(tap_rows_.data(), row_weights, taps, row_bytes_, vertical_.data());

  // Horizontal: each output pixel's bands together in one Floats4 (a fourth lane of a 3-band
  // pixel reads the next pixel's first band and is dropped). Four sums over every fourth tap, so
  // that consecutive additions do not wait on each other; the weights past a pixel's taps are
  // zero (MakeLanczos3Taps pads each pixel's weights to a multiple of four).
  const auto stride = static_cast<size_t>(columns_.stride);
  for (size_t x = 0; x < width; ++x) {
    const float* from = vertical_.data() + static_cast<size_t>(columns_.first[x]) * bands;
    const float* weights = &columns_.weights[x * stride];
    const auto count = static_cast<size_t>(columns_.count[x]);
    Floats4 sums[4] = {};
    for (size_t k = 0; k < count; k += 4) {
#pragma GCC unroll 4
      for (size_t j = 0; j < 4; ++j) {
        sums[j] += weights[k + j] * Load<Floats4>(from + (k + j) * bands);
      }
    }
    StorePixel(pixels, x, bands, width, ToBytes((sums[0] + sums[1]) + (sums[2] + sums[3])));
  }
}

}  // namespace pixfleet
