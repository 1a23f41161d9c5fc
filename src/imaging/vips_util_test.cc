#include "imaging/vips_util.h"

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
