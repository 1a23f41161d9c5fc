#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "imaging/engine.h"
#include "imaging/engine_test_util.h"
#include "testing/test_images.h"

namespace pixfleet {
namespace {

using namespace testing_imaging;  // NOLINT(google-build-using-namespace): test helpers only
using testing::HasSubstr;
using testing::StartsWith;

class EngineErrorsTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { InitEngineForTests(); }

  static Status Fail(const std::string& input, const std::string& name,
                     const EngineLimits& limits = EngineLimits{}, const Recipe& recipe = Std3()) {
    return ProcessExpectingFailure(input, name, recipe, limits);
  }

  static std::string Broken(BrokenKind kind) {
    Result<std::string> bytes = MakeBrokenImage(kind);
    EXPECT_TRUE(bytes.ok()) << bytes.error().ToString();
    return bytes.ok() ? *bytes : std::string();
  }
};

TEST_F(EngineErrorsTest, TruncatedJpeg) {
  const Status status = Fail(Broken(BrokenKind::kTruncatedJpeg), "photos/truncated.jpg");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), StartsWith("photos/truncated.jpg: corrupt or truncated image: "));
  EXPECT_THAT(status.message(), HasSubstr("Premature end"));
}

TEST_F(EngineErrorsTest, TruncatedPng) {
  const Status status = Fail(Broken(BrokenKind::kTruncatedPng), "scans/truncated.png");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), StartsWith("scans/truncated.png: corrupt or truncated image: "));
}

TEST_F(EngineErrorsTest, CorruptJpegEntropyData) {
  const Status status = Fail(Broken(BrokenKind::kCorruptJpeg), "photos/corrupt.jpg");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), StartsWith("photos/corrupt.jpg: corrupt or truncated image: "));
  EXPECT_THAT(status.message(), HasSubstr("Corrupt JPEG data"));
}

TEST_F(EngineErrorsTest, CorruptPngData) {
  const Status status = Fail(Broken(BrokenKind::kCorruptPng), "corrupt.png");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), StartsWith("corrupt.png: corrupt or truncated image: "));
}

TEST_F(EngineErrorsTest, EmptyFile) {
  const Status status = Fail("", "empty.jpg");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "empty.jpg: empty file (0 bytes)");
}

TEST_F(EngineErrorsTest, TextIsNotAnImage) {
  const Status status = Fail(Broken(BrokenKind::kText), "notes.jpg");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "notes.jpg: not an image (unrecognised content)");
}

TEST_F(EngineErrorsTest, SvgNamedPngIsAnUnsupportedFormat) {
  const Status status = Fail(Broken(BrokenKind::kSvg), "vector.png");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "vector.png: unsupported image format 'svg'");
}

// libvips' PDF module is not loaded (vips_init.cc): the refusal still names the format.
TEST_F(EngineErrorsTest, PdfIsAnUnsupportedFormat) {
  const Status status = Fail("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", "scan.jpg");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "scan.jpg: unsupported image format 'pdf'");
}

TEST_F(EngineErrorsTest, SvgStaysUnsupportedWhenUntrustedLoadersAreAllowed) {
  EngineOptions options;
  options.allow_untrusted_loaders = true;
  ASSERT_TRUE(InitImageEngine(options).ok());
  const Status status = Fail(Broken(BrokenKind::kSvg), "vector.png");
  ASSERT_TRUE(InitImageEngine(EngineOptions{}).ok());
  EXPECT_EQ(status.message(), "vector.png: unsupported image format 'svg'");
}

TEST_F(EngineErrorsTest, OverThePixelLimitIsRefusedFromTheHeaderAlone) {
  const std::string huge = Broken(BrokenKind::kHugePng);
  const Status status = Fail(huge, "huge.png");
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(),
            "huge.png: image is 12000x9000 = 108.0 MP, over the limit of 100.0 MP");
  // The header and the first 64 bytes of pixel data: a decode would fail as truncated, so the
  // same refusal shows that the size was judged from the header, before any decoding.
  const size_t pixel_data = huge.find("IDAT");
  ASSERT_NE(pixel_data, std::string::npos);
  const Status header_only = Fail(huge.substr(0, pixel_data + 4 + 64), "huge.png");
  EXPECT_EQ(header_only.code(), StatusCode::kResourceExhausted) << header_only.ToString();
  EXPECT_EQ(header_only.message(), status.message());
}

TEST_F(EngineErrorsTest, PixelLimitIsConfigurable) {
  EngineLimits limits;
  limits.max_pixels = 640 * 480 - 1;
  const Status status = Fail(CachedImage(Spec(640, 480, TestFormat::kJpeg)), "a.jpg", limits);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "a.jpg: image is 640x480 = 0.3 MP, over the limit of 0.3 MP");
}

TEST_F(EngineErrorsTest, OverTheByteLimit) {
  EngineLimits limits;
  limits.max_input_bytes = 1000;
  const std::string& input = CachedImage(Spec(640, 480, TestFormat::kJpeg));
  const Status status = Fail(input, "big.jpg", limits);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), StartsWith("big.jpg: file is "));
  EXPECT_THAT(status.message(), HasSubstr(std::to_string(input.size()) + " bytes"));
  EXPECT_THAT(status.message(), HasSubstr("over the limit of 0.0 MiB (1000 bytes)"));
}

TEST_F(EngineErrorsTest, BadRecipeSizeIsInvalidArgument) {
  Recipe recipe;
  recipe.outputs = {Output("broken", {Resize(-5, 10)}, ImageFormat::kJpeg)};
  const Status status =
      Fail(CachedImage(Spec(64, 64, TestFormat::kPng)), "a.png", EngineLimits{}, recipe);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("output 'broken'"));
}

TEST_F(EngineErrorsTest, EveryBrokenSampleFailsWithItsExpectedCode) {
  const Result<std::vector<SampleFile>> files = SampleSet("broken");
  ASSERT_TRUE(files.ok());
  for (const SampleFile& file : *files) {
    Result<std::string> bytes = MakeSampleFile(file);
    ASSERT_TRUE(bytes.ok()) << bytes.error().ToString();
    const Status status = Fail(*bytes, "broken/" + file.path);
    EXPECT_EQ(status.code(), file.expected) << file.path << ": " << status.ToString();
    EXPECT_THAT(status.message(), StartsWith("broken/" + file.path + ": "));
  }
}

}  // namespace
}  // namespace pixfleet
