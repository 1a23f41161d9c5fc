#include "imaging/attention.h"

#include <array>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

struct Canvas {
  int width = 0;
  int height = 0;
  int bands = 3;
  std::vector<uint8_t> data;

  Canvas(int width_, int height_, int bands_, uint8_t fill)
      : width(width_),
        height(height_),
        bands(bands_),
        data(static_cast<size_t>(width_) * static_cast<size_t>(height_) *
                 static_cast<size_t>(bands_),
             fill) {}

  uint8_t* At(int x, int y) {
    return data.data() +
           (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) *
               static_cast<size_t>(bands);
  }
  void Fill(int x0, int y0, int x1, int y1, std::initializer_list<uint8_t> pixel) {
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) std::copy(pixel.begin(), pixel.end(), At(x, y));
    }
  }
  // Black and white squares of `square` pixels, alpha (if any) left alone.
  void Checker(int x0, int y0, int x1, int y1, int square) {
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const uint8_t value = ((x / square + y / square) % 2) != 0 ? 255 : 0;
        for (int band = 0; band < (bands == 2 || bands == 4 ? bands - 1 : bands); ++band) {
          At(x, y)[band] = value;
        }
      }
    }
  }
  PixelRows Rows() const {
    return {data.data(), static_cast<size_t>(width) * static_cast<size_t>(bands), width, height,
            bands};
  }
};

TEST(AttentionMapTest, CellsCoverTheImageWithAtMost64AlongTheLongerSide) {
  const Canvas canvas(384, 256, 3, 128);
  const AttentionMap map = MakeAttentionMap(canvas.Rows());
  EXPECT_EQ(map.cell, 6);
  EXPECT_EQ(map.columns, 64);
  EXPECT_EQ(map.rows, 43);  // the last row of cells is 4 pixels tall
  EXPECT_EQ(map.score.size(), 64u * 43u);

  const Canvas tiny(3, 1, 1, 0);
  const AttentionMap one = MakeAttentionMap(tiny.Rows());
  EXPECT_EQ(one.cell, 1);
  EXPECT_EQ(one.columns, 3);
  EXPECT_EQ(one.rows, 1);
}

TEST(AttentionMapTest, DetailSkinAndColourScoreAboveFlatGrey) {
  Canvas canvas(256, 64, 3, 128);
  canvas.Checker(64, 0, 128, 64, 2);
  canvas.Fill(128, 0, 192, 64, {224, 172, 140});  // a light complexion
  canvas.Fill(192, 0, 256, 64, {230, 20, 30});    // saturated red
  const AttentionMap map = MakeAttentionMap(canvas.Rows());
  ASSERT_EQ(map.cell, 4);
  const double grey = map.At(4, 8);
  const double detail = map.At(20, 8);
  const double skin = map.At(36, 8);
  const double colour = map.At(52, 8);
  EXPECT_EQ(grey, 0.0);
  EXPECT_NEAR(detail, 1.0, 1e-9);  // saturates at kDetailFull
  EXPECT_GT(skin, 1.0);            // weight 2, close to the centre of skin tones
  EXPECT_GT(colour, 0.3);
  EXPECT_LT(colour, skin);
}

TEST(AttentionMapTest, SkinTonesOfDarkAndPaleComplexionsCount) {
  using Colour = std::array<uint8_t, 3>;
  // The score of an 8x8 image of one colour: one cell.
  const auto score = [](const Colour& colour) {
    Canvas canvas(8, 8, 3, 0);
    canvas.Fill(0, 0, 8, 8, {colour[0], colour[1], colour[2]});
    return MakeAttentionMap(canvas.Rows()).At(0, 0);
  };
  const auto name = [](const Colour& colour) {
    return std::to_string(colour[0]) + "," + std::to_string(colour[1]) + "," +
           std::to_string(colour[2]);
  };
  for (const Colour& tone :
       {Colour{255, 219, 172}, Colour{224, 172, 140}, Colour{198, 134, 66}, Colour{141, 85, 36}}) {
    EXPECT_GT(score(tone), 0.5) << name(tone);
  }
  for (const Colour& other :
       {Colour{60, 120, 200}, Colour{40, 160, 60}, Colour{200, 200, 200}, Colour{20, 12, 8}}) {
    EXPECT_LT(score(other), 0.5) << name(other);
  }
}

TEST(AttentionCropTest, FlatImageKeepsTheCentre) {
  const Canvas grey(384, 256, 3, 128);
  EXPECT_EQ(AttentionCropOrigin(grey.Rows(), {256, 256}), (CropOrigin{64, 0}));
  const Canvas red(200, 301, 3, 0);
  Canvas filled = red;
  filled.Fill(0, 0, 200, 301, {220, 30, 30});  // scores everywhere, the same everywhere
  EXPECT_EQ(AttentionCropOrigin(filled.Rows(), {200, 200}), (CropOrigin{0, 50}));
}

TEST(AttentionCropTest, ACropOfTheWholeImageStartsAtTheCorner) {
  Canvas canvas(50, 40, 3, 128);
  canvas.Checker(0, 0, 10, 10, 1);
  EXPECT_EQ(AttentionCropOrigin(canvas.Rows(), {50, 40}), (CropOrigin{0, 0}));
}

TEST(AttentionCropTest, FollowsDetailToTheRightEdge) {
  Canvas canvas(384, 256, 3, 128);
  canvas.Checker(330, 100, 380, 150, 2);
  EXPECT_EQ(AttentionCropOrigin(canvas.Rows(), {256, 256}), (CropOrigin{128, 0}));
}

TEST(AttentionCropTest, KeepsAFaceNearTheLeftEdge) {
  Canvas canvas(384, 256, 3, 128);
  canvas.Fill(10, 60, 90, 160, {224, 172, 140});
  const CropOrigin origin = AttentionCropOrigin(canvas.Rows(), {256, 256});
  EXPECT_EQ(origin.y, 0);
  EXPECT_LE(origin.x, 10);  // the whole face inside
}

TEST(AttentionCropTest, MovesDownToSaturatedColourInATallImage) {
  Canvas canvas(200, 400, 3, 90);
  canvas.Fill(40, 330, 160, 390, {20, 40, 230});
  const CropOrigin origin = AttentionCropOrigin(canvas.Rows(), {200, 200});
  EXPECT_EQ(origin.x, 0);
  EXPECT_GE(origin.y, 190);  // the patch's bottom edge inside
  EXPECT_LE(origin.y, 200);
}

TEST(AttentionCropTest, SearchesBothAxesForACropOfBoth) {
  Canvas canvas(300, 300, 3, 128);
  canvas.Checker(220, 230, 290, 290, 3);
  const CropOrigin origin = AttentionCropOrigin(canvas.Rows(), {100, 100});
  EXPECT_GE(origin.x, 190);
  EXPECT_LE(origin.x, 220);
  EXPECT_GE(origin.y, 190);
  EXPECT_LE(origin.y, 230);
}

TEST(AttentionCropTest, InterestThatFitsInManyWindowsKeepsTheCentre) {
  Canvas canvas(384, 256, 3, 128);
  canvas.Checker(150, 20, 234, 200, 2);  // inside every window from x = 0 to 128
  EXPECT_EQ(AttentionCropOrigin(canvas.Rows(), {256, 256}), (CropOrigin{64, 0}));
}

TEST(AttentionCropTest, TransparentPixelsDrawNoAttention) {
  Canvas canvas(384, 256, 4, 0);
  canvas.Fill(0, 0, 384, 256, {128, 128, 128, 255});
  canvas.Checker(0, 0, 120, 256, 2);
  for (int y = 0; y < 256; ++y) {
    for (int x = 0; x < 120; ++x) canvas.At(x, y)[3] = 0;  // the busy part is invisible
  }
  canvas.Fill(300, 100, 360, 140, {220, 30, 30, 255});
  // The red patch inside (the outline at x = 120 may be too); ignoring alpha would give x = 0.
  const CropOrigin origin = AttentionCropOrigin(canvas.Rows(), {256, 256});
  EXPECT_GE(origin.x, 104);
  EXPECT_EQ(origin.y, 0);
}

TEST(AttentionCropTest, GreyImagesUseTheirOneBand) {
  Canvas canvas(256, 384, 1, 60);
  canvas.Checker(0, 0, 256, 60, 2);
  EXPECT_EQ(AttentionCropOrigin(canvas.Rows(), {256, 256}), (CropOrigin{0, 0}));
  Canvas with_alpha(256, 384, 2, 255);
  with_alpha.Fill(0, 0, 256, 384, {60, 255});
  with_alpha.Checker(0, 324, 256, 384, 2);
  EXPECT_EQ(AttentionCropOrigin(with_alpha.Rows(), {256, 256}), (CropOrigin{0, 128}));
}

TEST(AttentionCropTest, ReadsRowsByTheirStrideNotTheirWidth) {
  Canvas canvas(100, 60, 3, 128);
  canvas.Checker(70, 0, 100, 60, 2);
  // The same pixels with 7 bytes of busy padding after each row.
  const size_t line = 300;
  std::vector<uint8_t> padded;
  for (int y = 0; y < 60; ++y) {
    const uint8_t* row = canvas.data.data() + static_cast<size_t>(y) * line;
    padded.insert(padded.end(), row, row + line);
    for (int i = 0; i < 7; ++i) padded.push_back(static_cast<uint8_t>(i % 2 != 0 ? 255 : 0));
  }
  const PixelRows rows{padded.data(), line + 7, 100, 60, 3};
  EXPECT_EQ(AttentionCropOrigin(rows, {60, 60}), AttentionCropOrigin(canvas.Rows(), {60, 60}));
  EXPECT_EQ(AttentionCropOrigin(rows, {60, 60}), (CropOrigin{40, 0}));
}

TEST(AttentionCropTest, TheWindowAlwaysLiesInsideTheImage) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 100; ++trial) {
    const int width = std::uniform_int_distribution<int>(1, 200)(random);
    const int height = std::uniform_int_distribution<int>(1, 200)(random);
    const int bands = std::uniform_int_distribution<int>(1, 4)(random);
    Canvas canvas(width, height, bands, 0);
    std::uniform_int_distribution<int> value(0, 255);
    for (uint8_t& sample : canvas.data) sample = static_cast<uint8_t>(value(random));
    const Size crop{std::uniform_int_distribution<int>(1, width)(random),
                    std::uniform_int_distribution<int>(1, height)(random)};
    const CropOrigin origin = AttentionCropOrigin(canvas.Rows(), crop);
    ASSERT_GE(origin.x, 0) << width << "x" << height << " crop " << crop.width;
    ASSERT_GE(origin.y, 0) << width << "x" << height << " crop " << crop.height;
    ASSERT_LE(origin.x + crop.width, width) << width << "x" << height;
    ASSERT_LE(origin.y + crop.height, height) << width << "x" << height;
  }
}

}  // namespace
}  // namespace pixfleet
