#include "model/task.h"

#include <gtest/gtest.h>

#include "model/key_template.h"

namespace pixfleet {
namespace {

TEST(TaskTest, IdsAreDeterministicAndDistinct) {
  const std::string batch = MakeBatchId("file:///in", "name: r", "file:///out");
  EXPECT_EQ(batch, MakeBatchId("file:///in", "name: r", "file:///out"));
  EXPECT_NE(batch, MakeBatchId("file:///in", "name: r2", "file:///out"));
  EXPECT_NE(batch, MakeBatchId("file:///in2", "name: r", "file:///out"));
  EXPECT_EQ(MakeTaskId(batch, "a.jpg"), MakeTaskId(batch, "a.jpg"));
  EXPECT_NE(MakeTaskId(batch, "a.jpg"), MakeTaskId(batch, "a.png"));
  EXPECT_EQ(MakeTaskId(batch, "a.jpg").size(), 32u);
}

TEST(TaskTest, InputsDifferingOnlyByExtensionKeepItInTheirOutputKeys) {
  const auto tasks = MakeTasks("b", {"IMG_1.HEIC", "IMG_1.JPG", "IMG_2.JPG", "x/IMG_1.JPG"});
  ASSERT_EQ(tasks.size(), 4u);
  EXPECT_TRUE(tasks[0].keep_extension);
  EXPECT_TRUE(tasks[1].keep_extension);
  EXPECT_FALSE(tasks[2].keep_extension);
  EXPECT_FALSE(tasks[3].keep_extension);  // another folder: no collision
  EXPECT_EQ(tasks[1].task_id, MakeTaskId("b", "IMG_1.JPG"));

  OutputSpec large;
  large.name = "large";
  EXPECT_EQ(ExpandKeyTemplate(large, "IMG_1.JPG", tasks[1].keep_extension), "IMG_1.JPG/large.jpg");
  EXPECT_EQ(ExpandKeyTemplate(large, "IMG_2.JPG", tasks[2].keep_extension), "IMG_2/large.jpg");
}

}  // namespace
}  // namespace pixfleet

namespace pixfleet {
namespace {

TEST(RecipeFormatTest, EveryFormatHasItsNameExtensionAndMimeType) {
  EXPECT_STREQ(FormatName(ImageFormat::kJpeg), "jpeg");
  EXPECT_STREQ(FormatExtension(ImageFormat::kJpeg), "jpg");
  EXPECT_STREQ(FormatMimeType(ImageFormat::kWebp), "image/webp");
  EXPECT_STREQ(FormatExtension(ImageFormat::kTiff), "tif");
  EXPECT_STREQ(FormatName(ImageFormat::kTiff), "tiff");
  EXPECT_STREQ(FormatMimeType(ImageFormat::kAvif), "image/avif");
  EXPECT_STREQ(FormatExtension(ImageFormat::kPng), "png");
}

}  // namespace
}  // namespace pixfleet
