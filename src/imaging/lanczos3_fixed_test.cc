#include "imaging/lanczos3_fixed.h"

#include <cmath>
#include <cstdlib>
#include <numeric>

#include <gtest/gtest.h>

namespace pixfleet::lanczos3_fixed {
namespace {

int32_t Sum(const std::vector<int16_t>& weights) {
  return std::accumulate(weights.begin(), weights.end(), int32_t{0});
}

TEST(Lanczos3FixedTest, EveryOutputsWeightsSumToExactlyOneAtItsShift) {
  for (const auto& [in, out] : {std::pair{3000, 1600}, std::pair{129, 128}, std::pair{50, 1},
                                std::pair{800, 97}, std::pair{7, 7}}) {
    const Lanczos3Taps taps = MakeLanczos3Taps(in, out);
    for (size_t o = 0; o < static_cast<size_t>(out); ++o) {
      const auto count = static_cast<size_t>(taps.count[o]);
      const float* weights = &taps.weights[o * static_cast<size_t>(taps.stride)];
      double largest = 0.0;
      double absolute_sum = 0.0;
      for (size_t k = 0; k < count; ++k) {
        largest = std::max(largest, std::abs(static_cast<double>(weights[k])));
        absolute_sum += std::abs(static_cast<double>(weights[k]));
      }
      const int shift = ShiftFor(largest, absolute_sum, 255.0);
      std::vector<int16_t> fixed(count);
      Quantize(weights, count, shift, fixed.data());
      ASSERT_EQ(Sum(fixed), int32_t{1} << shift) << in << " -> " << out << ", output " << o;
      for (size_t k = 0; k < count; ++k) {
        ASSERT_LE(std::abs(fixed[k]), 16384 + static_cast<int>(count));
        // 15 significant bits for the largest weight: each within a few units of the float.
        ASSERT_NEAR(fixed[k], std::ldexp(weights[k], shift), 0.5 + static_cast<double>(count))
            << in << " -> " << out << ", output " << o << ", tap " << k;
      }
      EXPECT_GE(largest * std::ldexp(1.0, shift), 8192.0) << "the shift must use the bits";
    }
  }
}

TEST(Lanczos3FixedTest, TheShiftKeepsEverySumInsideThirtyTwoBits) {
  // The horizontal pass's inputs: up to 255 * 64 * 1.3 in magnitude.
  const double largest_input = 255.0 * 64 * 1.3;
  for (const double largest : {1.0, 0.5, 0.1, 0.01}) {
    const double absolute_sum = 1.3;
    const int shift = ShiftFor(largest, absolute_sum, largest_input);
    EXPECT_LE(largest * std::ldexp(1.0, shift), 16384.0);
    EXPECT_LT(absolute_sum * std::ldexp(1.0, shift) * largest_input, 2147483648.0 / 2);
    // And it is the largest such shift: one more breaks one bound or the other.
    EXPECT_TRUE(largest * std::ldexp(1.0, shift + 1) > 16384.0 ||
                absolute_sum * std::ldexp(1.0, shift + 1) * largest_input >= 2147483648.0 / 2)
        << largest;
  }
}

TEST(Lanczos3FixedTest, PixelWeightsHoldEachPixelsTapsThenZerosToWholeChunks) {
  const Lanczos3Taps columns = MakeLanczos3Taps(300, 97);  // 19-20 taps: two chunks
  const size_t chunks = ChunksFor(columns);
  ASSERT_EQ(chunks, size_t{2});
  const int shift = 15;
  const std::vector<int16_t> weights = PixelWeights(columns, 97, shift, chunks);
  const auto stride = static_cast<size_t>(columns.stride);
  const size_t per_pixel = chunks * kChunk;
  ASSERT_EQ(weights.size(), size_t{97} * per_pixel);
  for (size_t pixel = 0; pixel < 97; ++pixel) {
    const auto count = static_cast<size_t>(columns.count[pixel]);
    std::vector<int16_t> own(count);
    Quantize(&columns.weights[pixel * stride], count, shift, own.data());
    for (size_t k = 0; k < per_pixel; ++k) {
      ASSERT_EQ(weights[pixel * per_pixel + k], k < count ? own[k] : 0)
          << "pixel " << pixel << ", tap " << k;
    }
  }
}

TEST(Lanczos3FixedTest, SplitBandsPutsEachBandInItsPlaneAndLeavesThePaddingAlone) {
  // 75 pixels: two steps of 32 and a tail of 11.
  for (size_t bands = 1; bands <= 4; ++bands) {
    const size_t width = 75;
    const size_t plane_stride = 96;
    std::vector<uint8_t> pixels(width * bands);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7 + 3);
    std::vector<uint8_t> planes(plane_stride * bands, 0xAB);
    SplitBands(pixels.data(), width, bands, plane_stride, planes.data());
    for (size_t band = 0; band < bands; ++band) {
      for (size_t x = 0; x < plane_stride; ++x) {
        const uint8_t expected = x < width ? pixels[x * bands + band] : 0xAB;
        ASSERT_EQ(planes[band * plane_stride + x], expected)
            << bands << " bands: band " << band << ", pixel " << x;
      }
    }
  }
}

}  // namespace
}  // namespace pixfleet::lanczos3_fixed
