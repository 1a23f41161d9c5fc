// ProcessImageFile reads the same image as ProcessImage on the file's bytes: for every supported
// format and kind (orientation, CMYK, alpha, 16-bit), the outputs are the same bytes and sizes
// and the analyses the same values; broken and absent files fail with the right code.
#include <gtest/gtest.h>

#include "core/hash.h"
#include "imaging/engine.h"
#include "imaging/engine_test_util.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"

namespace pixfleet {
namespace {

using namespace testing_imaging;  // NOLINT(google-build-using-namespace): test helpers only

class EngineFileTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { InitEngineForTests(); }

  // Writes `bytes` to a file and runs both entry points on them.
  std::pair<Result<EngineResult>, Result<EngineResult>> BothWays(const std::string& bytes,
                                                                 const Recipe& recipe) {
    const std::string path = dir_.Join("input");
    WriteFileForTest(path, bytes);
    return {ProcessImage(bytes, "in", recipe, EngineLimits{}),
            ProcessImageFile(path, "in", recipe, EngineLimits{})};
  }

  TempDir dir_;
};

Recipe Std3WithChecksum() {
  Recipe recipe = Std3();
  recipe.analyses.push_back(Analysis::kSha256);
  return recipe;
}

TEST_F(EngineFileTest, SameOutputsAndAnalysesAsFromBytesForEveryFormat) {
  const std::vector<TestImageSpec> specs = {
      Spec(900, 600, TestFormat::kJpeg),
      Spec(900, 600, TestFormat::kJpeg, TestPixels::kRgb, /*orientation=*/6),
      Spec(700, 500, TestFormat::kJpeg, TestPixels::kCmyk),
      Spec(640, 480, TestFormat::kPng, TestPixels::kRgba),
      Spec(640, 480, TestFormat::kPng, TestPixels::kRgb16),
      Spec(640, 480, TestFormat::kWebp, TestPixels::kRgb, /*orientation=*/3),
      Spec(500, 700, TestFormat::kTiff, TestPixels::kGrey, /*orientation=*/8),
      Spec(300, 200, TestFormat::kGif),
      Spec(640, 480, TestFormat::kHeic),
      Spec(640, 480, TestFormat::kAvif),
  };
  for (const TestImageSpec& spec : specs) {
    const std::string& bytes = CachedImage(spec);
    const auto [from_bytes, from_file] = BothWays(bytes, Std3WithChecksum());
    const std::string label = std::to_string(spec.width) + "x" + std::to_string(spec.height) +
                              " format " + std::to_string(static_cast<int>(spec.format)) +
                              " orientation " + std::to_string(spec.orientation);
    ASSERT_TRUE(from_bytes.ok()) << label << ": " << from_bytes.error().ToString();
    ASSERT_TRUE(from_file.ok()) << label << ": " << from_file.error().ToString();
    ASSERT_EQ(from_file->outputs.size(), 3u) << label;
    for (size_t i = 0; i < 3; ++i) {
      const EncodedOutput& a = from_bytes->outputs[i];
      const EncodedOutput& b = from_file->outputs[i];
      EXPECT_EQ(b.width, a.width) << label << " " << a.name;
      EXPECT_EQ(b.height, a.height) << label << " " << a.name;
      EXPECT_TRUE(b.bytes == a.bytes) << label << " " << a.name << ": encoded bytes differ";
    }
    EXPECT_EQ(from_file->analysis, from_bytes->analysis) << label;
    EXPECT_EQ(from_file->analysis.sha256, Sha256Hex(bytes)) << label;
  }
}

TEST_F(EngineFileTest, UprightSizesFromAFileWithOrientation6) {
  // 900x600 stored, turned 90 degrees: upright 600x900; large keeps it, small fits 512 tall,
  // square is 256x256.
  const auto [_, result] =
      BothWays(CachedImage(Spec(900, 600, TestFormat::kJpeg, TestPixels::kRgb, 6)), Std3());
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->analysis.width, 600);
  EXPECT_EQ(result->analysis.height, 900);
  const std::vector<std::pair<int, int>> expected = {{600, 900}, {341, 512}, {256, 256}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(result->outputs[i].width, expected[i].first) << result->outputs[i].name;
    EXPECT_EQ(result->outputs[i].height, expected[i].second) << result->outputs[i].name;
  }
}

TEST_F(EngineFileTest, BrokenFilesFailAsTheirBytesDo) {
  const std::string& jpeg = CachedImage(Spec(640, 480, TestFormat::kJpeg));
  const std::string& tiff = CachedImage(Spec(640, 480, TestFormat::kTiff));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"text", "hello, not an image"},
      {"jpeg cut in half", jpeg.substr(0, jpeg.size() / 2)},
      {"tiff cut before its directory", tiff.substr(0, 64)},
  };
  for (const auto& [name, bytes] : cases) {
    const auto [from_bytes, from_file] = BothWays(bytes, Std3());
    ASSERT_FALSE(from_bytes.ok()) << name;
    ASSERT_FALSE(from_file.ok()) << name;
    EXPECT_EQ(from_file.error().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(from_file.error().message(), from_bytes.error().message()) << name;
  }
}

TEST_F(EngineFileTest, AbsentFileOrFolderIsNamed) {
  const Result<EngineResult> absent =
      ProcessImageFile(dir_.Join("nothing.jpg"), "nothing.jpg", Std3(), EngineLimits{});
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code(), StatusCode::kNotFound);
  const Result<EngineResult> folder =
      ProcessImageFile(dir_.path().string(), "folder", Std3(), EngineLimits{});
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineFileTest, FileOverTheByteLimitIsRefusedBeforeDecoding) {
  const std::string path = dir_.Join("big.jpg");
  WriteFileForTest(path, CachedImage(Spec(640, 480, TestFormat::kJpeg)));
  EngineLimits limits;
  limits.max_input_bytes = 100;
  const Result<EngineResult> result = ProcessImageFile(path, "big.jpg", Std3(), limits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace pixfleet
