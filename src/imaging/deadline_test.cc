#include "imaging/deadline.h"

#include <chrono>
#include <stop_token>
#include <thread>

#include <gtest/gtest.h>
#include <vips/vips8>

#include "imaging/engine.h"
#include "imaging/engine_test_util.h"
#include "imaging/vips_util.h"
#include "model/recipe_yaml.h"

namespace pixfleet {
namespace {

// A 24 MP image that libvips must compute (noise), far too slow to encode in a few ms.
vips::VImage Expensive() { return vips::VImage::gaussnoise(6000, 4000).cast(VIPS_FORMAT_UCHAR); }

class DeadlineTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { testing_imaging::InitEngineForTests(); }
};

TEST_F(DeadlineTest, ExpiredDeadlineKillsAnEncode) {
  const Deadline deadline(std::chrono::milliseconds(0));
  const vips::VImage image = Expensive();
  deadline.Watch(image);
  const auto start = std::chrono::steady_clock::now();
  std::string message;
  try {
    VipsBlob* blob = image.pngsave_buffer();
    TakeBlob(blob);
  } catch (const vips::VError& error) {
    message = TakeVipsError(error);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_NE(message.find("killed"), std::string::npos) << message;
}

TEST_F(DeadlineTest, DerivedImagesAreKilledToo) {
  const Deadline deadline(std::chrono::milliseconds(0));
  const vips::VImage source = Expensive();
  deadline.Watch(source);
  std::string message;
  try {
    (void)source.resize(0.5).copy_memory();
  } catch (const vips::VError& error) {
    message = TakeVipsError(error);
  }
  EXPECT_NE(message.find("killed"), std::string::npos) << message;
}

TEST_F(DeadlineTest, UnexpiredDeadlineLetsWorkFinish) {
  const Deadline deadline(std::chrono::minutes(5));
  const vips::VImage image = vips::VImage::gaussnoise(300, 200).cast(VIPS_FORMAT_UCHAR);
  deadline.Watch(image);
  EXPECT_FALSE(TakeBlob(image.pngsave_buffer()).empty());
  EXPECT_TRUE(deadline.Check().ok());
}

TEST_F(DeadlineTest, CancelKillsAnEncodeUnderWayAndSaysSo) {
  std::stop_source cancel;
  const Deadline deadline(std::chrono::minutes(5), cancel.get_token());
  const vips::VImage image = Expensive();
  deadline.Watch(image);
  EXPECT_TRUE(deadline.Check().ok());
  // Cancelled from another thread while libvips computes, as a worker's grace period ends.
  std::thread canceller([&cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancel.request_stop();
  });
  std::string message;
  try {
    TakeBlob(image.pngsave_buffer());
  } catch (const vips::VError& error) {
    message = TakeVipsError(error);
  }
  canceller.join();
  EXPECT_NE(message.find("killed"), std::string::npos) << message;
  EXPECT_TRUE(deadline.Expired());
  EXPECT_EQ(deadline.Check().code(), StatusCode::kCancelled);
  EXPECT_EQ(deadline.Check().message(), "processing was cancelled (the worker is stopping)");
}

TEST_F(DeadlineTest, ProcessImageReturnsCancelledWhenCancelled) {
  std::stop_source cancel;
  cancel.request_stop();
  const std::string png = TakeBlob(Expensive().crop(0, 0, 600, 400).pngsave_buffer());
  auto recipe = ParseRecipeYaml(
      "name: r\noutputs:\n  - name: o\n    ops: [{resize: {fit: inside, width: 50, height: 50}}]\n"
      "    format: png\n",
      "test");
  ASSERT_TRUE(recipe.ok()) << recipe.error().ToString();
  auto processed = ProcessImage(png, "in.png", *recipe, EngineLimits{}, cancel.get_token());
  ASSERT_FALSE(processed.ok());
  EXPECT_EQ(processed.error().code(), StatusCode::kCancelled) << processed.error().ToString();
}

TEST(DeadlineMessageTest, NamesTheLimit) {
  EXPECT_EQ(Deadline(std::chrono::milliseconds(120'000)).ExceededStatus().message(),
            "processing exceeded the time limit of 120 s");
  EXPECT_EQ(Deadline(std::chrono::milliseconds(0)).Check().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(1500)), "1.5 s");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(250)), "250 ms");
}

}  // namespace
}  // namespace pixfleet
