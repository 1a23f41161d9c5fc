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
  double next_scale = 2.0;  // 2^(shift + 1), exact: doubling a power of two
  while (shift < kMaxShift && largest_weight * next_scale <= kLargestWeight &&
         absolute_sum * largest_input * next_scale <= kLargestSum) {
    ++shift;
    next_scale *= 2.0;
  }
  return shift;
}

void Quantize(const float* weights, size_t count, int shift, int16_t* fixed) {
  size_t largest = 0;
  int32_t sum = 0;
  // A multiplication by a power of two is exact, as ldexp is, without a call per weight.
  const auto scale = static_cast<float>(int32_t{1} << shift);
  for (size_t k = 0; k < count; ++k) {
    fixed[k] = static_cast<int16_t>(std::lround(weights[k] * scale));
    sum += fixed[k];
    if (std::abs(weights[k]) > std::abs(weights[largest])) largest = k;
  }
  fixed[largest] = static_cast<int16_t>(fixed[largest] + ((int32_t{1} << shift) - sum));
}

size_t ChunksFor(const Lanczos3Taps& columns) {
  return (static_cast<size_t>(columns.stride) + kChunk - 1) / kChunk;
}

std::vector<int16_t> PixelWeights(const Lanczos3Taps& columns, int width, int shift,
                                  size_t chunks) {
  const auto stride = static_cast<size_t>(columns.stride);
  const size_t per_pixel = chunks * kChunk;
  assert(per_pixel >= stride);
  std::vector<int16_t> weights(static_cast<size_t>(width) * per_pixel, 0);
  for (size_t x = 0; x < static_cast<size_t>(width); ++x) {
    Quantize(&columns.weights[x * stride], static_cast<size_t>(columns.count[x]), shift,
             &weights[x * per_pixel]);
  }
  return weights;
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

// The vpshufb control that turns, in each 128-bit half, four pixels' bytes band by band (four of
// band 0, four of band 1, ...) into the pixels' interleaved bytes.
template <size_t kBands>
struct InterleaveControl {
  alignas(32) int8_t bytes[32];
  constexpr InterleaveControl() : bytes{} {
    for (int8_t& byte : bytes) byte = -128;  // a zero byte
    for (size_t half = 0; half < 2; ++half) {
      for (size_t pixel = 0; pixel < 4; ++pixel) {
        for (size_t band = 0; band < kBands; ++band) {
          bytes[16 * half + pixel * kBands + band] = static_cast<int8_t>(4 * band + pixel);
        }
      }
    }
  }
};

__attribute__((target("avx2"), always_inline)) inline __m256i Load(const int16_t* from) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from));
}

// The products of one pixel's taps and one band, in eight 32-bit partial sums.
template <size_t kChunks>
__attribute__((target("avx2"), always_inline)) inline __m256i Weigh(const int16_t* from,
                                                                    const int16_t* own,
                                                                    size_t count) {
  __m256i sum = _mm256_madd_epi16(Load(from), Load(own));
#pragma GCC unroll 2
  for (size_t c = 1; c < count; ++c) {
    sum = _mm256_add_epi32(sum, _mm256_madd_epi16(Load(from + c * kChunk), Load(own + c * kChunk)));
  }
  return sum;
}

// Eight output pixels a step: each pixel's bands are weighed with its weights loaded once, and
// every two pixels' sums are halved at once so that few vectors stay live. kChunks is the
// number of chunks when known at compile time (1 or 2: Lanczos-3 reduces by up to 2.6x and
// 5.2x), 0 for any other.
template <size_t kBands, size_t kChunks>
__attribute__((target("avx2"))) void HorizontalBands(const int16_t* planes, size_t plane_stride,
                                                     const int* first, const int16_t* weights,
                                                     size_t chunks, size_t width, int shift,
                                                     uint8_t* pixels) {
  static constexpr InterleaveControl<kBands> kControl;
  const __m256i control = _mm256_load_si256(reinterpret_cast<const __m256i*>(kControl.bytes));
  const int drop = shift + kFractionBits;
  const __m128i drop_bits = _mm_cvtsi32_si128(drop);
  const __m256i half = _mm256_set1_epi32(1 << (drop - 1));
  const size_t count = kChunks != 0 ? kChunks : chunks;
  const size_t per_pixel = count * kChunk;
  // Past the row's end the last pixel is made again and dropped.
  for (size_t x = 0; x < width; x += 8) {
    __m256i pairs[kBands][4];  // per band, the halved sums of pixels 2p and 2p + 1
#pragma GCC unroll 4
    for (size_t p = 0; p < 4; ++p) {
      __m256i sums[2][kBands];
#pragma GCC unroll 2
      for (size_t j = 0; j < 2; ++j) {
        const size_t at = std::min(x + 2 * p + j, width - 1);
        const int16_t* from = planes + static_cast<size_t>(first[at]);
        const int16_t* own = weights + at * per_pixel;
#pragma GCC unroll 4
        for (size_t band = 0; band < kBands; ++band) {
          sums[j][band] = Weigh<kChunks>(from + band * plane_stride, own, count);
        }
      }
#pragma GCC unroll 4
      for (size_t band = 0; band < kBands; ++band) {
        pairs[band][p] = _mm256_hadd_epi32(sums[0][band], sums[1][band]);
      }
    }
    __m256i bands[4];
#pragma GCC unroll 4
    for (size_t band = 0; band < kBands; ++band) {
      const __m256i low = _mm256_hadd_epi32(pairs[band][0], pairs[band][1]);   // 0-3 | 0-3
      const __m256i high = _mm256_hadd_epi32(pairs[band][2], pairs[band][3]);  // 4-7 | 4-7
      const __m256i sum = _mm256_add_epi32(_mm256_permute2x128_si256(low, high, 0x20),
                                           _mm256_permute2x128_si256(low, high, 0x31));
      // Rounded to nearest.
      bands[band] = _mm256_sra_epi32(_mm256_add_epi32(sum, half), drop_bits);
    }
    for (size_t band = kBands; band < 4; ++band) bands[band] = bands[0];
    // Saturating packs to 16 then 8 bits are the clamp to 0..255; each 128-bit half then holds
    // four pixels band by band (pixels 0-3, then 4-7), which the shuffle interleaves.
    const __m256i bytes =
        _mm256_shuffle_epi8(_mm256_packus_epi16(_mm256_packs_epi32(bands[0], bands[1]),
                                                _mm256_packs_epi32(bands[2], bands[3])),
                            control);
    uint8_t* to = pixels + x * kBands;
    if ((x + 4) * kBands + 16 <= width * kBands) {
      // Whole 16-byte stores: the bytes past a half's pixels belong to pixels made later, which
      // overwrite them.
      _mm_storeu_si128(reinterpret_cast<__m128i*>(to), _mm256_castsi256_si128(bytes));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(to + 4 * kBands),
                       _mm256_extracti128_si256(bytes, 1));
    } else {
      alignas(32) uint8_t staged[32];
      _mm256_store_si256(reinterpret_cast<__m256i*>(staged), bytes);
      const size_t left = std::min<size_t>(width - x, 8);
      std::memcpy(to, staged, std::min<size_t>(left, 4) * kBands);
      if (left > 4) std::memcpy(to + 4 * kBands, staged + 16, (left - 4) * kBands);
    }
  }
}

// HorizontalBands for each number of bands (1-4) and of chunks (1, 2, more).
using HorizontalFunction = void (*)(const int16_t*, size_t, const int*, const int16_t*, size_t,
                                    size_t, int, uint8_t*);
constexpr HorizontalFunction kHorizontal[4][3] = {
    {HorizontalBands<1, 1>, HorizontalBands<1, 2>, HorizontalBands<1, 0>},
    {HorizontalBands<2, 1>, HorizontalBands<2, 2>, HorizontalBands<2, 0>},
    {HorizontalBands<3, 1>, HorizontalBands<3, 2>, HorizontalBands<3, 0>},
    {HorizontalBands<4, 1>, HorizontalBands<4, 2>, HorizontalBands<4, 0>},
};

// Each plane's bytes from every kBands-th byte of the row, 32 pixels a step: each 128-bit half
// of the kBands loads holds 16 bytes of one run of 16 pixels (the low halves the first run, the
// high halves the second), and a band's 16 bytes of a run gather from all of them, one vpshufb
// each (its control zeroes the bytes that belong to another load). The last pixels one by one.
template <size_t kBands>
struct SplitControls {
  // [band][load][byte]
  alignas(32) int8_t bytes[kBands][kBands][32];
  constexpr SplitControls() : bytes{} {
    for (size_t band = 0; band < kBands; ++band) {
      for (size_t load = 0; load < kBands; ++load) {
        for (size_t i = 0; i < 16; ++i) {
          const size_t from = kBands * i + band;  // within the run's 16 * kBands bytes
          const auto byte =
              static_cast<int8_t>(from / 16 == load ? static_cast<int>(from % 16) : -128);
          bytes[band][load][i] = byte;
          bytes[band][load][16 + i] = byte;
        }
      }
    }
  }
};

template <size_t kBands>
__attribute__((target("avx2"))) void SplitInto(const uint8_t* pixels, size_t width,
                                               size_t plane_stride, uint8_t* planes) {
  static constexpr SplitControls<kBands> kControls;
  const auto& controls = kControls.bytes;
  constexpr size_t kRun = 16 * kBands;  // the bytes of 16 pixels
  size_t x = 0;
  for (; x + 32 <= width; x += 32) {
    const uint8_t* run = pixels + x * kBands;
    __m256i loads[kBands];
#pragma GCC unroll 4
    for (size_t load = 0; load < kBands; ++load) {
      loads[load] = _mm256_inserti128_si256(
          _mm256_castsi128_si256(
              _mm_loadu_si128(reinterpret_cast<const __m128i*>(run + 16 * load))),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(run + kRun + 16 * load)), 1);
    }
#pragma GCC unroll 4
    for (size_t band = 0; band < kBands; ++band) {
      __m256i bytes = _mm256_setzero_si256();
#pragma GCC unroll 4
      for (size_t load = 0; load < kBands; ++load) {
        bytes = _mm256_or_si256(
            bytes, _mm256_shuffle_epi8(
                       loads[load],
                       _mm256_load_si256(reinterpret_cast<const __m256i*>(controls[band][load]))));
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(planes + band * plane_stride + x), bytes);
    }
  }
  for (; x < width; ++x) {
    for (size_t band = 0; band < kBands; ++band) {
      planes[band * plane_stride + x] = pixels[x * kBands + band];
    }
  }
}

}  // namespace

void SplitBands(const uint8_t* pixels, size_t width, size_t bands, size_t plane_stride,
                uint8_t* planes) {
  switch (bands) {
    case 1:
      std::memcpy(planes, pixels, width);
      return;
    case 2:
      return SplitInto<2>(pixels, width, plane_stride, planes);
    case 3:
      return SplitInto<3>(pixels, width, plane_stride, planes);
    default:
      return SplitInto<4>(pixels, width, plane_stride, planes);
  }
}

void HorizontalPass(const int16_t* planes, size_t plane_stride, const int* first,
                    const int16_t* weights, size_t chunks, size_t width, size_t bands, int shift,
                    uint8_t* pixels) {
  assert(bands >= 1 && bands <= 4 && chunks >= 1);
  kHorizontal[bands - 1][std::min<size_t>(chunks, 3) - 1](planes, plane_stride, first, weights,
                                                          chunks, width, shift, pixels);
}

#endif  // defined(__x86_64__)

}  // namespace pixfleet::lanczos3_fixed
