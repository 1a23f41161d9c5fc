#include "imaging/analysis.h"

#include <cmath>
#include <set>
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

// An 8-bit image with a value function, `bands` equal samples per pixel.
struct Samples {
  Size size;
  int bands = 1;
  std::vector<uint8_t> data;

  template <typename Value>
  Samples(Size size_, int bands_, Value value) : size(size_), bands(bands_) {
    for (int y = 0; y < size.height; ++y) {
      for (int x = 0; x < size.width; ++x) {
        for (int band = 0; band < bands; ++band) data.push_back(value(x, y, band));
      }
    }
  }
  PixelRows Rows() const {
    return {data.data(), static_cast<size_t>(size.width) * static_cast<size_t>(bands), size.width,
            size.height, bands};
  }
};

TEST(BandMeansTest, AreTheMeansOfEachBand) {
  const Samples image({5, 3}, 4, [](int x, int y, int band) {
    return static_cast<uint8_t>(band == 3 ? 255 : 10 * band + x + y);
  });
  const std::vector<double> means = BandMeans(image.Rows());
  ASSERT_EQ(means.size(), 4u);
  // x + y over 5x3 averages 2 + 1.
  EXPECT_DOUBLE_EQ(means[0], 3.0);
  EXPECT_DOUBLE_EQ(means[1], 13.0);
  EXPECT_DOUBLE_EQ(means[2], 23.0);
  EXPECT_DOUBLE_EQ(means[3], 255.0);
}

TEST(StoredPositionTest, EveryOrientationMapsTheUprightImageOntoTheStoredOneOnce) {
  const Size stored{3, 2};
  for (int orientation = 1; orientation <= 8; ++orientation) {
    const Size upright = OrientationSwapsAxes(orientation) ? Size{2, 3} : stored;
    std::set<std::pair<int, int>> seen;
    for (int y = 0; y < upright.height; ++y) {
      for (int x = 0; x < upright.width; ++x) {
        const Position from = StoredPosition(x, y, stored, orientation);
        ASSERT_GE(from.x, 0);
        ASSERT_LT(from.x, stored.width);
        ASSERT_GE(from.y, 0);
        ASSERT_LT(from.y, stored.height);
        seen.insert({from.x, from.y});
      }
    }
    EXPECT_EQ(seen.size(), 6u) << "orientation " << orientation;
  }
  // Turned 90° clockwise to view: the stored image's bottom-left corner is the upright top-left.
  EXPECT_EQ(StoredPosition(0, 0, stored, 6), (Position{0, 1}));
  // Turned 90° anticlockwise to view: the stored top-right corner is the upright top-left.
  EXPECT_EQ(StoredPosition(0, 0, stored, 8), (Position{2, 0}));
}

TEST(DifferenceHashOfPixelsTest, GradientsGiveAllOnesOrZero) {
  const Samples falling({400, 300}, 3, [](int x, int /*y*/, int /*band*/) {
    return static_cast<uint8_t>(255 - x * 255 / 399);
  });
  EXPECT_EQ(DifferenceHashOfPixels(falling.Rows(), 1).value(), ~uint64_t{0});
  // The same pixels stored turned 180°: upright, they rise from left to right.
  EXPECT_EQ(DifferenceHashOfPixels(falling.Rows(), 3).value(), uint64_t{0});
  // Brighter at the top, turned 90° clockwise to view: the top ends on the right, rising.
  const Samples top_bright({300, 400}, 1, [](int /*x*/, int y, int /*band*/) {
    return static_cast<uint8_t>(255 - y * 255 / 399);
  });
  EXPECT_EQ(DifferenceHashOfPixels(top_bright.Rows(), 6).value(), uint64_t{0});
  EXPECT_EQ(DifferenceHashOfPixels(top_bright.Rows(), 8).value(), ~uint64_t{0});
}

// The hash of an image stored in any orientation is the hash of its upright pixels, for sizes
// that average in whole blocks either way.
TEST(DifferenceHashOfPixelsTest, AnyStoredOrientationHashesAsUpright) {
  const auto value = [](int x, int y) {
    return static_cast<uint8_t>(128 + 100 * std::sin(x * 0.21 + y * 0.13) * std::cos(y * 0.07));
  };
  const Size upright{144, 128};
  const Samples straight(upright, 3, [&](int x, int y, int /*band*/) { return value(x, y); });
  const uint64_t expected = DifferenceHashOfPixels(straight.Rows(), 1).value();
  EXPECT_NE(expected, 0u);
  EXPECT_NE(expected, ~uint64_t{0});
  for (int orientation = 2; orientation <= 8; ++orientation) {
    const Size stored =
        OrientationSwapsAxes(orientation) ? Size{upright.height, upright.width} : upright;
    // Stored pixel at StoredPosition(x, y) holds upright pixel (x, y).
    std::vector<uint8_t> data(static_cast<size_t>(stored.width * stored.height) * 3);
    for (int y = 0; y < upright.height; ++y) {
      for (int x = 0; x < upright.width; ++x) {
        const Position at = StoredPosition(x, y, stored, orientation);
        for (size_t band = 0; band < 3; ++band) {
          data[(static_cast<size_t>(at.y) * static_cast<size_t>(stored.width) +
                static_cast<size_t>(at.x)) *
                   3 +
               band] = value(x, y);
        }
      }
    }
    const PixelRows rows{data.data(), static_cast<size_t>(stored.width) * 3, stored.width,
                         stored.height, 3};
    EXPECT_EQ(DifferenceHashOfPixels(rows, orientation).value(), expected)
        << "orientation " << orientation;
  }
}

TEST(DifferenceHashOfPixelsTest, RejectsImagesSmallerThanTheHash) {
  const Samples tiny({8, 8}, 3, [](int, int, int) { return uint8_t{7}; });
  EXPECT_EQ(DifferenceHashOfPixels(tiny.Rows(), 1).error().code(), StatusCode::kInvalidArgument);
  const Samples tall({8, 9}, 3, [](int, int, int) { return uint8_t{7}; });
  EXPECT_TRUE(DifferenceHashOfPixels(tall.Rows(), 6).ok());  // 8x9 stored is 9x8 upright
  const Samples five({20, 20}, 5, [](int, int, int) { return uint8_t{7}; });
  EXPECT_EQ(DifferenceHashOfPixels(five.Rows(), 1).error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pixfleet
