#include "imaging/vips_util.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "imaging/engine_test_util.h"
#include "imaging/vips_warnings.h"

namespace pixfleet {
namespace {

class VipsUtilTest : public ::testing::Test {
 protected:
  // Clearing libvips' error buffer needs libvips started.
  static void SetUpTestSuite() { testing_imaging::InitEngineForTests(); }
};

// A memory image of 3 bands with an orientation and a comment, its pixels a ramp.
vips::VImage TaggedMemoryImage() {
  vips::VImage ramp = (vips::VImage::xyz(40, 30)[0] * 3 + vips::VImage::xyz(40, 30)[1])
                          .cast(VIPS_FORMAT_UCHAR)
                          .bandjoin_const({7, 9})
                          .copy_memory();
  ramp.set(VIPS_META_ORIENTATION, 6);
  ramp.set("comment", "from the test");
  return ramp;
}

TEST_F(VipsUtilTest, ANewHeaderOfAMemoryImageSharesItsPixelsAndCopiesItsMetadata) {
  vips::VImage original = TaggedMemoryImage();
  ASSERT_TRUE(IsMemoryImage(original));
  constexpr size_t kBytes = size_t{40} * 30 * 3;
  const auto* data = static_cast<const uint8_t*>(original.get_image()->data);
  const std::vector<uint8_t> pixels(data, data + kBytes);
  vips::VImage header = NewHeader(original);
  EXPECT_TRUE(IsMemoryImage(header));
  EXPECT_EQ(header.get_image()->data, original.get_image()->data) << "the pixels are shared";
  EXPECT_EQ(header.width(), 40);
  EXPECT_EQ(header.height(), 30);
  EXPECT_EQ(header.bands(), 3);
  EXPECT_EQ(header.interpretation(), original.interpretation());
  EXPECT_EQ(header.get_int(VIPS_META_ORIENTATION), 6);
  EXPECT_STREQ(header.get_string("comment"), "from the test");

  // Its metadata is its own: removing a field leaves the original's.
  header.remove(VIPS_META_ORIENTATION);
  EXPECT_EQ(header.get_typeof(VIPS_META_ORIENTATION), 0U);
  EXPECT_EQ(original.get_int(VIPS_META_ORIENTATION), 6);

  // It keeps the pixels alive once the original is gone (AddressSanitizer would see a read of
  // freed memory otherwise).
  original = vips::VImage();
  EXPECT_EQ(std::memcmp(header.get_image()->data, pixels.data(), pixels.size()), 0);
  double sum = 0;
  for (const uint8_t value : pixels) sum += value;
  EXPECT_DOUBLE_EQ(header.avg(), sum / static_cast<double>(pixels.size()));
}

TEST_F(VipsUtilTest, ANewHeaderOfALazyImageIsALazyCopy) {
  const vips::VImage lazy = TaggedMemoryImage().flip(VIPS_DIRECTION_HORIZONTAL);
  ASSERT_FALSE(IsMemoryImage(lazy));
  vips::VImage header = NewHeader(lazy);
  EXPECT_FALSE(IsMemoryImage(header));
  header.remove("comment");
  EXPECT_STREQ(lazy.get_string("comment"), "from the test");
  EXPECT_DOUBLE_EQ(header.avg(), lazy.avg());
  EXPECT_DOUBLE_EQ((header - lazy).abs().max(), 0.0);
}

TEST_F(VipsUtilTest, ErrorMessagesAreOneLineWithoutRepeats) {
  EXPECT_EQ(TakeVipsError(vips::VError("VipsJpeg: Premature end\nVipsJpeg: Premature end\n")),
            "VipsJpeg: Premature end");
  EXPECT_EQ(TakeVipsError(vips::VError("")), "unknown libvips error");
}

TEST_F(VipsUtilTest, OnlyTheLinesAboutThisImagesFormatAreKept) {
  // Another thread's PNG failure shares libvips' process-wide error buffer.
  const vips::VError mixed("VipsJpeg: Corrupt JPEG data\nvipspng: libpng read error\n");
  EXPECT_EQ(TakeVipsError(mixed, "png"), "vipspng: libpng read error");
  EXPECT_EQ(TakeVipsError(mixed, "jpeg"), "VipsJpeg: Corrupt JPEG data");
  // Nothing names the format: everything is kept rather than nothing.
  EXPECT_EQ(TakeVipsError(mixed, "webp"),
            "VipsJpeg: Corrupt JPEG data; vipspng: libpng read error");
}

TEST_F(VipsUtilTest, AFailureNamesTheDecodersReasonOverOtherImagesLines) {
  // libvips returned a reason of the decoder's: it is the one given.
  EXPECT_EQ(FailureReason("VipsJpeg: Premature end of input file\n", "jpeg", {"ignored"}),
            "VipsJpeg: Premature end of input file");
  // Only a generic line: the decoder's warnings come first.
  EXPECT_EQ(FailureReason("vipspng: libpng read error\n", "png", {"IDAT: CRC error"}),
            "IDAT: CRC error; vipspng: libpng read error");
  // Nothing about this image at all: an earlier JPEG's warning left in the shared buffer must
  // not be reported for a PNG.
  EXPECT_EQ(FailureReason("VipsJpeg: Corrupt JPEG data: 3 extraneous bytes before marker 0xdb\n",
                          "png", {"IHDR: CRC error", "IHDR: CRC error"}),
            "IHDR: CRC error");
  EXPECT_EQ(FailureReason("", "png", {"IHDR: CRC error"}), "IHDR: CRC error");
  // No warning to offer: libvips' text as before.
  EXPECT_EQ(FailureReason("vipspng: libpng read error\n", "png", {}), "vipspng: libpng read error");
  EXPECT_EQ(FailureReason("", "png", {}), "unknown libvips error");
}

}  // namespace
}  // namespace pixfleet
