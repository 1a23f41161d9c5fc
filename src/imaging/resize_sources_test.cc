#include "imaging/resize_sources.h"

#include <gtest/gtest.h>
#include <vips/vips8>

#include "imaging/engine_test_util.h"

namespace pixfleet {
namespace {

vips::VImage Black(int width, int height) {
  return vips::VImage::black(width, height).copy_memory();
}

Size SizeOf(const vips::VImage& image) { return {image.width(), image.height()}; }

class ResizeSourcesTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { testing_imaging::InitEngineForTests(); }
};

TEST_F(ResizeSourcesTest, CoveringPicksTheSmallestImageLargeEnoughInBothAxes) {
  ResizeSources sources(Black(1600, 1000));
  sources.Add(Black(512, 320));
  sources.Add(Black(800, 500));
  EXPECT_EQ(SizeOf(sources.Covering({400, 250})), (Size{512, 320}));
  EXPECT_EQ(SizeOf(sources.Covering({512, 320})), (Size{512, 320}));
  EXPECT_EQ(SizeOf(sources.Covering({513, 100})), (Size{800, 500}));
  EXPECT_EQ(SizeOf(sources.Covering({100, 321})), (Size{800, 500}));
  EXPECT_EQ(SizeOf(sources.Covering({1000, 600})), (Size{1600, 1000}));
}

TEST_F(ResizeSourcesTest, NothingCoversAnEnlargementButTheDecodedImage) {
  ResizeSources sources(Black(1600, 1000));
  sources.Add(Black(512, 320));
  EXPECT_EQ(SizeOf(sources.Covering({3200, 2000})), (Size{1600, 1000}));
  EXPECT_EQ(SizeOf(sources.Decoded()), (Size{1600, 1000}));
}

TEST_F(ResizeSourcesTest, TheAnalysesGetTheSmallestImageWithALongEnoughSide) {
  ResizeSources sources(Black(1600, 1000));
  sources.Add(Black(200, 125));
  sources.Add(Black(512, 320));
  EXPECT_EQ(SizeOf(sources.WithLongSideAtLeast(256)), (Size{512, 320}));
  EXPECT_EQ(SizeOf(sources.WithLongSideAtLeast(200)), (Size{200, 125}));
  EXPECT_EQ(SizeOf(sources.WithLongSideAtLeast(2000)), (Size{1600, 1000}));
}

}  // namespace
}  // namespace pixfleet
