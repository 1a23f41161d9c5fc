// Encoder effort (EncodeOptions::effort) reaches every encoder, the engine's own writers and
// libvips' savers alike: more effort gives other bytes, and for the lossless searches (JPEG's
// Huffman tables, PNG's zlib level) the very same pixels in fewer bytes.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <vips/vips8>

#include "imaging/engine.h"
#include "imaging/engine_test_util.h"
#include "testing/test_images.h"

namespace pixfleet {
namespace {

using namespace testing_imaging;  // NOLINT(google-build-using-namespace): test helpers only

class EngineEffortTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { InitEngineForTests(); }
};

struct EffortCase {
  ImageFormat format;
  bool strip;  // the own JPEG and WebP writers take stripped outputs, libvips' savers the rest
  int low;
  int high;
  bool same_pixels;  // a lossless search: the pixels cannot depend on the effort
};

OutputSpec WithEffort(const EffortCase& c, int effort) {
  OutputSpec spec = Output(std::string(FormatName(c.format)) + "-" + std::to_string(effort),
                           {Resize(320, 320)}, c.format, 80, c.strip);
  spec.encode.effort = effort;
  return spec;
}

// Largest difference between two decoded outputs, in 8-bit levels.
double LargestDifference(const std::string& a, const std::string& b) {
  const vips::VImage first = vips::VImage::new_from_buffer(a.data(), a.size(), "");
  const vips::VImage second = vips::VImage::new_from_buffer(b.data(), b.size(), "");
  return (first.cast(VIPS_FORMAT_INT) - second.cast(VIPS_FORMAT_INT)).abs().max();
}

TEST_F(EngineEffortTest, EveryEncoderTakesItsEffort) {
  const std::vector<EffortCase> cases = {
      {ImageFormat::kJpeg, true, 0, 1, true},   {ImageFormat::kJpeg, false, 0, 1, true},
      {ImageFormat::kPng, true, 0, 9, true},    {ImageFormat::kWebp, true, 0, 6, false},
      {ImageFormat::kWebp, false, 0, 6, false}, {ImageFormat::kAvif, true, 0, 3, false},
  };
  const std::string& input = CachedImage(Spec(640, 480, TestFormat::kJpeg));
  for (const EffortCase& c : cases) {
    SCOPED_TRACE(std::string(FormatName(c.format)) + (c.strip ? " stripped" : " with metadata"));
    Recipe recipe;
    recipe.outputs = {WithEffort(c, c.low), WithEffort(c, c.high)};
    const EngineResult result = ProcessExpectingSuccess(input, recipe);
    ASSERT_EQ(result.outputs.size(), 2u);
    const std::string& low = result.outputs[0].bytes;
    const std::string& high = result.outputs[1].bytes;
    EXPECT_EQ(Inspect(low).width, 320);
    EXPECT_EQ(Inspect(high).width, 320);
    EXPECT_NE(low, high);
    if (c.same_pixels) {
      EXPECT_EQ(LargestDifference(low, high), 0);
      EXPECT_LT(high.size(), low.size());
    }
  }
}

}  // namespace
}  // namespace pixfleet
