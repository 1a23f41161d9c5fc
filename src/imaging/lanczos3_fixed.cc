// x86 intrinsics, each function built for AVX2 with a target attribute (the rest of the binary
// stays baseline x86-64). vpunpck*, vpackss* and vpshufb work within each 128-bit half of a
// register, which decides the orders below.
#include "imaging/lanczos3_fixed.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace pixfleet::lanczos3_fixed {
namespace {

constexpr double kLargestWeight = 16384.0;  // 2^14: 15 significant bits, room for the rounding
constexpr int kMaxShift = 24;

size_t RoundUp(size_t n, size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

}  // namespace

bool Available() {
#if defined(__x86_64__)
  static const bool kHas = __builtin_cpu_supports("avx2") != 0;
  return kHas;
#else
  return false;
#endif
}

int ShiftFor(double largest_weight, double absolute_sum, double largest_input) {
  // A sum of products stays below 2^30, half of int32's range: no overflow from the rounding
  // adjustment or the rounding constant either.
  constexpr double kLargestSum = 1073741824.0;
  int shift = 0;
  while (shift < kMaxShift && largest_weight * std::ldexp(1.0, shift + 1) <= kLargestWeight &&
         absolute_sum * largest_input * std::ldexp(1.0, shift + 1) <= kLargestSum) {
    ++shift;
  }
  return shift;
}

void Quantize(const float* weights, size_t count, int shift, int16_t* fixed) {
  size_t largest = 0;
  int32_t sum = 0;
  for (size_t k = 0; k < count; ++k) {
    fixed[k] = static_cast<int16_t>(std::lround(std::ldexp(weights[k], shift)));
    sum += fixed[k];
    if (std::abs(weights[k]) > std::abs(weights[largest])) largest = k;
  }
  fixed[largest] = static_cast<int16_t>(fixed[largest] + ((int32_t{1} << shift) - sum));
}

std::vector<int16_t> PairWeights(const Lanczos3Taps& columns, int width, int shift) {
  const auto stride = static_cast<size_t>(columns.stride);  // a multiple of 4, so even
  const auto pixels = static_cast<size_t>(width);
  std::vector<int16_t> weights;
  weights.reserve((pixels + 1) / 2 * stride * 8);
  std::vector<int16_t> first(stride);
  std::vector<int16_t> second(stride);
  for (size_t a = 0; a < pixels; a += 2) {
    const size_t b = std::min(a + 1, pixels - 1);
    std::fill(first.begin(), first.end(), int16_t{0});
    std::fill(second.begin(), second.end(), int16_t{0});
    Quantize(&columns.weights[a * stride], static_cast<size_t>(columns.count[a]), shift,
             first.data());
    Quantize(&columns.weights[b * stride], static_cast<size_t>(columns.count[b]), shift,
             second.data());
    for (size_t k = 0; k < stride; k += 2) {
      for (const std::vector<int16_t>* pixel : {&first, &second}) {
        for (int copy = 0; copy < 4; ++copy) {
          weights.push_back((*pixel)[k]);
          weights.push_back((*pixel)[k + 1]);
        }
      }
    }
  }
  return weights;
}

void StorePixel(uint8_t* row, size_t x, size_t bands, size_t width, uint32_t bytes) {
  if ((x + 1) * bands + (4 - bands) <= width * bands) {
    std::memcpy(row + x * bands, &bytes, sizeof bytes);
  } else {
    std::memcpy(row + x * bands, &bytes, bands);
  }
}

#if defined(__x86_64__)

__attribute__((target("avx2"))) void VerticalPass(const uint8_t* const* rows,
                                                  const int16_t* weights, size_t count, size_t n,
                                                  int shift, int16_t* out) {
  assert(count % 2 == 0 && n % 32 == 0 && shift > kFractionBits);
  const __m256i zero = _mm256_setzero_si256();
  const int drop = shift - kFractionBits;
  const __m128i drop_bits = _mm_cvtsi32_si128(drop);
  const __m256i half = _mm256_set1_epi32(1 << (drop - 1));
  for (size_t i = 0; i < n; i += 32) {
    // sums[0] holds samples 0-3 and 16-19, sums[1] 4-7 and 20-23, sums[2] 8-11 and 24-27,
    // sums[3] 12-15 and 28-31.
    __m256i sums[4] = {zero, zero, zero, zero};
    for (size_t k = 0; k < count; k += 2) {
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[k] + i));
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[k + 1] + i));
      const uint32_t low = static_cast<uint16_t>(weights[k]);
      const uint32_t high = static_cast<uint16_t>(weights[k + 1]);
      const __m256i pair = _mm256_set1_epi32(static_cast<int>(high << 16 | low));
      // Each sample of row k beside the same sample of row k + 1, then widened to 16 bits.
      const __m256i interleaved[2] = {_mm256_unpacklo_epi8(a, b), _mm256_unpackhi_epi8(a, b)};
      for (size_t h = 0; h < 2; ++h) {
        const __m256i first = _mm256_unpacklo_epi8(interleaved[h], zero);
        const __m256i second = _mm256_unpackhi_epi8(interleaved[h], zero);
        sums[2 * h] = _mm256_add_epi32(sums[2 * h], _mm256_madd_epi16(first, pair));
        sums[2 * h + 1] = _mm256_add_epi32(sums[2 * h + 1], _mm256_madd_epi16(second, pair));
      }
    }
    for (__m256i& sum : sums) sum = _mm256_sra_epi32(_mm256_add_epi32(sum, half), drop_bits);
    // Packing keeps the halves apart: samples 0-7 | 16-23, then 8-15 | 24-31.
    const __m256i packed[2] = {_mm256_packs_epi32(sums[0], sums[1]),
                               _mm256_packs_epi32(sums[2], sums[3])};
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm256_permute2x128_si256(packed[0], packed[1], 0x20));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 16),
                        _mm256_permute2x128_si256(packed[0], packed[1], 0x31));
  }
}

namespace {

// The vpshufb control that turns two consecutive pixels' samples (p0 b0, p0 b1, ..., p1 b0, ...,
// 16-bit each) into pairs per band (p0 b0, p1 b0, p0 b1, p1 b1, ...), zeros after; the same in
// both halves of the register.
__attribute__((target("avx2"))) __m256i BandPairsControl(size_t bands) {
  alignas(32) int8_t control[32];
  std::fill(std::begin(control), std::end(control), static_cast<int8_t>(-128));  // a zero byte
  for (size_t half = 0; half < 2; ++half) {
    for (size_t band = 0; band < bands; ++band) {
      for (size_t pixel = 0; pixel < 2; ++pixel) {
        const size_t word_in = pixel * bands + band;
        const size_t word_out = 2 * band + pixel;
        control[16 * half + 2 * word_out] = static_cast<int8_t>(2 * word_in);
        control[16 * half + 2 * word_out + 1] = static_cast<int8_t>(2 * word_in + 1);
      }
    }
  }
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(control));
}

}  // namespace

__attribute__((target("avx2"))) void HorizontalPass(const int16_t* row, const Lanczos3Taps& columns,
                                                    const int16_t* pair_weights, size_t width,
                                                    size_t bands, int shift, uint8_t* pixels) {
  assert(bands >= 1 && bands <= 4);
  const __m256i control = BandPairsControl(bands);
  const int drop = shift + kFractionBits;
  const __m128i drop_bits = _mm_cvtsi32_si128(drop);
  const __m256i half = _mm256_set1_epi32(1 << (drop - 1));
  const auto stride = static_cast<size_t>(columns.stride);
  for (size_t a = 0; a < width; a += 2) {
    // Pixel a in the low half of the register, b in the high half; each step one tap pair.
    const size_t b = std::min(a + 1, width - 1);
    const int16_t* from_a = row + static_cast<size_t>(columns.first[a]) * bands;
    const int16_t* from_b = row + static_cast<size_t>(columns.first[b]) * bands;
    const int16_t* weights = pair_weights + a / 2 * stride * 8;
    // Four taps a step, into two sums so that consecutive additions do not wait on each other;
    // the weights past a pixel's taps are 0 up to the stride, a multiple of 4.
    const size_t taps =
        RoundUp(static_cast<size_t>(std::max(columns.count[a], columns.count[b])), 4);
    __m256i sums[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
    for (size_t k = 0; k < taps; k += 4) {
#pragma GCC unroll 2
      for (size_t j = 0; j < 2; ++j) {
        const size_t tap = k + 2 * j;
        const __m256i both = _mm256_inserti128_si256(
            _mm256_castsi128_si256(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(from_a + tap * bands))),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(from_b + tap * bands)), 1);
        const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(weights + tap * 8));
        sums[j] =
            _mm256_add_epi32(sums[j], _mm256_madd_epi16(_mm256_shuffle_epi8(both, control), w));
      }
    }
    // Rounded to nearest; saturating packs to 16 then 8 bits are the clamp to 0..255.
    const __m256i sum =
        _mm256_sra_epi32(_mm256_add_epi32(_mm256_add_epi32(sums[0], sums[1]), half), drop_bits);
    const __m256i words = _mm256_packs_epi32(sum, sum);
    const __m256i bytes = _mm256_packus_epi16(words, words);
    StorePixel(pixels, a, bands, width,
               static_cast<uint32_t>(_mm_cvtsi128_si32(_mm256_castsi256_si128(bytes))));
    if (b != a) {
      StorePixel(pixels, b, bands, width,
                 static_cast<uint32_t>(_mm_cvtsi128_si32(_mm256_extracti128_si256(bytes, 1))));
    }
  }
}

#endif  // defined(__x86_64__)

}  // namespace pixfleet::lanczos3_fixed
