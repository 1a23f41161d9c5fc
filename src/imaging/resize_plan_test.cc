#include "imaging/resize_plan.h"

#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

ResizeOp Box(int width, int height, ResizeFit fit, bool enlarge = false) {
  ResizeOp op;
  op.width = width;
  op.height = height;
  op.fit = fit;
  op.enlarge = enlarge;
  return op;
}

OutputSpec Output(std::string name, std::vector<Operation> operations) {
  OutputSpec spec;
  spec.name = std::move(name);
  spec.operations = std::move(operations);
  return spec;
}

struct ResizeCase {
  const char* name;
  Size in;
  ResizeOp op;
  Size scaled;
  Size cropped;
};

class PlanResizeTest : public testing::TestWithParam<ResizeCase> {};

TEST_P(PlanResizeTest, GivesExactSizes) {
  const ResizeCase& c = GetParam();
  const ResizeGeometry geometry = PlanResize(c.in, c.op);
  EXPECT_EQ(geometry.scaled, c.scaled);
  EXPECT_EQ(geometry.cropped, c.cropped);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PlanResizeTest,
    testing::Values(
        ResizeCase{"inside_landscape",
                   {4000, 3000},
                   Box(1600, 1600, ResizeFit::kInside),
                   {1600, 1200},
                   {1600, 1200}},
        ResizeCase{"inside_portrait",
                   {3000, 4000},
                   Box(1600, 1600, ResizeFit::kInside),
                   {1200, 1600},
                   {1200, 1600}},
        ResizeCase{"inside_rounds",
                   {1001, 333},
                   Box(512, 512, ResizeFit::kInside),
                   {512, 170},
                   {512, 170}},
        ResizeCase{"inside_height_binds",
                   {1000, 1000},
                   Box(800, 200, ResizeFit::kInside),
                   {200, 200},
                   {200, 200}},
        ResizeCase{"inside_no_enlarge",
                   {300, 200},
                   Box(512, 512, ResizeFit::kInside),
                   {300, 200},
                   {300, 200}},
        ResizeCase{"inside_enlarge",
                   {300, 200},
                   Box(600, 600, ResizeFit::kInside, true),
                   {600, 400},
                   {600, 400}},
        ResizeCase{"inside_thin_never_zero",
                   {10000, 1},
                   Box(100, 100, ResizeFit::kInside),
                   {100, 1},
                   {100, 1}},
        ResizeCase{"cover_landscape",
                   {4000, 3000},
                   Box(256, 256, ResizeFit::kCover),
                   {341, 256},
                   {256, 256}},
        ResizeCase{"cover_portrait",
                   {3000, 4000},
                   Box(256, 256, ResizeFit::kCover),
                   {256, 341},
                   {256, 256}},
        ResizeCase{"cover_wide_box",
                   {1000, 1000},
                   Box(400, 100, ResizeFit::kCover),
                   {400, 400},
                   {400, 100}},
        ResizeCase{"cover_small_no_enlarge",
                   {200, 100},
                   Box(256, 256, ResizeFit::kCover),
                   {200, 100},
                   {200, 100}},
        ResizeCase{"cover_partly_small_no_enlarge",
                   {300, 100},
                   Box(256, 256, ResizeFit::kCover),
                   {300, 100},
                   {256, 100}},
        ResizeCase{"cover_enlarge",
                   {200, 100},
                   Box(256, 256, ResizeFit::kCover, true),
                   {512, 256},
                   {256, 256}},
        ResizeCase{"fill", {4000, 3000}, Box(300, 300, ResizeFit::kFill), {300, 300}, {300, 300}},
        ResizeCase{"fill_no_enlarge",
                   {200, 3000},
                   Box(300, 300, ResizeFit::kFill),
                   {200, 300},
                   {200, 300}},
        ResizeCase{"fill_enlarge",
                   {200, 100},
                   Box(300, 300, ResizeFit::kFill, true),
                   {300, 300},
                   {300, 300}},
        ResizeCase{"one_pixel", {1, 1}, Box(256, 256, ResizeFit::kCover), {1, 1}, {1, 1}}),
    [](const testing::TestParamInfo<ResizeCase>& param_info) { return param_info.param.name; });

TEST(PlanCropTest, ClipsToImage) {
  CropOp op;
  op.width = 500;
  op.height = 100;
  EXPECT_EQ(PlanCrop({300, 300}, op), (Size{300, 100}));
  EXPECT_EQ(PlanCrop({1000, 1000}, op), (Size{500, 100}));
}

TEST(UprightSizeTest, SwapsForOrientationsFiveToEight) {
  for (int orientation = 1; orientation <= 8; ++orientation) {
    const Size upright = UprightSize({400, 300}, orientation);
    if (orientation >= 5) {
      EXPECT_EQ(upright, (Size{300, 400})) << orientation;
    } else {
      EXPECT_EQ(upright, (Size{400, 300})) << orientation;
    }
  }
}

Recipe Std3() {
  Recipe recipe;
  recipe.name = "std3";
  OutputSpec large =
      Output("large", {AutoRotateOp{}, ToSrgbOp{}, Box(1600, 1600, ResizeFit::kInside)});
  OutputSpec small = Output("small", {AutoRotateOp{}, Box(512, 512, ResizeFit::kInside)});
  ResizeOp square = Box(256, 256, ResizeFit::kCover);
  square.gravity = Gravity::kAttention;
  OutputSpec thumb = Output("square", {AutoRotateOp{}, square});
  recipe.outputs = {large, small, thumb};
  recipe.analyses = {Analysis::kWidth, Analysis::kMeanColour, Analysis::kDhash};
  return recipe;
}

TEST(PlanDecodeTest, Std3DecodesAtTheLargestOutput) {
  Result<DecodePlan> plan = PlanDecode({4000, 3000}, 1, Std3());
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  EXPECT_DOUBLE_EQ(plan->scale, 0.4);
  EXPECT_EQ(plan->decode_box, (Size{1600, 1200}));
  ASSERT_EQ(plan->outputs.size(), 3u);
  EXPECT_EQ(plan->outputs[0].final_size, (Size{1600, 1200}));
  EXPECT_EQ(plan->outputs[1].final_size, (Size{512, 384}));
  EXPECT_EQ(plan->outputs[2].final_size, (Size{256, 256}));
  EXPECT_EQ(plan->outputs[2].steps[1].resize.scaled, (Size{341, 256}));
}

TEST(PlanDecodeTest, OrientationSixPlansUprightOutputsAndAStoredDecodeBox) {
  // Stored 4000x3000, displayed 3000x4000.
  Result<DecodePlan> plan = PlanDecode({4000, 3000}, 6, Std3());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->outputs[0].final_size, (Size{1200, 1600}));
  EXPECT_EQ(plan->outputs[1].final_size, (Size{384, 512}));
  EXPECT_DOUBLE_EQ(plan->scale, 0.4);
  EXPECT_EQ(plan->decode_box, (Size{1600, 1200}));
}

TEST(PlanDecodeTest, TheBoxIsTheLargestOutputWhenTheScaleOverreachesByAPixel) {
  // 1600x900 inside 1600: the height's rounding sets the scale (900/3172), which makes 1600.25
  // across; the box stays 1600 so that `large` is the decoded image itself.
  for (const auto& [stored, large] :
       std::vector<std::pair<Size, Size>>{{{5640, 3172}, {1600, 900}},
                                          {{6000, 4000}, {1600, 1067}},
                                          {{6028, 3391}, {1600, 900}},
                                          {{2560, 3837}, {1068, 1600}},
                                          {{3640, 2400}, {1600, 1055}}}) {
    Result<DecodePlan> plan = PlanDecode(stored, 1, Std3());
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->outputs[0].final_size, large) << stored.width << "x" << stored.height;
    EXPECT_EQ(plan->decode_box, large) << stored.width << "x" << stored.height;
  }
}

TEST(PlanDecodeTest, TheBoxFollowsTheLargestOutputAcrossAQuarterTurn) {
  // Stored 3172x5640, shown 5640x3172 (orientation 6): `large` is 1600x900 upright.
  Result<DecodePlan> plan = PlanDecode({3172, 5640}, 6, Std3());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->outputs[0].final_size, (Size{1600, 900}));
  EXPECT_EQ(plan->decode_box, (Size{900, 1600}));
}

TEST(PlanDecodeTest, WithoutAutoRotateSizesFollowTheStoredOrientation) {
  Recipe recipe;
  recipe.outputs = {Output("plain", {Box(100, 100, ResizeFit::kInside)})};
  Result<DecodePlan> plan = PlanDecode({400, 300}, 6, recipe);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->outputs[0].final_size, (Size{100, 75}));
}

TEST(PlanDecodeTest, SmallImagesDecodeAtFullSize) {
  Result<DecodePlan> plan = PlanDecode({300, 200}, 1, Std3());
  ASSERT_TRUE(plan.ok());
  EXPECT_DOUBLE_EQ(plan->scale, 1.0);
  EXPECT_EQ(plan->decode_box, (Size{300, 200}));
  EXPECT_EQ(plan->outputs[0].final_size, (Size{300, 200}));
  EXPECT_EQ(plan->outputs[2].final_size, (Size{256, 200}));
}

TEST(PlanDecodeTest, AnOutputWithoutResizeNeedsFullResolution) {
  Recipe recipe = Std3();
  recipe.outputs.push_back(Output("original", {AutoRotateOp{}}));
  Result<DecodePlan> plan = PlanDecode({4000, 3000}, 1, recipe);
  ASSERT_TRUE(plan.ok());
  EXPECT_DOUBLE_EQ(plan->scale, 1.0);
  EXPECT_EQ(plan->decode_box, (Size{4000, 3000}));
}

TEST(PlanDecodeTest, CropBeforeResizeScalesFromTheCroppedRegion) {
  Recipe recipe;
  CropOp crop;
  crop.width = 1000;
  crop.height = 1000;
  recipe.outputs = {Output("detail", {crop, Box(500, 500, ResizeFit::kInside)})};
  Result<DecodePlan> plan = PlanDecode({4000, 3000}, 1, recipe);
  ASSERT_TRUE(plan.ok());
  EXPECT_DOUBLE_EQ(plan->outputs[0].required_scale, 0.5);
  EXPECT_EQ(plan->decode_box, (Size{2000, 1500}));
  EXPECT_EQ(plan->outputs[0].final_size, (Size{500, 500}));
}

TEST(PlanDecodeTest, FillNeedsTheLargerAxisScale) {
  Recipe recipe;
  recipe.outputs = {Output("strip", {Box(400, 30, ResizeFit::kFill)})};
  Result<DecodePlan> plan = PlanDecode({4000, 3000}, 1, recipe);
  ASSERT_TRUE(plan.ok());
  EXPECT_DOUBLE_EQ(plan->scale, 0.1);
  EXPECT_EQ(plan->decode_box, (Size{400, 300}));
}

TEST(PlanDecodeTest, TinyOutputsStillGiveAnalysesEnoughPixels) {
  Recipe recipe;
  recipe.outputs = {Output("icon", {Box(16, 16, ResizeFit::kInside)})};
  recipe.analyses = {Analysis::kDhash};
  Result<DecodePlan> plan = PlanDecode({4000, 3000}, 1, recipe);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->decode_box, (Size{kMinAnalysisDecodeSide, 192}));
}

TEST(PlanDecodeTest, RejectsNonPositiveSizes) {
  Recipe recipe;
  recipe.outputs = {Output("bad", {Box(0, 100, ResizeFit::kInside)})};
  Result<DecodePlan> plan = PlanDecode({400, 300}, 1, recipe);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(plan.error().message().find("output 'bad'"), std::string::npos);
}

TEST(PlanDecodeTest, InvalidOrientationIsTreatedAsUpright) {
  Result<DecodePlan> plan = PlanDecode({400, 300}, 42, Std3());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->orientation, 1);
}

TEST(JpegShrinkOnLoadTest, StopsAtTheLargestFactorThatStillCoversTheBox) {
  EXPECT_EQ(JpegShrinkOnLoad({6000, 4000}, {1600, 1067}), 2);  // 3000x2000; 4 gives 1500x1000
  EXPECT_EQ(JpegShrinkOnLoad({6400, 4000}, {1600, 1000}), 4);  // exactly the box
  EXPECT_EQ(JpegShrinkOnLoad({16000, 100}, {1600, 10}), 8);
  EXPECT_EQ(JpegShrinkOnLoad({1600, 1200}, {1600, 1200}), 1);
}

TEST(JpegShrinkOnLoadTest, RoundsTheScaledSidesDownAsLibvipsReportsThem) {
  // 6401 / 4 is 1600 and 4001 / 4 is 1000 in libvips: 4 does not cover a 1601x1001 box.
  EXPECT_EQ(JpegShrinkOnLoad({6404, 4004}, {1601, 1001}), 4);
  EXPECT_EQ(JpegShrinkOnLoad({6403, 4004}, {1601, 1001}), 2);
  EXPECT_EQ(JpegShrinkOnLoad({15, 15}, {1, 1}), 8);
  EXPECT_EQ(JpegShrinkOnLoad({7, 7}, {1, 1}), 4);  // 7 / 8 would be an empty image
  EXPECT_EQ(JpegShrinkOnLoad({1, 1}, {1, 1}), 1);
}

}  // namespace
}  // namespace pixfleet
