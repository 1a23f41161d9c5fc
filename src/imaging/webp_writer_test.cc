#include "imaging/webp_writer.h"

#include <cmath>

#include <gtest/gtest.h>
#include <vips/vips8>

#include "imaging/compute_here.h"
#include "imaging/engine_test_util.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

vips::VImage Picture(int width, int height, bool alpha) {
  vips::VImage picture =
      vips::VImage::gaussnoise(width, height, vips::VImage::option()->set("sigma", 60.0));
  picture = picture.bandjoin(picture.rot180().linear(0.5, 60))
                .bandjoin(picture.flip(VIPS_DIRECTION_HORIZONTAL));
  if (alpha) picture = picture.bandjoin(picture[0].linear(0.2, 150));
  return picture.gaussblur(1.5)
      .cast(VIPS_FORMAT_UCHAR)
      .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
      .copy_memory();  // the writer reads the pixels where they lie
}

// Root mean square difference over the colour bands, decoded.
double RmsError(const vips::VImage& original, const std::string& encoded) {
  const vips::VImage decoded = vips::VImage::new_from_buffer(encoded, "");
  const vips::VImage difference =
      original.extract_band(0, vips::VImage::option()->set("n", 3)).cast(VIPS_FORMAT_FLOAT) -
      decoded.extract_band(0, vips::VImage::option()->set("n", 3)).cast(VIPS_FORMAT_FLOAT);
  return std::sqrt((difference * difference).avg());
}

class WebpWriterTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { testing_imaging::InitEngineForTests(); }
};

// Same libwebp, webpsave's settings: as faithful and as small as webpsave's file at the same
// quality and effort, for every effort.
TEST_F(WebpWriterTest, AsGoodAsWebpsaveAtTheSameQualityAndEffort) {
  const vips::VImage picture = Picture(513, 341, false);
  for (const int method : {0, 2, 4, 6}) {
    for (const int quality : {50, 80, 95}) {
      const Result<std::string> ours = EncodeWebp(PixelsOf(picture), quality, method);
      ASSERT_TRUE(ours.ok()) << ours.error().ToString();
      const std::string theirs = TakeBlob(picture.webpsave_buffer(
          vips::VImage::option()->set("Q", quality)->set("effort", method)->set("strip", true)));
      const vips::VImage decoded = vips::VImage::new_from_buffer(*ours, "");
      EXPECT_EQ(decoded.width(), 513);
      EXPECT_EQ(decoded.height(), 341);
      EXPECT_EQ(decoded.bands(), 3);
      EXPECT_LE(RmsError(picture, *ours), RmsError(picture, theirs) * 1.02)
          << "Q " << quality << " method " << method;
      EXPECT_LE(static_cast<double>(ours->size()), static_cast<double>(theirs.size()) * 1.02)
          << "Q " << quality << " method " << method;
    }
  }
}

// The method is passed through: libwebp's fastest and slowest searches give different files.
TEST_F(WebpWriterTest, MethodChangesTheSearch) {
  const vips::VImage picture = Picture(513, 341, false);
  const Result<std::string> fastest = EncodeWebp(PixelsOf(picture), 80, 0);
  const Result<std::string> slowest = EncodeWebp(PixelsOf(picture), 80, 6);
  ASSERT_TRUE(fastest.ok() && slowest.ok());
  EXPECT_NE(*fastest, *slowest);
}

TEST_F(WebpWriterTest, KeepsAlphaWhole) {
  const vips::VImage picture = Picture(120, 80, true);
  const Result<std::string> bytes = EncodeWebp(PixelsOf(picture), 80, 4);
  ASSERT_TRUE(bytes.ok()) << bytes.error().ToString();
  const vips::VImage decoded = vips::VImage::new_from_buffer(*bytes, "");
  ASSERT_EQ(decoded.bands(), 4);
  EXPECT_EQ((decoded[3].cast(VIPS_FORMAT_INT) - picture[3].cast(VIPS_FORMAT_INT)).abs().max(), 0);
}

TEST_F(WebpWriterTest, RefusesWhatWebpCannotHold) {
  const std::vector<uint8_t> row(size_t{20000} * 3);
  EXPECT_EQ(EncodeWebp({row.data(), 20000, 20000, 1, 1}, 80, 4).error().code(),
            StatusCode::kInvalidArgument);
  const Result<std::string> wide = EncodeWebp({row.data(), 60000, 20000, 1, 3}, 80, 4);
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wide.error().message().find("16383"), std::string::npos) << wide.error().message();
}

}  // namespace
}  // namespace pixfleet
