// The arithmetic is written with GCC vector types (vector_size), which compile to SSE on x86-64
// and NEON on arm64; x86 intrinsics only where GCC 12 turns a vector conversion into one
// instruction per lane (bytes to floats and back), each with a plain fallback; and the vertical
// pass, most of the work, also built for AVX2 and chosen at run time. Unaligned loads and stores
// go through memcpy, which compiles to a single move.
#include "imaging/lanczos3.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
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

double Sinc(double x) {
  if (x == 0.0) return 1.0;
  const double pi_x = std::numbers::pi * x;
  return std::sin(pi_x) / pi_x;
}

double Lanczos3(double x) { return std::abs(x) < 3.0 ? Sinc(x) * Sinc(x / 3.0) : 0.0; }

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

// Whether this processor has AVX2 and FMA (every x86-64 since 2013-2015); asked once.
bool HasAvx2AndFma() {
#if defined(__x86_64__)
  static const bool kHas =
      __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
  return kHas;
#else
  return false;
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

#if defined(__x86_64__)
// Eight samples per instruction, one fused multiply-add each, where the processor has AVX2 and
// FMA; chosen at run time, so that the same binary runs on any x86-64. This loop is most of the
// reduce's work.
__attribute__((target("avx2,fma"))) void VerticalPassAvx2(const uint8_t* const* rows,
                                                          const float* weights, size_t count,
                                                          size_t n, float* out) {
  constexpr size_t kVectors = kVerticalBlock / 8;
  for (size_t i = 0; i < n; i += kVerticalBlock) {
    __m256 sums[kVectors] = {};
    for (size_t k = 0; k < count; ++k) {
      const uint8_t* from = rows[k] + i;
      const __m256 w = _mm256_set1_ps(weights[k]);
#pragma GCC unroll 4
      for (size_t v = 0; v < kVectors; ++v) {
        int64_t eight = 0;
        std::memcpy(&eight, from + 8 * v, sizeof eight);
        const __m256 input = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(eight)));
        sums[v] = _mm256_fmadd_ps(w, input, sums[v]);
      }
    }
    for (size_t v = 0; v < kVectors; ++v) _mm256_storeu_ps(out + i + 8 * v, sums[v]);
  }
}
#endif

// Output pixel x of a row of `width` pixels of `bands` bytes: all four of `bytes` where they stay
// inside the row (any beyond the pixel belong to the next ones, which are written after).
void StorePixel(uint8_t* row, size_t x, size_t bands, size_t width, uint32_t bytes) {
  if ((x + 1) * bands + (4 - bands) <= width * bands) {
    std::memcpy(row + x * bands, &bytes, sizeof bytes);
  } else {
    std::memcpy(row + x * bands, &bytes, bands);
  }
}

#if defined(__x86_64__)
// The horizontal pass for output pixels 0 .. 2 * pairs - 1, two at a time: pixel 2p in the low
// half of an 8-float register and 2p + 1 in the high half, each tap one fused multiply-add (the
// baseline pass takes a multiply and an add per pixel and tap). `pair_weights` holds, for each
// pair and tap, the two pixels' weights four times each (zero past a pixel's taps): one load per
// tap. (Broadcasting two stored weights per tap instead was a tenth slower.)
__attribute__((target("avx2,fma"))) void HorizontalPairsAvx2(const float* row,
                                                             const Lanczos3Taps& columns,
                                                             const float* pair_weights,
                                                             size_t pairs, size_t bands,
                                                             size_t width, uint8_t* pixels) {
  const auto stride = static_cast<size_t>(columns.stride);
  for (size_t p = 0; p < pairs; ++p) {
    const size_t a = 2 * p;
    const float* from_a = row + static_cast<size_t>(columns.first[a]) * bands;
    const float* from_b = row + static_cast<size_t>(columns.first[a + 1]) * bands;
    const float* weights = pair_weights + p * stride * 8;
    const size_t taps =
        RoundUp(static_cast<size_t>(std::max(columns.count[a], columns.count[a + 1])), 4);
    __m256 sums[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                      _mm256_setzero_ps()};
    for (size_t k = 0; k < taps; k += 4) {
#pragma GCC unroll 4
      for (size_t j = 0; j < 4; ++j) {
        const size_t offset = (k + j) * bands;
        const __m256 both =
            _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(from_a + offset)),
                                 _mm_loadu_ps(from_b + offset), 1);
        sums[j] = _mm256_fmadd_ps(_mm256_loadu_ps(weights + (k + j) * 8), both, sums[j]);
      }
    }
    const __m256 sum =
        _mm256_add_ps(_mm256_add_ps(sums[0], sums[1]), _mm256_add_ps(sums[2], sums[3]));
    const __m128 low_lanes = _mm256_castps256_ps128(sum);
    const __m128 high_lanes = _mm256_extractf128_ps(sum, 1);
    Floats4 low;
    Floats4 high;
    std::memcpy(&low, &low_lanes, sizeof low);
    std::memcpy(&high, &high_lanes, sizeof high);
    StorePixel(pixels, a, bands, width, ToBytes(low));
    StorePixel(pixels, a + 1, bands, width, ToBytes(high));
  }
}
#endif

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
  for (size_t o = 0; o < outputs; ++o) {
    const double centre = (static_cast<double>(o) + 0.5) * scale;
    const int first = std::max(0, static_cast<int>(std::floor(centre - support + 0.5)));
    const int end =
        std::min({in, static_cast<int>(std::floor(centre + support + 0.5)), first + taps.stride});
    double sum = 0.0;
    for (int x = first; x < end; ++x) {
      const double weight = Lanczos3((x + 0.5 - centre) / scale);
      weights[static_cast<size_t>(x - first)] = weight;
      sum += weight;
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
      avx2_(code == Lanczos3Code::kFastest && HasAvx2AndFma()),
      rows_(MakeLanczos3Taps(in.height, out.height)),
      columns_(MakeLanczos3Taps(in.width, out.width)),
      row_bytes_(
          RoundUp(static_cast<size_t>(in.width) * static_cast<size_t>(bands), kVerticalBlock)),
      ring_rows_(rows_.stride + kLookahead),
      ring_(static_cast<size_t>(ring_rows_) * row_bytes_, 0),
      // Past the last pixel, room for the zero-weighted taps the horizontal pass reads beyond a
      // pixel's own: up to a whole stride when the AVX2 pass gives a pixel cut short by the
      // image's edge as many taps as its neighbour in the pair, then the last group of four and
      // the fourth lane of the last load.
      vertical_(
          row_bytes_ + static_cast<size_t>(columns_.stride + 4) * static_cast<size_t>(bands) + 4,
          0.0F),
      tap_rows_(static_cast<size_t>(rows_.stride)) {
  assert(bands >= 1 && bands <= 4);
  if (avx2_) {
    const auto stride = static_cast<size_t>(columns_.stride);
    const size_t pairs = static_cast<size_t>(out.width) / 2;
    pair_weights_.reserve(pairs * stride * 8);
    for (size_t p = 0; p < pairs; ++p) {
      for (size_t k = 0; k < stride; ++k) {
        for (const size_t x : {2 * p, 2 * p + 1}) {
          pair_weights_.insert(pair_weights_.end(), 4, columns_.weights[x * stride + k]);
        }
      }
    }
  }
}

const uint8_t* Lanczos3Reducer::Ring(int y) const {
  return ring_.data() + static_cast<size_t>(y % ring_rows_) * row_bytes_;
}

void Lanczos3Reducer::AddInputRow(int y, const uint8_t* pixels) {
  assert(y == next_row_);
  std::memcpy(ring_.data() + static_cast<size_t>(y % ring_rows_) * row_bytes_, pixels,
              static_cast<size_t>(in_.width) * static_cast<size_t>(bands_));
  next_row_ = y + 1;
}

void Lanczos3Reducer::OutputRow(int out_row, uint8_t* pixels) {
  const auto o = static_cast<size_t>(out_row);
  const int first_row = rows_.first[o];
  const int row_count = rows_.count[o];
  assert(first_row + row_count <= next_row_ && next_row_ - first_row <= ring_rows_);
  const float* row_weights = &rows_.weights[o * static_cast<size_t>(rows_.stride)];
  for (int k = 0; k < row_count; ++k) tap_rows_[static_cast<size_t>(k)] = Ring(first_row + k);
  const auto taps = static_cast<size_t>(row_count);
#if defined(__x86_64__)
  if (avx2_) {
    VerticalPassAvx2(tap_rows_.data(), row_weights, taps, row_bytes_, vertical_.data());
  } else {
    VerticalPassBaseline(tap_rows_.data(), row_weights, taps, row_bytes_, vertical_.data());
  }
#else
  VerticalPassBaseline(tap_rows_.data(), row_weights, taps, row_bytes_, vertical_.data());
#endif

  // Horizontal: each output pixel's bands together in one Floats4 (a fourth lane of a 3-band
  // pixel reads the next pixel's first band and is dropped). Four sums over every fourth tap, so
  // that consecutive additions do not wait on each other; the weights past a pixel's taps are
  // zero (MakeLanczos3Taps pads each pixel's weights to a multiple of four).
  const auto bands = static_cast<size_t>(bands_);
  const auto stride = static_cast<size_t>(columns_.stride);
  const auto width = static_cast<size_t>(out_.width);
  size_t x = 0;
#if defined(__x86_64__)
  if (avx2_) {
    HorizontalPairsAvx2(vertical_.data(), columns_, pair_weights_.data(), width / 2, bands, width,
                        pixels);
    x = width / 2 * 2;
  }
#endif
  for (; x < width; ++x) {
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
