#include "imaging/vips_util.h"

#include <gtest/gtest.h>

#include "imaging/engine_test_util.h"

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

}  // namespace
}  // namespace pixfleet
