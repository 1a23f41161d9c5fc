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

constexpr size_t kVerticalBlock = 32;  // floats per step of the vertical pass

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

// `n` bytes as floats. GCC 12 converts vector_size bytes to floats one at a time, so on x86-64 this
// widens 16 bytes at a time with SSE2 (part of x86-64's baseline) instead.
void BytesToFloats(const uint8_t* from, size_t n, float* to) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  for (; i + 16 <= n; i += 16) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the intrinsics' own types
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + i));
    const __m128i low = _mm_unpacklo_epi8(bytes, zero);
    const __m128i high = _mm_unpackhi_epi8(bytes, zero);
    _mm_storeu_ps(to + i, _mm_cvtepi32_ps(_mm_unpacklo_epi16(low, zero)));
    _mm_storeu_ps(to + i + 4, _mm_cvtepi32_ps(_mm_unpackhi_epi16(low, zero)));
    _mm_storeu_ps(to + i + 8, _mm_cvtepi32_ps(_mm_unpacklo_epi16(high, zero)));
    _mm_storeu_ps(to + i + 12, _mm_cvtepi32_ps(_mm_unpackhi_epi16(high, zero)));
  }
#endif
  for (; i < n; ++i) to[i] = from[i];
}

// Whether this processor has AVX2, and AVX2 with FMA (every x86-64 since 2013-2015); asked once.
[[maybe_unused]] bool HasAvx2() {
#if defined(__x86_64__)
  static const bool kHas = __builtin_cpu_supports("avx2") != 0;
  return kHas;
#else
  return false;
#endif
}

bool HasAvx2AndFma() {
#if defined(__x86_64__)
  static const bool kHas = HasAvx2() && __builtin_cpu_supports("fma") != 0;
  return kHas;
#else
  return false;
#endif
}

// One float row, the weighted sum of `count` input rows of `n` floats (a multiple of
// kVerticalBlock), 32 floats at a time so that the accumulators stay in registers across the
// taps. This loop is most of the reduce's work. Always inlined, so that it is compiled for the
// instruction set of its caller.
template <typename Vector>
[[gnu::always_inline]] inline void VerticalPassWith(const float* const* rows, const float* weights,
                                                    size_t count, size_t n, float* out) {
  constexpr size_t kVectors = kVerticalBlock / (sizeof(Vector) / sizeof(float));
  for (size_t i = 0; i < n; i += kVerticalBlock) {
    Vector sums[kVectors] = {};
    for (size_t k = 0; k < count; ++k) {
      const float* from = rows[k] + i;
      const float w = weights[k];
#pragma GCC unroll 8
      for (size_t v = 0; v < kVectors; ++v) {
        Vector input;
        std::memcpy(&input, from + v * (sizeof input / sizeof(float)), sizeof input);
        sums[v] += w * input;
      }
    }
    std::memcpy(out + i, sums, sizeof sums);
  }
}

void VerticalPassBaseline(const float* const* rows, const float* weights, size_t count, size_t n,
                          float* out) {
  VerticalPassWith<Floats4>(rows, weights, count, n, out);
}

#if defined(__x86_64__)
// Eight floats per instruction where the processor has AVX2 (x86-64's baseline is SSE2, four),
// chosen at run time: the same binary runs on any x86-64.
__attribute__((target("avx2"))) void VerticalPassAvx2(const float* const* rows,
                                                      const float* weights, size_t count, size_t n,
                                                      float* out) {
  using Floats8 = float __attribute__((vector_size(32)));
  VerticalPassWith<Floats8>(rows, weights, count, n, out);
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
// pair and tap, the two pixels' weights four times each (zero past a pixel's taps).
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

void VerticalPass(const float* const* rows, const float* weights, size_t count, size_t n,
                  float* out) {
#if defined(__x86_64__)
  if (HasAvx2()) {
    VerticalPassAvx2(rows, weights, count, n, out);
    return;
  }
#endif
  VerticalPassBaseline(rows, weights, count, n, out);
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

Lanczos3Reducer::Lanczos3Reducer(Size in, Size out, int bands)
    : in_(in),
      out_(out),
      bands_(bands),
      rows_(MakeLanczos3Taps(in.height, out.height)),
      columns_(MakeLanczos3Taps(in.width, out.width)),
      row_floats_(
          RoundUp(static_cast<size_t>(in.width) * static_cast<size_t>(bands), kVerticalBlock)),
      ring_rows_(rows_.stride + kLookahead),
      ring_(static_cast<size_t>(ring_rows_) * row_floats_, 0.0F),
      // Past the last pixel, room for the zero-weighted taps the horizontal pass reads beyond a
      // pixel's own: up to a whole stride when the AVX2 pass gives a pixel cut short by the
      // image's edge as many taps as its neighbour in the pair, then the last group of four and
      // the fourth lane of the last load.
      vertical_(
          row_floats_ + static_cast<size_t>(columns_.stride + 4) * static_cast<size_t>(bands) + 4,
          0.0F),
      tap_rows_(static_cast<size_t>(rows_.stride)) {
  assert(bands >= 1 && bands <= 4);
  column_weights_.reserve(columns_.weights.size());
  for (const float weight : columns_.weights) column_weights_.push_back(Floats4{} + weight);
  if (HasAvx2AndFma()) {
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

float* Lanczos3Reducer::Ring(int y) {
  return ring_.data() + static_cast<size_t>(y % ring_rows_) * row_floats_;
}

void Lanczos3Reducer::AddInputRow(int y, const uint8_t* pixels) {
  assert(y == next_row_);
  BytesToFloats(pixels, static_cast<size_t>(in_.width) * static_cast<size_t>(bands_), Ring(y));
  next_row_ = y + 1;
}

void Lanczos3Reducer::OutputRow(int out_row, uint8_t* pixels) {
  const auto o = static_cast<size_t>(out_row);
  const int first_row = rows_.first[o];
  const int row_count = rows_.count[o];
  assert(first_row + row_count <= next_row_ && next_row_ - first_row <= ring_rows_);
  const float* row_weights = &rows_.weights[o * static_cast<size_t>(rows_.stride)];
  for (int k = 0; k < row_count; ++k) tap_rows_[static_cast<size_t>(k)] = Ring(first_row + k);

  VerticalPass(tap_rows_.data(), row_weights, static_cast<size_t>(row_count), row_floats_,
               vertical_.data());

  // Horizontal: each output pixel's bands together in one Floats4 (a fourth lane of a 3-band
  // pixel reads the next pixel's first band and is dropped). Four sums over every fourth tap, so
  // that consecutive additions do not wait on each other; the weights past a pixel's taps are
  // zero (MakeLanczos3Taps pads each pixel's weights to a multiple of four).
  const auto bands = static_cast<size_t>(bands_);
  const auto stride = static_cast<size_t>(columns_.stride);
  const auto width = static_cast<size_t>(out_.width);
  size_t x = 0;
#if defined(__x86_64__)
  if (!pair_weights_.empty()) {
    HorizontalPairsAvx2(vertical_.data(), columns_, pair_weights_.data(), width / 2, bands, width,
                        pixels);
    x = width / 2 * 2;
  }
#endif
  for (; x < width; ++x) {
    const float* from = vertical_.data() + static_cast<size_t>(columns_.first[x]) * bands;
    const Floats4* weights = &column_weights_[x * stride];
    const auto taps = static_cast<size_t>(columns_.count[x]);
    Floats4 sums[4] = {};
    for (size_t k = 0; k < taps; k += 4) {
#pragma GCC unroll 4
      for (size_t j = 0; j < 4; ++j) {
        sums[j] += weights[k + j] * Load<Floats4>(from + (k + j) * bands);
      }
    }
    StorePixel(pixels, x, bands, width, ToBytes((sums[0] + sums[1]) + (sums[2] + sums[3])));
  }
}

}  // namespace pixfleet
