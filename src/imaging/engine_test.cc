#include "imaging/engine.h"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <vips/vips8>

#include "core/hash.h"
#include "imaging/analysis.h"
#include "imaging/encode.h"
#include "imaging/engine_test_util.h"
#include "imaging/measure.h"
#include "imaging/operations.h"
#include "imaging/vips_util.h"
#include "testing/test_images.h"

namespace pixfleet {

// Test names and failure messages show the sample's path, not its bytes.
void PrintTo(const SampleFile& file, std::ostream* out) { *out << file.path; }

namespace {

using namespace testing_imaging;  // NOLINT(google-build-using-namespace): test helpers only

class EngineTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { InitEngineForTests(); }

  static EngineResult Run(const std::string& input, const Recipe& recipe,
                          const EngineLimits& limits = EngineLimits{}) {
    return ProcessExpectingSuccess(input, recipe, limits);
  }
};

TEST_F(EngineTest, Std3OnA12MegapixelJpeg) {
  const std::string& input = CachedImage(Spec(4000, 3000, TestFormat::kJpeg));
  const EngineResult result = Run(input, Std3());
  ASSERT_EQ(result.outputs.size(), 3u);

  const EncodedOutput& large = result.outputs[0];
  EXPECT_EQ(large.name, "large");
  EXPECT_EQ(large.format, "jpeg");
  EXPECT_EQ(large.extension, "jpg");
  EXPECT_EQ(large.content_type, "image/jpeg");
  EXPECT_EQ(large.width, 1600);
  EXPECT_EQ(large.height, 1200);
  const Inspected large_file = Inspect(large.bytes);
  EXPECT_EQ(large_file.loader, "jpegload_buffer");
  EXPECT_EQ(large_file.width, 1600);
  EXPECT_EQ(large_file.height, 1200);
  EXPECT_EQ(large_file.bands, 3);

  const EncodedOutput& small = result.outputs[1];
  EXPECT_EQ(small.format, "webp");
  EXPECT_EQ(small.content_type, "image/webp");
  const Inspected small_file = Inspect(small.bytes);
  EXPECT_EQ(small_file.loader, "webpload_buffer");
  EXPECT_EQ(small_file.width, 512);
  EXPECT_EQ(small_file.height, 384);

  const Inspected square_file = Inspect(result.outputs[2].bytes);
  EXPECT_EQ(square_file.width, 256);
  EXPECT_EQ(square_file.height, 256);

  const ImageAnalysis& analysis = result.analysis;
  EXPECT_EQ(analysis.width, 4000);
  EXPECT_EQ(analysis.height, 3000);
  EXPECT_EQ(analysis.format, "jpeg");
  EXPECT_EQ(analysis.orientation, 1);
  ASSERT_TRUE(analysis.mean_colour.has_value());
  for (double channel : *analysis.mean_colour) {
    EXPECT_GT(channel, 10);
    EXPECT_LT(channel, 245);
  }
  EXPECT_TRUE(analysis.dhash.has_value());
}

TEST_F(EngineTest, OnlyRequestedAnalysesAreSet) {
  Recipe recipe = Std3();
  recipe.analyses = {Analysis::kWidth, Analysis::kDhash};
  const EngineResult result = Run(CachedImage(Spec(640, 480, TestFormat::kJpeg)), recipe);
  EXPECT_EQ(result.analysis.width, 640);
  EXPECT_TRUE(result.analysis.dhash.has_value());
  EXPECT_FALSE(result.analysis.height.has_value());
  EXPECT_FALSE(result.analysis.format.has_value());
  EXPECT_FALSE(result.analysis.orientation.has_value());
  EXPECT_FALSE(result.analysis.mean_colour.has_value());
}

TEST_F(EngineTest, HeaderAnalysesAloneNeedNoDecode) {
  Recipe recipe;
  recipe.analyses = {Analysis::kWidth, Analysis::kHeight, Analysis::kFormat,
                     Analysis::kOrientation};
  const EngineResult result =
      Run(CachedImage(Spec(400, 300, TestFormat::kJpeg, TestPixels::kRgb, 6)), recipe);
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(result.analysis.width, 300);
  EXPECT_EQ(result.analysis.height, 400);
  EXPECT_EQ(result.analysis.orientation, 6);
}

TEST_F(EngineTest, ChecksumAloneNeverLooksInsideTheFile) {
  Recipe recipe;
  recipe.analyses = {Analysis::kSha256};
  // Not an image at all: a checksum-only recipe accepts any bytes.
  const EngineResult text = Run("just some text, not an image", recipe);
  EXPECT_EQ(text.analysis.sha256, Sha256Hex("just some text, not an image"));
  EXPECT_FALSE(text.analysis.format.has_value());

  recipe.analyses.push_back(Analysis::kFormat);
  const std::string jpeg = CachedImage(Spec(64, 48, TestFormat::kJpeg, TestPixels::kRgb, 1));
  const EngineResult image = Run(jpeg, recipe);
  EXPECT_EQ(image.analysis.sha256, Sha256Hex(jpeg));
  EXPECT_EQ(image.analysis.format, "jpeg");
  // With a header analysis the file must be an image again.
  const Result<EngineResult> refused =
      ProcessImage("just some text, not an image", "notes.jpg", recipe, EngineLimits{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
}

// Every file of the "formats" sample set through a recipe that uses every encoder.
class EngineFormatsTest : public EngineTest, public testing::WithParamInterface<SampleFile> {};

Recipe EveryEncoder() {
  Recipe recipe;
  recipe.outputs = {
      Output("jpeg", {AutoRotateOp{}, ToSrgbOp{}, Resize(300, 300)}, ImageFormat::kJpeg),
      Output("png", {AutoRotateOp{}, Resize(200, 200)}, ImageFormat::kPng),
      Output("webp", {AutoRotateOp{}, Resize(64, 64, ResizeFit::kCover, Gravity::kAttention)},
             ImageFormat::kWebp),
      Output("avif", {AutoRotateOp{}, Resize(160, 160)}, ImageFormat::kAvif, 50),
      Output("tiff", {AutoRotateOp{}, Resize(100, 100, ResizeFit::kFill)}, ImageFormat::kTiff),
  };
  recipe.analyses = AllAnalyses();
  return recipe;
}

// Expected size of a fit-inside without enlargement, as the plan computes it.
std::pair<int, int> FitInside(int width, int height, int box) {
  if (width <= box && height <= box) return {width, height};
  if (width >= height) {
    return {box, std::max(1, static_cast<int>(std::lround(1.0 * height * box / width)))};
  }
  return {std::max(1, static_cast<int>(std::lround(1.0 * width * box / height))), box};
}

TEST_P(EngineFormatsTest, EveryOutputDecodesWithTheExpectedSize) {
  const SampleFile& file = GetParam();
  const auto& spec = std::get<TestImageSpec>(file.content);
  const bool swapped = spec.orientation >= 5;
  const int upright_w = swapped ? spec.height : spec.width;
  const int upright_h = swapped ? spec.width : spec.height;

  const EngineResult result = Run(CachedImage(spec), EveryEncoder());
  ASSERT_EQ(result.outputs.size(), 5u);

  const auto [jpeg_w, jpeg_h] = FitInside(upright_w, upright_h, 300);
  const Inspected jpeg = Inspect(result.outputs[0].bytes);
  EXPECT_EQ(jpeg.loader, "jpegload_buffer");
  EXPECT_EQ(jpeg.width, jpeg_w);
  EXPECT_EQ(jpeg.height, jpeg_h);
  EXPECT_EQ(jpeg.bands, 3) << "ToSrgbOp makes 3-band sRGB of every kind";
  EXPECT_EQ(jpeg.format, VIPS_FORMAT_UCHAR);
  EXPECT_EQ(jpeg.orientation, 0) << "stripped and upright: no orientation tag";

  const auto [png_w, png_h] = FitInside(upright_w, upright_h, 200);
  const Inspected png = Inspect(result.outputs[1].bytes);
  EXPECT_EQ(png.loader, "pngload_buffer");
  EXPECT_EQ(png.width, png_w);
  EXPECT_EQ(png.height, png_h);
  const bool alpha = spec.pixels == TestPixels::kRgba;
  const bool grey = spec.pixels == TestPixels::kGrey;
  EXPECT_EQ(png.bands, (grey ? 1 : 3) + (alpha ? 1 : 0));
  EXPECT_EQ(png.format, VIPS_FORMAT_UCHAR);

  const Inspected webp = Inspect(result.outputs[2].bytes);
  EXPECT_EQ(webp.loader, "webpload_buffer");
  EXPECT_EQ(webp.width, std::min(64, upright_w));
  EXPECT_EQ(webp.height, std::min(64, upright_h));
  EXPECT_EQ(webp.bands, alpha ? 4 : 3);

  const auto [avif_w, avif_h] = FitInside(upright_w, upright_h, 160);
  const Inspected avif = Inspect(result.outputs[3].bytes);
  EXPECT_EQ(avif.loader, "heifload_buffer");
  EXPECT_EQ(avif.width, avif_w);
  EXPECT_EQ(avif.height, avif_h);
  EXPECT_EQ(result.outputs[3].content_type, "image/avif");

  const Inspected tiff = Inspect(result.outputs[4].bytes);
  EXPECT_EQ(tiff.loader, "tiffload_buffer");
  EXPECT_EQ(tiff.width, std::min(100, upright_w));
  EXPECT_EQ(tiff.height, std::min(100, upright_h));

  EXPECT_EQ(result.analysis.width, upright_w);
  EXPECT_EQ(result.analysis.height, upright_h);
  EXPECT_EQ(result.analysis.orientation, spec.orientation);
  const char* format_names[] = {"jpeg", "png", "webp", "tiff", "gif", "heif", "heif"};
  EXPECT_EQ(result.analysis.format, format_names[static_cast<int>(spec.format)]);
  EXPECT_TRUE(result.analysis.mean_colour.has_value());
  EXPECT_TRUE(result.analysis.dhash.has_value());
}

std::vector<SampleFile> FormatsWithoutTheLargeOne() {
  std::vector<SampleFile> files = SampleSet("formats").value();
  std::erase_if(files, [](const SampleFile& f) { return f.path.starts_with("large"); });
  return files;
}

std::string TestNameOf(const testing::TestParamInfo<SampleFile>& param_info) {
  std::string name = param_info.param.path;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Formats, EngineFormatsTest, testing::ValuesIn(FormatsWithoutTheLargeOne()),
                         TestNameOf);

TEST_F(EngineTest, LargeJpegOver40MegapixelsUsesShrinkOnLoad) {
  const std::string& input = CachedImage(Spec(8000, 5200, TestFormat::kJpeg));
  const EngineResult result = Run(input, Std3());
  ASSERT_EQ(result.outputs.size(), 3u);
  EXPECT_EQ(result.outputs[0].width, 1600);
  EXPECT_EQ(result.outputs[0].height, 1040);
  EXPECT_EQ(result.analysis.width, 8000);
}

// Stored pixels of the orientation-N file are identical for every N (same seed); only the tag
// differs. So the upright output must equal the stored pixels under the EXIF transform.
vips::VImage ExifTransform(const vips::VImage& stored, int orientation) {
  switch (orientation) {
    case 2:
      return stored.fliphor();
    case 3:
      return stored.rot180();
    case 4:
      return stored.flipver();
    case 5:
      return stored.rot90().fliphor();
    case 6:
      return stored.rot90();
    case 7:
      return stored.rot270().fliphor();
    case 8:
      return stored.rot270();
    default:
      return stored;
  }
}

TEST_F(EngineTest, AutoRotateProducesTheUprightPixelsForAllOrientations) {
  Recipe recipe;
  recipe.outputs = {Output("upright", {AutoRotateOp{}}, ImageFormat::kPng)};
  recipe.analyses = {Analysis::kWidth, Analysis::kHeight, Analysis::kOrientation};
  const std::string& plain = CachedImage(Spec(400, 300, TestFormat::kJpeg, TestPixels::kRgb, 1, 9));
  const vips::VImage stored = vips::VImage::new_from_buffer(plain.data(), plain.size(), "");
  for (int orientation = 1; orientation <= 8; ++orientation) {
    SCOPED_TRACE("orientation " + std::to_string(orientation));
    const std::string& input =
        CachedImage(Spec(400, 300, TestFormat::kJpeg, TestPixels::kRgb, orientation, 9));
    ASSERT_EQ(Inspect(input).orientation, orientation) << "the generator wrote the EXIF tag";
    const EngineResult result = Run(input, recipe);
    ASSERT_EQ(result.outputs.size(), 1u);
    const bool swapped = orientation >= 5;
    EXPECT_EQ(result.outputs[0].width, swapped ? 300 : 400);
    EXPECT_EQ(result.outputs[0].height, swapped ? 400 : 300);
    EXPECT_EQ(result.analysis.width, swapped ? 300 : 400);
    EXPECT_EQ(result.analysis.orientation, orientation);

    const std::string& png = result.outputs[0].bytes;
    const vips::VImage upright = vips::VImage::new_from_buffer(png.data(), png.size(), "");
    const vips::VImage expected = ExifTransform(stored, orientation);
    ASSERT_EQ(upright.width(), expected.width());
    EXPECT_EQ((upright - expected).abs().max(), 0.0);
  }
}

TEST_F(EngineTest, WithoutAutoRotateTheStoredOrientationAndTagAreKept) {
  Recipe recipe;
  recipe.outputs = {Output("as_stored", {Resize(200, 200)}, ImageFormat::kJpeg, 80,
                           /*strip=*/false)};
  const EngineResult result =
      Run(CachedImage(Spec(400, 300, TestFormat::kJpeg, TestPixels::kRgb, 6)), recipe);
  const Inspected out = Inspect(result.outputs[0].bytes);
  EXPECT_EQ(out.width, 200);
  EXPECT_EQ(out.height, 150);
  EXPECT_EQ(out.orientation, 6);
}

TEST_F(EngineTest, AutoRotateAfterAResizeStillTurnsTheImage) {
  Recipe recipe;
  recipe.outputs = {Output("turned_late", {Resize(200, 200), AutoRotateOp{}}, ImageFormat::kJpeg)};
  const EngineResult result =
      Run(CachedImage(Spec(400, 300, TestFormat::kJpeg, TestPixels::kRgb, 6)), recipe);
  ASSERT_EQ(result.outputs.size(), 1u);
  const Inspected out = Inspect(result.outputs[0].bytes);
  EXPECT_EQ(out.width, 150) << "resized as stored (200x150), then turned upright";
  EXPECT_EQ(out.height, 200);
}

TEST_F(EngineTest, JpegOutputOfCmyk16BitAndAlphaInputsIs8BitSrgbWithoutToSrgbOp) {
  Recipe recipe;
  // strip=false so that a wrong profile would be written out too.
  recipe.outputs = {Output("jpeg", {Resize(320, 320)}, ImageFormat::kJpeg, 80, /*strip=*/false)};
  for (const TestImageSpec& spec : {Spec(640, 480, TestFormat::kJpeg, TestPixels::kCmyk),
                                    Spec(640, 480, TestFormat::kTiff, TestPixels::kCmyk),
                                    Spec(640, 480, TestFormat::kPng, TestPixels::kRgb16),
                                    Spec(640, 480, TestFormat::kTiff, TestPixels::kRgb16),
                                    Spec(640, 480, TestFormat::kPng, TestPixels::kRgba)}) {
    SCOPED_TRACE(std::string(TestFormatExtension(spec.format)) + " pixels " +
                 std::to_string(static_cast<int>(spec.pixels)));
    const Inspected out = Inspect(Run(CachedImage(spec), recipe).outputs.at(0).bytes);
    EXPECT_EQ(out.bands, 3);
    EXPECT_EQ(out.format, VIPS_FORMAT_UCHAR);
    EXPECT_EQ(out.interpretation, VIPS_INTERPRETATION_sRGB);
    EXPECT_FALSE(out.has_icc) << "a CMYK profile must not ride along on sRGB pixels";
  }
}

TEST_F(EngineTest, NoEncoderWritesTheCmykProfileOntoSrgbPixels) {
  // libvips 8.14's thumbnail converts CMYK to sRGB but leaves a CMYK profile attached.
  Recipe recipe;
  for (ImageFormat format : {ImageFormat::kJpeg, ImageFormat::kPng, ImageFormat::kWebp,
                             ImageFormat::kTiff, ImageFormat::kAvif}) {
    recipe.outputs.push_back(
        Output(FormatName(format), {Resize(200, 200)}, format, 80, /*strip=*/false));
  }
  const EngineResult result =
      Run(CachedImage(Spec(640, 480, TestFormat::kJpeg, TestPixels::kCmyk)), recipe);
  for (const EncodedOutput& output : result.outputs) {
    EXPECT_FALSE(Inspect(output.bytes).has_icc) << output.name;
  }
}

TEST_F(EngineTest, SixteenBitInputIsScaledNotClipped) {
  Recipe recipe;
  recipe.outputs = {Output("jpeg", {Resize(320, 320)}, ImageFormat::kJpeg)};
  recipe.analyses = {Analysis::kMeanColour};
  const auto eight =
      Run(CachedImage(Spec(640, 480, TestFormat::kPng, TestPixels::kRgb, 1, 5)), recipe)
          .analysis.mean_colour.value();
  const auto sixteen =
      Run(CachedImage(Spec(640, 480, TestFormat::kPng, TestPixels::kRgb16, 1, 5)), recipe)
          .analysis.mean_colour.value();
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(sixteen[i], eight[i], 1.0) << i;
}

TEST_F(EngineTest, AlphaIsKeptByPngWebpAndAvifAndFlattenedOnWhiteForJpeg) {
  Recipe recipe;
  recipe.outputs = {Output("png", {Resize(320, 320)}, ImageFormat::kPng),
                    Output("webp", {Resize(320, 320)}, ImageFormat::kWebp),
                    Output("avif", {Resize(320, 320)}, ImageFormat::kAvif),
                    Output("jpeg", {Resize(320, 320)}, ImageFormat::kJpeg, 95)};
  const EngineResult result =
      Run(CachedImage(Spec(640, 480, TestFormat::kPng, TestPixels::kRgba)), recipe);
  EXPECT_EQ(Inspect(result.outputs[0].bytes).bands, 4);
  EXPECT_EQ(Inspect(result.outputs[1].bytes).bands, 4);
  EXPECT_EQ(Inspect(result.outputs[2].bytes).bands, 4);
  const std::string& jpeg = result.outputs[3].bytes;
  const vips::VImage flat = vips::VImage::new_from_buffer(jpeg.data(), jpeg.size(), "");
  ASSERT_EQ(flat.bands(), 3);
  // The generator's alpha is 0 in the corners: flattened on white.
  for (double value : flat.getpoint(0, 0)) EXPECT_GT(value, 245);
}

TEST_F(EngineTest, ResizingWithAlphaLeavesNoDarkFringe) {
  // Left half opaque red, right half fully transparent black: unpremultiplied resampling would
  // mix the black into the red along the edge.
  const vips::VImage red = vips::VImage::black(101, 64).new_from_image({255, 0, 0, 255});
  const vips::VImage clear = vips::VImage::black(101, 64).new_from_image({0, 0, 0, 0});
  const vips::VImage half =
      (vips::VImage::xyz(101, 64)[0] < 50)
          .ifthenelse(red, clear)
          .cast(VIPS_FORMAT_UCHAR)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  void* buffer = nullptr;
  size_t length = 0;
  half.write_to_buffer(".png", &buffer, &length);
  const std::string input(static_cast<const char*>(buffer), length);
  g_free(buffer);

  Recipe recipe;
  // The full-size output makes the decode full size, so the engine's resize (not the decoder's
  // shrink-on-load) does the 101 -> 37 reduction.
  recipe.outputs = {Output("png", {Resize(37, 37)}, ImageFormat::kPng),
                    Output("full", {}, ImageFormat::kPng)};
  const EngineResult result = Run(input, recipe);
  ASSERT_EQ(result.outputs.size(), 2u);
  const std::string& png = result.outputs[0].bytes;
  const vips::VImage out = vips::VImage::new_from_buffer(png.data(), png.size(), "");
  ASSERT_EQ(out.bands(), 4);
  int edge_pixels = 0;
  for (int x = 0; x < out.width(); ++x) {
    const std::vector<double> pixel = out.getpoint(x, out.height() / 2);
    if (pixel[3] < 16 || pixel[3] > 240) continue;  // only the partly transparent edge
    ++edge_pixels;
    EXPECT_GT(pixel[0], 240) << "x=" << x << " alpha=" << pixel[3];
  }
  EXPECT_GT(edge_pixels, 0);
}

TEST_F(EngineTest, MeanColourOfSolidImagesIsExact) {
  Recipe recipe;
  recipe.outputs = {Output("jpeg", {Resize(64, 64)}, ImageFormat::kJpeg)};
  recipe.analyses = {Analysis::kMeanColour};
  for (TestFormat format : {TestFormat::kPng, TestFormat::kJpeg, TestFormat::kWebp}) {
    TestImageSpec spec = Spec(300, 200, format);
    spec.pattern = TestPattern::kSolid;
    spec.colour = {200, 120, 40};
    spec.quality = 95;
    const auto mean = Run(CachedImage(spec), recipe).analysis.mean_colour.value();
    EXPECT_NEAR(mean[0], 200, 1.0) << TestFormatExtension(format);
    EXPECT_NEAR(mean[1], 120, 1.0) << TestFormatExtension(format);
    EXPECT_NEAR(mean[2], 40, 1.0) << TestFormatExtension(format);
  }
}

TEST_F(EngineTest, MeanColourOfGreyRepeatsTheValue) {
  Recipe recipe;
  recipe.analyses = {Analysis::kMeanColour};
  TestImageSpec spec = Spec(300, 200, TestFormat::kPng, TestPixels::kGrey);
  spec.pattern = TestPattern::kSolid;
  spec.colour = {90, 90, 90};
  const auto mean = Run(CachedImage(spec), recipe).analysis.mean_colour.value();
  EXPECT_NEAR(mean[0], 90, 1.0);
  EXPECT_DOUBLE_EQ(mean[0], mean[1]);
  EXPECT_DOUBLE_EQ(mean[1], mean[2]);
}

TEST_F(EngineTest, MeanColourOfCmykIsCloseToTheSrgbItCameFrom) {
  Recipe recipe;
  recipe.analyses = {Analysis::kMeanColour};
  TestImageSpec spec = Spec(300, 200, TestFormat::kTiff, TestPixels::kCmyk);
  spec.pattern = TestPattern::kSolid;
  spec.colour = {200, 120, 40};
  const auto mean = Run(CachedImage(spec), recipe).analysis.mean_colour.value();
  // sRGB -> CMYK -> sRGB through libvips' CMYK profile is not lossless: this orange comes back as
  // about (201,128,55). Interpreting the CMYK bands without the profile would be far off.
  const vips::VImage reference =
      vips::VImage::black(1, 1)
          .new_from_image({200, 120, 40})
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
          .colourspace(VIPS_INTERPRETATION_CMYK)
          .colourspace(VIPS_INTERPRETATION_sRGB);
  const std::vector<double> expected = reference.getpoint(0, 0);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(mean[i], expected[i], 2.0) << i;
    EXPECT_NEAR(mean[i], spec.colour[i], 20.0) << i;
  }
}

Recipe DhashOnly() {
  Recipe recipe;
  recipe.analyses = {Analysis::kDhash};
  return recipe;
}

TEST_F(EngineTest, DhashIsStableForTheSameImageAndDiffersAcrossSeeds) {
  const std::string& a = CachedImage(Spec(1200, 900, TestFormat::kJpeg, TestPixels::kRgb, 1, 21));
  const std::string& b = CachedImage(Spec(1200, 900, TestFormat::kJpeg, TestPixels::kRgb, 1, 22));
  const uint64_t first = Run(a, DhashOnly()).analysis.dhash.value();
  EXPECT_EQ(Run(a, DhashOnly()).analysis.dhash.value(), first);
  EXPECT_GT(HammingDistance(first, Run(b, DhashOnly()).analysis.dhash.value()), 8);
  // A different decode size (std3 shrinks on load to 1600 wide) barely moves it.
  Recipe std3 = Std3();
  std3.analyses = {Analysis::kDhash};
  EXPECT_LE(HammingDistance(first, Run(a, std3).analysis.dhash.value()), 3);
}

TEST_F(EngineTest, DhashOfGradientsHasKnownBits) {
  TestImageSpec rising = Spec(900, 800, TestFormat::kPng);
  rising.pattern = TestPattern::kHorizontalGradient;
  EXPECT_EQ(Run(CachedImage(rising), DhashOnly()).analysis.dhash.value(), 0u);

  TestImageSpec split = Spec(900, 800, TestFormat::kPng);
  split.pattern = TestPattern::kSplitGradient;
  // Top four rows rise (0 bits), bottom four fall (1 bits); the first row is most significant.
  EXPECT_EQ(Run(CachedImage(split), DhashOnly()).analysis.dhash.value(), 0x00000000FFFFFFFFull);

  // Stored rising, orientation 3 (rotate 180): upright it falls, so every bit is set.
  TestImageSpec rotated = Spec(900, 800, TestFormat::kJpeg, TestPixels::kRgb, 3);
  rotated.pattern = TestPattern::kHorizontalGradient;
  EXPECT_EQ(Run(CachedImage(rotated), DhashOnly()).analysis.dhash.value(), ~uint64_t{0});
}

// analysis.h's orientation map against the turn outputs get (operations.h's Upright).
TEST_F(EngineTest, StoredPositionAgreesWithUpright) {
  std::vector<double> values = {1, 2, 3, 4, 5, 6};
  const vips::VImage stored =
      vips::VImage::new_matrix(3, 2, values.data(), 6).cast(VIPS_FORMAT_UCHAR);
  for (int orientation = 1; orientation <= 8; ++orientation) {
    const vips::VImage upright = Upright(stored, orientation);
    for (int y = 0; y < upright.height(); ++y) {
      for (int x = 0; x < upright.width(); ++x) {
        const Position from = StoredPosition(x, y, {3, 2}, orientation);
        EXPECT_EQ(upright.getpoint(x, y)[0], stored.getpoint(from.x, from.y)[0])
            << "orientation " << orientation << " at " << x << "," << y;
      }
    }
  }
}

// The dHash from the pixels (8-bit sRGB) and through libvips (for other images) agree but for
// a bit or two, in every orientation.
TEST_F(EngineTest, DhashFromPixelsAgreesWithTheLibvipsRoute) {
  const vips::VImage photo = vips::VImage::new_from_buffer(
      CachedImage(Spec(640, 480, TestFormat::kJpeg, TestPixels::kRgb, 1, 31)), "");
  const vips::VImage memory = photo.copy_memory();
  const Deadline deadline(std::chrono::minutes(1));
  for (int orientation = 1; orientation <= 8; ++orientation) {
    ImageHeader header;
    header.orientation = orientation;
    ImageAnalysis analysis;
    ASSERT_TRUE(MeasurePixels(memory, header, {Analysis::kDhash}, &analysis, deadline).ok());
    EXPECT_LE(HammingDistance(analysis.dhash.value(), Dhash(memory, orientation)), 3)
        << "orientation " << orientation;
  }
}

TEST_F(EngineTest, OnePixelInputWorks) {
  for (TestFormat format : {TestFormat::kJpeg, TestFormat::kPng}) {
    const EngineResult result = Run(CachedImage(Spec(1, 1, format)), Std3());
    ASSERT_EQ(result.outputs.size(), 3u);
    for (const EncodedOutput& output : result.outputs) {
      EXPECT_EQ(output.width, 1) << output.name;
      EXPECT_EQ(output.height, 1) << output.name;
      EXPECT_EQ(Inspect(output.bytes).width, 1);
    }
    EXPECT_EQ(result.analysis.width, 1);
    EXPECT_TRUE(result.analysis.dhash.has_value());
  }
}

TEST_F(EngineTest, CropOpCutsTheCentreOrTheInterestingPart) {
  CropOp centre;
  centre.width = 200;
  centre.height = 1000;
  CropOp smart = centre;
  smart.gravity = Gravity::kEntropy;
  Recipe recipe;
  recipe.outputs = {Output("centre", {centre}, ImageFormat::kPng),
                    Output("smart", {Resize(320, 320), smart}, ImageFormat::kPng)};
  const EngineResult result = Run(CachedImage(Spec(640, 480, TestFormat::kPng)), recipe);
  EXPECT_EQ(result.outputs[0].width, 200);
  EXPECT_EQ(result.outputs[0].height, 480);
  EXPECT_EQ(result.outputs[1].width, 200);
  EXPECT_EQ(result.outputs[1].height, 240);
}

// The attention crop of a grey picture with one red thing near its right edge keeps the red
// thing, in 8-bit sRGB (attention.h) and in 16-bit RGB (libvips' smartcrop) alike.
TEST_F(EngineTest, AttentionCoverKeepsTheRedThingNearTheEdge) {
  for (const VipsBandFormat format : {VIPS_FORMAT_UCHAR, VIPS_FORMAT_USHORT}) {
    const double full = format == VIPS_FORMAT_UCHAR ? 255 : 65535;
    vips::VImage picture = vips::VImage::black(600, 300, vips::VImage::option()->set("bands", 3))
                               .linear(1, full / 2)
                               .cast(format);
    picture = picture.copy(vips::VImage::option()->set(
        "interpretation",
        format == VIPS_FORMAT_UCHAR ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_RGB16));
    picture.draw_rect({full * 0.9, full * 0.1, full * 0.1}, 520, 100, 60, 100,
                      vips::VImage::option()->set("fill", true));
    const std::string png = TakeBlob(picture.pngsave_buffer());
    Recipe recipe;
    recipe.outputs = {
        Output("attention", {Resize(100, 100, ResizeFit::kCover, Gravity::kAttention)},
               ImageFormat::kPng),
        Output("centre", {Resize(100, 100, ResizeFit::kCover)}, ImageFormat::kPng)};
    const EngineResult result = Run(png, recipe);
    const vips::VImage attention = vips::VImage::new_from_buffer(result.outputs[0].bytes, "");
    const vips::VImage centre = vips::VImage::new_from_buffer(result.outputs[1].bytes, "");
    ASSERT_EQ(attention.width(), 100);
    ASSERT_EQ(attention.height(), 100);
    // The patch is 20x34 of the crop's 100x100 pixels when kept whole: red above green by
    // 0.8 * 6.8 % of full scale; a crop that cut it in half would still show more than 3 %.
    const double out_full = attention.format() == VIPS_FORMAT_USHORT ? 65535 : 255;
    const double red_over_green = attention[0].avg() - attention[1].avg();
    EXPECT_GT(red_over_green, 0.8 * out_full * 0.03) << "format " << format;
    EXPECT_NEAR(centre[0].avg(), centre[1].avg(), out_full * 0.01) << "format " << format;
  }
}

TEST_F(EngineTest, FillIgnoresAspectAndEnlargeUpscales) {
  ResizeOp fill = Resize(50, 300, ResizeFit::kFill);
  ResizeOp bigger = Resize(1280, 1280);
  bigger.enlarge = true;
  Recipe recipe;
  recipe.outputs = {Output("fill", {fill}, ImageFormat::kPng),
                    Output("bigger", {bigger}, ImageFormat::kJpeg)};
  const EngineResult result = Run(CachedImage(Spec(640, 480, TestFormat::kJpeg)), recipe);
  EXPECT_EQ(Inspect(result.outputs[0].bytes).width, 50);
  EXPECT_EQ(Inspect(result.outputs[0].bytes).height, 300);
  EXPECT_EQ(Inspect(result.outputs[1].bytes).width, 1280);
  EXPECT_EQ(Inspect(result.outputs[1].bytes).height, 960);
}

TEST_F(EngineTest, ProfiledRgbIsConvertedWhenTheProfileIsStripped) {
  // sRGB red stored as Display P3 numbers (about 234,51,35) with the P3 profile embedded. Once the
  // profile is stripped those numbers would be read as sRGB, so the engine must convert them
  // back, which gives (255,0,0) again.
  const vips::VImage srgb_red = vips::VImage::black(64, 64).new_from_image({255, 0, 0});
  const vips::VImage p3 =
      srgb_red.copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
          .icc_transform("p3", vips::VImage::option()->set("input_profile", "srgb"));
  void* buffer = nullptr;
  size_t length = 0;
  p3.write_to_buffer(".png", &buffer, &length);
  const std::string input(static_cast<const char*>(buffer), length);
  g_free(buffer);
  ASSERT_TRUE(Inspect(input).has_icc);

  Recipe recipe;
  recipe.outputs = {Output("png", {Resize(32, 32)}, ImageFormat::kPng)};
  const EngineResult result = Run(input, recipe);
  ASSERT_EQ(result.outputs.size(), 1u);
  const std::string& png = result.outputs[0].bytes;
  const vips::VImage out = vips::VImage::new_from_buffer(png.data(), png.size(), "");
  const std::vector<double> pixel = out.getpoint(16, 16);
  EXPECT_GT(pixel[0], 250);
  EXPECT_LT(pixel[1], 8);
  EXPECT_LT(pixel[2], 8);
  EXPECT_FALSE(Inspect(png).has_icc);
}

std::string AsPng(const vips::VImage& image) {
  void* buffer = nullptr;
  size_t length = 0;
  image.write_to_buffer(".png", &buffer, &length);
  std::string bytes(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return bytes;
}

TEST_F(EngineTest, EveryOutputOfAWideGamutPhotoHasTheColoursLibvipsConvertsItTo) {
  // The outputs that convert before they resize share one conversion of the decoded image
  // (matrix_shaper.h for a P3 profile). Reference: the same recipe on the photo converted to
  // sRGB beforehand by libvips' icc_transform.
  const vips::VImage x = vips::VImage::xyz(480, 320);
  const vips::VImage across = x.extract_band(0) * (255.0 / 480);
  const vips::VImage down = x.extract_band(1) * (255.0 / 320);
  const vips::VImage p3 =
      across.bandjoin(down)
          .bandjoin((across + down) * 0.5)
          .cast(VIPS_FORMAT_UCHAR)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
          .icc_transform("p3", vips::VImage::option()->set("input_profile", "srgb"));
  const std::string input = AsPng(p3);
  ASSERT_TRUE(Inspect(input).has_icc);
  const std::string reference = AsPng(
      WithoutIccProfile(vips::VImage::new_from_buffer(input.data(), input.size(), "")
                            .icc_transform("srgb", vips::VImage::option()->set("embedded", true))));
  Recipe recipe;
  recipe.outputs = {
      Output("large", {AutoRotateOp{}, ToSrgbOp{}, Resize(240, 240)}, ImageFormat::kPng, 80, false),
      Output("small", {AutoRotateOp{}, ToSrgbOp{}, Resize(96, 96)}, ImageFormat::kPng),
      Output("square", {ToSrgbOp{}, Resize(40, 40, ResizeFit::kCover)}, ImageFormat::kPng)};
  const EngineResult converted = Run(input, recipe);
  const EngineResult expected = Run(reference, recipe);
  ASSERT_EQ(converted.outputs.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const std::string& got = converted.outputs[i].bytes;
    const std::string& want = expected.outputs[i].bytes;
    const vips::VImage a = vips::VImage::new_from_buffer(got.data(), got.size(), "");
    const vips::VImage b = vips::VImage::new_from_buffer(want.data(), want.size(), "");
    ASSERT_EQ(a.width(), b.width()) << converted.outputs[i].name;
    ASSERT_EQ(a.height(), b.height()) << converted.outputs[i].name;
    const vips::VImage difference = (a.cast(VIPS_FORMAT_INT) - b.cast(VIPS_FORMAT_INT)).abs();
    // The engine converts after the reduce into the decode box, the reference before it: the
    // same but where a converted channel clips at 0 or 255 (the gradient's saturated corners),
    // as clipping before or after averaging differs.
    EXPECT_LT(difference.avg(), 0.5) << converted.outputs[i].name;
    const double over_two = (difference > 2).avg() / 255;  // the share of samples off by > 2
    EXPECT_LT(over_two, 0.02) << converted.outputs[i].name;
  }
  // Kept metadata: the output says it is sRGB, as libvips' conversion says it.
  EXPECT_TRUE(Inspect(converted.outputs[0].bytes).has_icc);
  EXPECT_FALSE(Inspect(converted.outputs[1].bytes).has_icc);

  // The analyses read the decoded colour, reduced from the decoded image when the outputs made
  // their smaller images in sRGB: as they read it without those outputs.
  recipe.analyses = {Analysis::kMeanColour, Analysis::kDhash};
  const EngineResult with_outputs = Run(input, recipe);
  recipe.outputs.clear();
  const EngineResult alone = Run(input, recipe);
  ASSERT_TRUE(with_outputs.analysis.mean_colour && alone.analysis.mean_colour);
  for (size_t band = 0; band < 3; ++band) {
    EXPECT_NEAR((*with_outputs.analysis.mean_colour)[band], (*alone.analysis.mean_colour)[band],
                1.0);
  }
  ASSERT_TRUE(with_outputs.analysis.dhash && alone.analysis.dhash);
  EXPECT_LE(std::popcount(*with_outputs.analysis.dhash ^ *alone.analysis.dhash), 2);
}

}  // namespace
}  // namespace pixfleet
