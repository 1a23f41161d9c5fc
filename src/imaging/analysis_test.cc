#include "imaging/analysis.h"

#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

// A 9x8 grey image from a function of (x, y).
template <typename F>
std::vector<uint8_t> Grey9x8(F value) {
  std::vector<uint8_t> pixels;
  for (int y = 0; y < kDhashHeight; ++y) {
    for (int x = 0; x < kDhashWidth; ++x) pixels.push_back(static_cast<uint8_t>(value(x, y)));
  }
  return pixels;
}

TEST(DifferenceHashTest, RisingRowsGiveZero) {
  const auto pixels = Grey9x8([](int x, int) { return 10 + 20 * x; });
  EXPECT_EQ(DifferenceHash(pixels, 1).value(), 0u);
}

TEST(DifferenceHashTest, FallingRowsGiveAllOnes) {
  const auto pixels = Grey9x8([](int x, int) { return 200 - 20 * x; });
  EXPECT_EQ(DifferenceHash(pixels, 1).value(), ~uint64_t{0});
}

TEST(DifferenceHashTest, RowMajorWithTheFirstBitMostSignificant) {
  // Only the first comparison of the first row (x=0 brighter than x=1) is true.
  auto pixels = Grey9x8([](int x, int) { return 10 * x; });
  pixels[0] = 255;
  EXPECT_EQ(DifferenceHash(pixels, 1).value(), uint64_t{1} << 63);
  // Only the last comparison of the last row.
  pixels = Grey9x8([](int x, int) { return 10 * x; });
  pixels[7 * 9 + 7] = 255;
  EXPECT_EQ(DifferenceHash(pixels, 1).value(), uint64_t{1});
}

TEST(DifferenceHashTest, EqualNeighboursAreNotBrighter) {
  const auto pixels = Grey9x8([](int, int) { return 128; });
  EXPECT_EQ(DifferenceHash(pixels, 1).value(), 0u);
}

TEST(DifferenceHashTest, ColourUsesLumaAndIgnoresAlpha) {
  // Pure green (luma 150) left of pure red (luma 76): brighter, whatever alpha says.
  std::vector<uint8_t> rgba;
  for (int y = 0; y < kDhashHeight; ++y) {
    for (int x = 0; x < kDhashWidth; ++x) {
      const bool green = x % 2 == 0;
      rgba.insert(rgba.end(),
                  {static_cast<uint8_t>(green ? 0 : 255), static_cast<uint8_t>(green ? 255 : 0), 0,
                   static_cast<uint8_t>(x * 30)});
    }
  }
  // Per row: bits 1,0,1,0,1,0,1,0 -> 0xAA.
  EXPECT_EQ(DifferenceHash(rgba, 4).value(), 0xAAAAAAAAAAAAAAAAull);
}

TEST(DifferenceHashTest, RejectsWrongSizes) {
  const std::vector<uint8_t> too_few(71, 0);
  EXPECT_EQ(DifferenceHash(too_few, 1).error().code(), StatusCode::kInvalidArgument);
  const std::vector<uint8_t> grey(72, 0);
  EXPECT_FALSE(DifferenceHash(grey, 3).ok());
  EXPECT_FALSE(DifferenceHash(grey, 0).ok());
}

TEST(Luma601Test, MatchesPil) {
  EXPECT_EQ(Luma601(255, 255, 255), 255);
  EXPECT_EQ(Luma601(0, 0, 0), 0);
  EXPECT_EQ(Luma601(255, 0, 0), 76);
  EXPECT_EQ(Luma601(0, 255, 0), 150);
  EXPECT_EQ(Luma601(0, 0, 255), 29);
}

TEST(MeanColourTest, GreyRepeatsAndAlphaIsIgnored) {
  const std::vector<double> grey = {42.5};
  EXPECT_EQ(MeanColourFromBandMeans(grey).value(), (std::array<double, 3>{42.5, 42.5, 42.5}));
  const std::vector<double> grey_alpha = {42.5, 10};
  EXPECT_EQ(MeanColourFromBandMeans(grey_alpha).value(), (std::array<double, 3>{42.5, 42.5, 42.5}));
  const std::vector<double> rgba = {1, 2, 3, 4};
  EXPECT_EQ(MeanColourFromBandMeans(rgba).value(), (std::array<double, 3>{1, 2, 3}));
  const std::vector<double> five = {1, 2, 3, 4, 5};
  EXPECT_FALSE(MeanColourFromBandMeans(five).ok());
}

}  // namespace
}  // namespace pixfleet
