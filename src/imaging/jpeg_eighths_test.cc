#include "imaging/jpeg_eighths.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <vips/vips8>

#include "imaging/engine_test_util.h"
#include "imaging/vips_util.h"
#include "testing/image_similarity.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"

namespace pixfleet {
namespace {

using namespace testing_imaging;  // NOLINT(google-build-using-namespace): test helpers only

const Deadline& Unhurried() {
  static const Deadline deadline(std::chrono::hours(1));
  return deadline;
}

std::string Encoded(const vips::VImage& image, const char* suffix) {
  void* buffer = nullptr;
  size_t length = 0;
  image.write_to_buffer(suffix, &buffer, &length);
  std::string bytes(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return bytes;
}

std::optional<vips::VImage> DecodeBytes(const std::string& bytes, int eighths) {
  return DecodeJpegInEighths(EncodedInput::FromBytes(bytes), eighths, Unhurried());
}

class JpegEighthsTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { InitEngineForTests(); }
};

TEST(JpegEighthsForTest, TheSmallestEighthThatCoversTheBox) {
  EXPECT_EQ(JpegEighthsFor({6000, 4000}, {1600, 1067}), 3);  // 2250x1500
  EXPECT_EQ(JpegEighthsFor({4000, 3000}, {1600, 1200}), 4);  // 3.2 eighths needed
  EXPECT_EQ(JpegEighthsFor({5472, 3648}, {1600, 1067}), 3);
  EXPECT_EQ(JpegEighthsFor({1600, 1200}, {1600, 1200}), 8);
  EXPECT_EQ(JpegEighthsFor({16000, 12000}, {1600, 1200}), 1);
  // Rounded up as libjpeg does: 5 x 2 / 8 is 1.25, which makes 2; 5 x 3 / 8 makes 2 as well.
  EXPECT_EQ(JpegEighthsFor({5, 5}, {2, 2}), 2);
  EXPECT_EQ(JpegEighthsFor({5, 5}, {3, 3}), 4);
}

TEST(JpegEighthsForTest, OnlyLibvipsOwnFactorsArePowersOfTwo) {
  std::vector<int> powers;
  for (int m = 1; m <= 8; ++m) {
    if (IsPowerOfTwoEighths(m)) powers.push_back(m);
  }
  EXPECT_EQ(powers, (std::vector<int>{1, 2, 4, 8}));
}

TEST_F(JpegEighthsTest, ScalesByEighthsAndKeepsThePicture) {
  const std::string& jpeg = CachedImage(Spec(1600, 1200, TestFormat::kJpeg));
  const std::optional<vips::VImage> scaled = DecodeBytes(jpeg, 3);
  ASSERT_TRUE(scaled.has_value());
  EXPECT_EQ(scaled->width(), 600);
  EXPECT_EQ(scaled->height(), 450);
  EXPECT_EQ(scaled->bands(), 3);
  EXPECT_EQ(scaled->interpretation(), VIPS_INTERPRETATION_sRGB);
  const vips::VImage original = vips::VImage::new_from_buffer(jpeg.data(), jpeg.size(), "");
  EXPECT_GT(LumaSsim(FullQualityReference(original, 600, 450), *scaled), 0.95);
}

TEST_F(JpegEighthsTest, ReadsAFileAsItDecodes) {
  const std::string& jpeg = CachedImage(Spec(1000, 700, TestFormat::kJpeg));
  const TempDir dir;
  WriteFileForTest(dir.path() / "in.jpg", jpeg);
  Result<EncodedInput> input = EncodedInput::FromFile((dir.path() / "in.jpg").string());
  ASSERT_TRUE(input.ok());
  const std::optional<vips::VImage> scaled = DecodeJpegInEighths(*input, 5, Unhurried());
  ASSERT_TRUE(scaled.has_value());
  EXPECT_EQ(scaled->width(), 625);
  EXPECT_EQ(scaled->height(), 438);  // 437.5 rounded up
  const std::optional<vips::VImage> from_bytes = DecodeBytes(jpeg, 5);
  ASSERT_TRUE(from_bytes.has_value());
  EXPECT_EQ((*scaled - *from_bytes).abs().max(), 0) << "the same pixels either way";
}

TEST_F(JpegEighthsTest, GreyStaysOneBand) {
  const std::optional<vips::VImage> scaled =
      DecodeBytes(CachedImage(Spec(800, 600, TestFormat::kJpeg, TestPixels::kGrey)), 3);
  ASSERT_TRUE(scaled.has_value());
  EXPECT_EQ(scaled->bands(), 1);
  EXPECT_EQ(scaled->interpretation(), VIPS_INTERPRETATION_B_W);
}

TEST_F(JpegEighthsTest, TheEmbeddedProfileComesAlong) {
  const vips::VImage p3 =
      vips::VImage::black(256, 256)
          .new_from_image({200, 80, 40})
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
          .icc_transform("p3", vips::VImage::option()->set("input_profile", "srgb"));
  const std::string jpeg = Encoded(p3, ".jpg");
  const std::optional<vips::VImage> scaled = DecodeBytes(jpeg, 3);
  ASSERT_TRUE(scaled.has_value());
  const vips::VImage libvips = vips::VImage::new_from_buffer(jpeg.data(), jpeg.size(), "");
  ASSERT_FALSE(IccProfileOf(libvips).empty());
  const std::span<const uint8_t> ours = IccProfileOf(*scaled);
  const std::span<const uint8_t> theirs = IccProfileOf(libvips);
  EXPECT_TRUE(std::equal(ours.begin(), ours.end(), theirs.begin(), theirs.end()));
}

TEST_F(JpegEighthsTest, LeavesCmykToLibvips) {
  EXPECT_FALSE(DecodeBytes(CachedImage(Spec(800, 600, TestFormat::kJpeg, TestPixels::kCmyk)), 3));
}

TEST_F(JpegEighthsTest, LeavesEveryImperfectFileToLibvips) {
  const std::string& jpeg = CachedImage(Spec(800, 600, TestFormat::kJpeg));
  EXPECT_FALSE(DecodeBytes(Truncated(jpeg, 0.5), 3)) << "ends early";
  EXPECT_FALSE(DecodeBytes(jpeg.substr(0, 300), 3)) << "ends in the header";
  EXPECT_FALSE(DecodeBytes("not a jpeg at all", 3));
  Result<std::string> padded = WithBytesBeforeJpegMarker(jpeg, 0xdb, "\x01\x02\x03");
  ASSERT_TRUE(padded.ok());
  EXPECT_FALSE(DecodeBytes(*padded, 3)) << "a harmless warning still goes to libvips' rules";
  EXPECT_TRUE(DecodeBytes(jpeg, 3)) << "the same file intact decodes";
}

TEST_F(JpegEighthsTest, StopsAtTheDeadline) {
  const Deadline passed(std::chrono::milliseconds(0));
  EXPECT_FALSE(DecodeJpegInEighths(
      EncodedInput::FromBytes(CachedImage(Spec(800, 600, TestFormat::kJpeg))), 3, passed));
}

}  // namespace
}  // namespace pixfleet
