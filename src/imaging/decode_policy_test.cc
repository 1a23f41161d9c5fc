// The rule for decoder warnings: which libjpeg warnings a task survives.
#include "imaging/decode_policy.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(DecodePolicyTest, JpegIsFirstDecodedStrictlyAndOtherFormatsAtError) {
  EXPECT_EQ(FirstDecodeOptions("jpeg"), "fail_on=warning");
  EXPECT_EQ(TolerantDecodeOptions(), "fail_on=error");
  for (const char* format : {"png", "webp", "tiff", "gif", "heif"}) {
    EXPECT_EQ(FirstDecodeOptions(format), "fail_on=error") << format;
  }
}

TEST(DecodePolicyTest, WarningsThatLoseNoPixelsAreHarmless) {
  for (const char* line :
       {"Corrupt JPEG data: 3 extraneous bytes before marker 0xdb",
        "Corrupt JPEG data: 1 extraneous bytes before marker 0xd9",
        "Warning: unknown JFIF revision number 3.01", "Unknown Adobe color transform code 7",
        "Corrupt JPEG data: bad ICC marker", "Invalid SOS parameters for sequential JPEG"}) {
    EXPECT_TRUE(IsHarmlessJpegWarning(line)) << line;
  }
}

TEST(DecodePolicyTest, WarningsAboutMissingOrDamagedDataAreNot) {
  for (const char* line :
       {"Corrupt JPEG data: premature end of data segment", "Premature end of JPEG file",
        "Corrupt JPEG data: bad Huffman code", "Corrupt JPEG data: bad arithmetic code",
        "Corrupt JPEG data: found marker 0xd9 instead of RST3",
        "Inconsistent progression sequence for component 0 coefficient 1",
        "something libjpeg may say one day"}) {
    EXPECT_FALSE(IsHarmlessJpegWarning(line)) << line;
  }
}

TEST(DecodePolicyTest, ASecondDecodeNeedsOnlyHarmlessJpegLines) {
  EXPECT_TRUE(OnlyHarmlessJpegWarnings(
      "VipsJpeg: Corrupt JPEG data: 3 extraneous bytes before marker 0xdb\n"
      "VipsJpeg: Corrupt JPEG data: 3 extraneous bytes before marker 0xdb\n"));
  // Another thread's failure in the shared buffer does not count either way.
  EXPECT_TRUE(OnlyHarmlessJpegWarnings(
      "vipspng: libpng read error\n"
      "VipsJpeg: Corrupt JPEG data: 3 extraneous bytes before marker 0xdb\n"));
  EXPECT_FALSE(OnlyHarmlessJpegWarnings(
      "VipsJpeg: Corrupt JPEG data: 3 extraneous bytes before marker 0xdb\n"
      "VipsJpeg: Corrupt JPEG data: premature end of data segment\n"));
  EXPECT_FALSE(
      OnlyHarmlessJpegWarnings("VipsJpeg: Corrupt JPEG data: premature end of data segment\n"));
  EXPECT_FALSE(OnlyHarmlessJpegWarnings("VipsJpeg: Premature end of input file\n"));
  EXPECT_FALSE(OnlyHarmlessJpegWarnings("vipspng: libpng read error\n"));
  EXPECT_FALSE(OnlyHarmlessJpegWarnings(""));
}

}  // namespace
}  // namespace pixfleet
