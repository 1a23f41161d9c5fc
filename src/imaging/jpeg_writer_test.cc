#include "imaging/jpeg_writer.h"

#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <vips/vips8>

#include "imaging/compute_here.h"
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

// `memory` as a JPEG, rows in memory or, for stock and whole-image tables, also row by row: the
// two forms must give the same file.
std::string Write(const vips::VImage& memory, const JpegSettings& settings) {
  const PixelRows rows = PixelsOf(memory);
  Result<std::string> bytes = EncodeJpeg(rows, settings);
  if (settings.tables != HuffmanTables::kSampled) {
    const Result<std::string> streamed = EncodeJpeg({rows.width, rows.height}, rows.bands, settings,
                                                    [&rows](int y) { return rows.Row(y); });
    EXPECT_TRUE(streamed.ok() && bytes.ok() && *streamed == *bytes);
  }
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
      const std::string ours =
          Write(picture, {.quality = quality, .tables = HuffmanTables::kWhole});
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
  const std::string optimised = Write(picture, {.quality = 82, .tables = HuffmanTables::kWhole});
  const std::string plain = Write(picture, {.quality = 82, .tables = HuffmanTables::kStock});
  EXPECT_GT(plain.size(), optimised.size());
  EXPECT_EQ(MaxDifference(plain, optimised), 0);
}

// Tables fitted to every eighth row of blocks: the same pixels, nearly the bytes of tables fitted
// to every block, fewer than the stock tables'; for grey and colour, subsampled or not.
TEST_F(JpegWriterTest, SampledTablesCodeTheSamePixelsInAboutTheBytesOfWholeImageTables) {
  for (const int bands : {1, 3}) {
    for (const int quality : {82, 95}) {
      const vips::VImage picture = Picture(640, 600, bands);
      const std::string sampled =
          Write(picture, {.quality = quality, .tables = HuffmanTables::kSampled});
      const std::string whole =
          Write(picture, {.quality = quality, .tables = HuffmanTables::kWhole});
      const std::string stock =
          Write(picture, {.quality = quality, .tables = HuffmanTables::kStock});
      EXPECT_EQ(MaxDifference(sampled, whole), 0) << bands << " bands, Q " << quality;
      EXPECT_NE(sampled, whole) << "600 rows are enough for a sample: other tables";
      EXPECT_LT(sampled.size(), stock.size()) << bands << " bands, Q " << quality;
      EXPECT_LE(static_cast<double>(sampled.size()), static_cast<double>(whole.size()) * 1.01)
          << bands << " bands, Q " << quality;
    }
  }
}

// A 256x1024 sRGB picture, mid grey but where `detail` says (pixel row, byte of the row).
struct Pattern {
  static constexpr int kWidth = 256;
  static constexpr int kHeight = 16 * 64;  // 64 rows of 4:2:0 blocks
  std::vector<uint8_t> pixels = std::vector<uint8_t>(size_t{kWidth} * kHeight * 3, 128);

  uint8_t& At(int y, size_t byte) { return pixels[static_cast<size_t>(y) * kWidth * 3 + byte]; }

  // The picture with sampled and with whole-image tables, Q 85 (4:2:0): the same pixels (a symbol
  // without a code would be written as garbage and derail the rest of the scan). Their sizes.
  std::pair<size_t, size_t> SampledAndWholeBytes() const {
    const PixelRows rows{pixels.data(), size_t{kWidth} * 3, kWidth, kHeight, 3};
    const Result<std::string> sampled = EncodeJpeg(rows, {.quality = 85});
    const Result<std::string> whole =
        EncodeJpeg(rows, {.quality = 85, .tables = HuffmanTables::kWhole});
    EXPECT_TRUE(sampled.ok() && whole.ok());
    if (!sampled.ok() || !whole.ok()) return {0, 0};
    EXPECT_EQ(MaxDifference(*sampled, *whole), 0);
    return {sampled->size(), whole->size()};
  }
};

// Content that repeats down the image with the sample's period: flat rows of blocks in the
// middle of every eight, grey noise in the others. A sample of whole rows of blocks would see
// only the flat ones and code the noise with tables that never saw it (16 % more bytes than
// whole-image tables); the diagonal sample sees both.
TEST_F(JpegWriterTest, SampledTablesSeeEveryRowOfBlocks) {
  Pattern pattern;
  std::mt19937 random(3);
  for (int y = 0; y < Pattern::kHeight; ++y) {
    if ((y / 16) % 8 == 4) continue;
    for (size_t x = 0; x < size_t{Pattern::kWidth}; ++x) {
      const auto grey = static_cast<uint8_t>(random());
      for (size_t b = 0; b < 3; ++b) pattern.At(y, x * 3 + b) = grey;
    }
  }
  const auto [sampled, whole] = pattern.SampledAndWholeBytes();
  EXPECT_LE(static_cast<double>(sampled), static_cast<double>(whole) * 1.01);
}

// Symbols the sample lacked are still coded: the picture is flat but for one block of noise
// outside the sample.
TEST_F(JpegWriterTest, SampledTablesCodeSymbolsTheSampleLacked) {
  Pattern pattern;
  std::mt19937 random(4);
  // Block (row 1, column 0): the sample takes block column 0 from rows 0, 8, 16, ...
  for (int y = 16; y < 32; ++y) {
    for (size_t i = 0; i < size_t{16} * 3; ++i) pattern.At(y, i) = static_cast<uint8_t>(random());
  }
  const auto [sampled, whole] = pattern.SampledAndWholeBytes();
  EXPECT_GT(sampled, size_t{0});
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
  const JpegSettings stock{.tables = HuffmanTables::kStock};
  EXPECT_EQ(EncodeJpeg({1, 1}, 4, stock, row).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeJpeg({1, 1}, 2, stock, row).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeJpeg({0, 5}, 3, stock, row).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeJpeg({pixel, 4, 1, 1, 4}, {}).error().code(), StatusCode::kInvalidArgument);
  // Rows that are not kept cannot be sampled: a one-pixel image is refused as a large one is.
  const Result<std::string> sampled = EncodeJpeg({1, 1}, 3, {}, row);
  ASSERT_FALSE(sampled.ok());
  EXPECT_EQ(sampled.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(sampled.error().message().find("in memory"), std::string::npos)
      << sampled.error().message();
  const Result<std::string> wide = EncodeJpeg({70000, 1}, 3, stock, row);
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
  EXPECT_THROW((void)EncodeJpeg({100, 100}, 3, {.tables = HuffmanTables::kWhole}, failing),
               std::runtime_error);
}

}  // namespace
}  // namespace pixfleet
