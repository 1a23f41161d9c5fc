#include "imaging/jpeg_writer.h"

#include <stdexcept>

#include <gtest/gtest.h>
#include <vips/vips8>

#include "imaging/engine_test_util.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

// A photo-like 8-bit image: smooth noise, so that the encoder has detail and gradients.
vips::VImage Picture(int width, int height, int bands) {
  vips::VImage noise =
      vips::VImage::gaussnoise(width, height, vips::VImage::option()->set("sigma", 60.0));
  for (int band = 1; band < bands; ++band) {
    noise = noise.bandjoin(vips::VImage::gaussnoise(
        width, height, vips::VImage::option()->set("sigma", 60.0)->set("mean", 100.0 + band)));
  }
  return noise.gaussblur(1.5)
      .cast(VIPS_FORMAT_UCHAR)
      .copy(vips::VImage::option()->set(
          "interpretation", bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB))
      .copy_memory();  // the writer reads the pixels where they lie
}

std::string Write(const vips::VImage& memory, const JpegSettings& settings) {
  const auto* data = static_cast<const uint8_t*>(memory.get_image()->data);
  const size_t line = static_cast<size_t>(memory.width()) * static_cast<size_t>(memory.bands());
  Result<std::string> bytes =
      EncodeJpeg({memory.width(), memory.height()}, memory.bands(), settings,
                 [&](int y) { return data + static_cast<size_t>(y) * line; });
  EXPECT_TRUE(bytes.ok()) << bytes.error().ToString();
  return bytes.ok() ? *bytes : std::string();
}

std::string Jpegsave(const vips::VImage& image, int quality) {
  return TakeBlob(image.jpegsave_buffer(
      vips::VImage::option()->set("Q", quality)->set("optimize_coding", true)->set("strip", true)));
}

double MaxDifference(const std::string& a, const std::string& b) {
  const vips::VImage left = vips::VImage::new_from_buffer(a, "");
  const vips::VImage right = vips::VImage::new_from_buffer(b, "");
  return (left.cast(VIPS_FORMAT_INT) - right.cast(VIPS_FORMAT_INT)).abs().max();
}

class JpegWriterTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { testing_imaging::InitEngineForTests(); }
};

// The same libjpeg with jpegsave's settings: the same coefficients, so the same pixels decoded.
TEST_F(JpegWriterTest, PixelsAreJpegsavesAtEachQualityAndSubsampling) {
  for (const int bands : {3, 1}) {
    const vips::VImage picture = Picture(301, 203, bands);  // not a whole number of MCUs
    for (const int quality : {40, 82, 89, 90, 97}) {
      const std::string ours = Write(picture, {.quality = quality});
      const std::string theirs = Jpegsave(picture, quality);
      EXPECT_EQ(MaxDifference(ours, theirs), 0) << bands << " bands, Q " << quality;
      // Only the headers may differ.
      EXPECT_NEAR(static_cast<double>(ours.size()), static_cast<double>(theirs.size()), 64)
          << bands << " bands, Q " << quality;
      const vips::VImage decoded = vips::VImage::new_from_buffer(ours, "");
      EXPECT_EQ(decoded.width(), 301);
      EXPECT_EQ(decoded.height(), 203);
      EXPECT_EQ(decoded.bands(), bands);
      if (bands == 3) {
        EXPECT_EQ(decoded.get_string("jpeg-chroma-subsample"),
                  std::string(quality >= 90 ? "4:4:4" : "4:2:0"))
            << "Q " << quality;
      }
    }
  }
}

TEST_F(JpegWriterTest, WritesTheResolutionAndNoMetadata) {
  const vips::VImage picture = Picture(64, 48, 3);
  const vips::VImage decoded =
      vips::VImage::new_from_buffer(Write(picture, {.quality = 80, .dots_per_inch = 300}), "");
  EXPECT_NEAR(decoded.xres() * 25.4, 300, 0.01);
  EXPECT_NEAR(decoded.yres() * 25.4, 300, 0.01);
  EXPECT_EQ(vips_image_get_typeof(decoded.get_image(), "exif-data"), 0u);
  EXPECT_EQ(vips_image_get_typeof(decoded.get_image(), VIPS_META_ICC_NAME), 0u);
}

TEST_F(JpegWriterTest, WithoutHuffmanOptimisationTheFileIsLargerAndTheSamePixels) {
  const vips::VImage picture = Picture(200, 150, 3);
  const std::string optimised = Write(picture, {.quality = 82});
  const std::string plain = Write(picture, {.quality = 82, .optimize_coding = false});
  EXPECT_GT(plain.size(), optimised.size());
  EXPECT_EQ(MaxDifference(plain, optimised), 0);
}

TEST_F(JpegWriterTest, OnePixel) {
  const vips::VImage picture = Picture(1, 1, 3);
  const vips::VImage decoded = vips::VImage::new_from_buffer(Write(picture, {}), "");
  EXPECT_EQ(decoded.width(), 1);
  EXPECT_EQ(decoded.height(), 1);
}

TEST_F(JpegWriterTest, RefusesWhatJpegCannotHold) {
  const uint8_t pixel[4] = {};
  const RowSource row = [&](int /*y*/) { return pixel; };
  EXPECT_EQ(EncodeJpeg({1, 1}, 4, {}, row).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeJpeg({1, 1}, 2, {}, row).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeJpeg({0, 5}, 3, {}, row).error().code(), StatusCode::kInvalidArgument);
  const Result<std::string> wide = EncodeJpeg({70000, 1}, 3, {}, row);
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wide.error().message().find("70000x1"), std::string::npos) << wide.error().message();
}

// A row source that fails midway (a corrupt input, a deadline): the exception reaches the caller
// and the encoder's memory is released (the ASan run would report a leak).
TEST_F(JpegWriterTest, ARowSourceThatThrowsLeavesNothingBehind) {
  const vips::VImage picture = Picture(100, 100, 3);
  const auto* data = static_cast<const uint8_t*>(picture.get_image()->data);
  const RowSource failing = [&](int y) -> const uint8_t* {
    if (y == 60) throw std::runtime_error("input broke at row 60");
    return data + static_cast<size_t>(y) * 300;
  };
  EXPECT_THROW((void)EncodeJpeg({100, 100}, 3, {}, failing), std::runtime_error);
}

}  // namespace
}  // namespace pixfleet
