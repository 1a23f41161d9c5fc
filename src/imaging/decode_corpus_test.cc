// The rule for damaged inputs (decode_policy.h, docs/task_lifecycle.md) on a corpus of real
// camera files and of damaged ones. Real files come from Debian packages that
// tools/install-deps.sh installs, and are not copied into the repository:
//  - mate-backgrounds: photographs, some straight from cameras (Canon EOS 350D/400D/Digital
//    Rebel, Konica Minolta DiMAGE Z5; EXIF kept), some progressive; all must succeed.
//  - golang-github-rwcarlsen-goexif-dev: sample1.jpg (Nikon D2H) and 10 small whole files
//    (orientations 1..8, an iPhone 4S), which must succeed, and 47 camera files of many makes
//    cut after their EXIF header, which must fail.
// Damage is made in the test from real or generated files: truncation at several points
// (baseline and progressive JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF), a header claiming a larger
// size, extraneous bytes before a marker (harmless), PNG checksum errors (fatal in image data,
// harmless in an ancillary chunk) and bit flips in entropy-coded data.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "imaging/engine.h"
#include "imaging/engine_test_util.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"

namespace pixfleet {
namespace {

namespace fs = std::filesystem;
using namespace testing_imaging;  // NOLINT(google-build-using-namespace): test helpers only
using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

const fs::path kMatePhotos = "/usr/share/backgrounds/mate";
const fs::path kGoexif = "/usr/share/gocode/src/github.com/rwcarlsen/goexif/exif";
constexpr const char* kInstallHint =
    " is missing: run tools/install-deps.sh (packages mate-backgrounds and "
    "golang-github-rwcarlsen-goexif-dev carry the corpus of real camera files)";

class DecodeCorpusTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { InitEngineForTests(); }

  // One small output: the decode is the work under test.
  static Recipe Thumbnail() {
    Recipe recipe;
    recipe.name = "corpus";
    recipe.outputs = {Output("thumb", {AutoRotateOp{}, Resize(64, 64)}, ImageFormat::kJpeg)};
    return recipe;
  }

  static Result<EngineResult> Process(const std::string& bytes, const std::string& name) {
    return ProcessImage(bytes, name, Thumbnail(), EngineLimits{});
  }

  // Fails the test unless `bytes` fails as a corrupt or truncated image; returns the message.
  static std::string ExpectCorrupt(const std::string& bytes, const std::string& name) {
    const Result<EngineResult> result = Process(bytes, name);
    EXPECT_FALSE(result.ok()) << name << " was accepted";
    if (result.ok()) return "";
    EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument) << result.error().ToString();
    EXPECT_THAT(result.error().message(), StartsWith(name + ": corrupt or truncated image: "));
    EXPECT_THAT(result.error().message(), Not(HasSubstr("unknown libvips error")));
    return result.error().message();
  }

  // The .jpg files of `dir` whose name contains `part` (or not, when !with_part).
  static std::vector<fs::path> Jpegs(const fs::path& dir, std::string_view part = "",
                                     bool with_part = true) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const bool has_part = entry.path().filename().string().find(part) != std::string::npos;
      if (entry.path().extension() == ".jpg" && has_part == with_part) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  static std::string Real(const fs::path& path) {
    std::error_code ec;
    EXPECT_TRUE(fs::is_regular_file(path, ec)) << path << kInstallHint;
    return fs::is_regular_file(path, ec) ? ReadFileForTest(path) : std::string();
  }

  static std::string Generated(TestFormat format) {
    TestImageSpec spec;
    spec.format = format;
    Result<std::string> bytes = MakeTestImage(spec);
    EXPECT_TRUE(bytes.ok()) << bytes.error().ToString();
    return bytes.ok() ? *bytes : std::string();
  }
};

TEST_F(DecodeCorpusTest, RealCameraFilesSucceed) {
  std::vector<fs::path> files = Jpegs(kMatePhotos / "nature");
  files.push_back(kMatePhotos / "abstract/Elephants.jpg");        // progressive
  files.push_back(kMatePhotos / "desktop/GreenTraditional.jpg");  // edited photograph
  files.push_back(kGoexif / "sample1.jpg");                       // Nikon D2H
  // Orientations 1..8, an iPhone 4S file, odd GPS tags: the goexif samples that are whole.
  for (const fs::path& whole : Jpegs(kGoexif / "samples", "-sep-", false)) {
    files.push_back(whole);
  }
  ASSERT_GE(files.size(), 25u) << kMatePhotos << " or " << kGoexif << kInstallHint;
  for (const fs::path& file : files) {
    const Result<EngineResult> result = Process(Real(file), file.filename().string());
    EXPECT_TRUE(result.ok()) << file << ": " << result.error().ToString();
  }
}

TEST_F(DecodeCorpusTest, RealCameraFilesCutAfterTheirHeaderFail) {
  // Canon, Nikon, Kodak, Pentax, Sony, Fujifilm, LG, HTC, Samsung, Apple and more, each cut
  // after its EXIF header ("2004-01-11-22-45-15-sep-2004-01-11-22-45-15a.jpg").
  const std::vector<fs::path> files = Jpegs(kGoexif / "samples", "-sep-");
  ASSERT_GE(files.size(), 45u) << kGoexif << kInstallHint;
  for (const fs::path& file : files) ExpectCorrupt(Real(file), file.filename().string());
}

TEST_F(DecodeCorpusTest, TruncatedPhotosFailAsTruncated) {
  // Baseline from two cameras, and a progressive file.
  for (const char* name : {"nature/Storm.jpg", "nature/Wood.jpg", "nature/FreshFlower.jpg"}) {
    const std::string photo = Real(kMatePhotos / name);
    for (const double fraction : {0.02, 0.25, 0.5, 0.75, 0.95}) {
      const std::string message =
          ExpectCorrupt(Truncated(photo, fraction), name + std::to_string(fraction));
      EXPECT_THAT(message, HasSubstr("Premature end")) << message;
    }
  }
}

TEST_F(DecodeCorpusTest, AHeaderClaimingMoreThanTheDataHoldsFails) {
  // The case: a 300x200 JPEG whose frame header claims 9500x9500 (under the pixel
  // limit) decoded to grey 1600x1600 outputs and "succeeded".
  Result<std::string> liar = MakeBrokenImage(BrokenKind::kLyingJpeg);
  ASSERT_TRUE(liar.ok()) << liar.error().ToString();
  EXPECT_THAT(ExpectCorrupt(*liar, "liar.jpg"), HasSubstr("premature end of data segment"));

  Result<std::string> photo = WithJpegSizeClaim(Real(kMatePhotos / "nature/Storm.jpg"), 7680, 5120);
  ASSERT_TRUE(photo.ok()) << photo.error().ToString();
  EXPECT_THAT(ExpectCorrupt(*photo, "Storm.jpg"), HasSubstr("premature end of data segment"));
}

TEST_F(DecodeCorpusTest, ExtraneousBytesBeforeAMarkerAreHarmless) {
  for (const char* name : {"nature/Storm.jpg", "nature/Wood.jpg", "nature/FreshFlower.jpg"}) {
    const std::string photo = Real(kMatePhotos / name);
    Result<std::string> padded = WithBytesBeforeJpegMarker(photo, 0xDB, std::string(3, '\0'));
    ASSERT_TRUE(padded.ok()) << padded.error().ToString();
    const Result<EngineResult> clean = Process(photo, name);
    const Result<EngineResult> result = Process(*padded, name);
    ASSERT_TRUE(clean.ok()) << clean.error().ToString();
    ASSERT_TRUE(result.ok()) << name << ": " << result.error().ToString();
    // The same pixels: the warning cost nothing.
    EXPECT_EQ(result->outputs.at(0).bytes, clean->outputs.at(0).bytes) << name;
  }
}

TEST_F(DecodeCorpusTest, BitFlipsInEntropyDataFailWhenTheDecoderNoticesThem) {
  // A flip the decoder cannot notice only changes pixels; one it notices (a bad code, data
  // ending early) must fail, never pass with grey or be reported as anything but corrupt.
  const std::string photo = Real(kMatePhotos / "nature/Storm.jpg");
  const size_t scan = photo.find("\xFF\xDA");
  ASSERT_NE(scan, std::string::npos);
  int failed = 0;
  for (int i = 1; i <= 40; ++i) {
    std::string flipped = photo;
    const size_t at = scan + 64 + (photo.size() - scan - 128) * static_cast<size_t>(i) / 41;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x5A);
    const Result<EngineResult> result = Process(flipped, "flipped.jpg");
    if (result.ok()) continue;
    ++failed;
    EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument) << result.error().ToString();
    EXPECT_THAT(result.error().message(), HasSubstr("corrupt or truncated image: VipsJpeg: "));
  }
  EXPECT_GT(failed, 0) << "no flip was noticed: the corpus no longer tests this rule";
}

TEST_F(DecodeCorpusTest, OtherFormatsCutShortFail) {
  for (const TestFormat format : {TestFormat::kPng, TestFormat::kWebp, TestFormat::kTiff,
                                  TestFormat::kGif, TestFormat::kHeic, TestFormat::kAvif}) {
    const std::string image = Generated(format);
    for (const double fraction : {0.1, 0.5, 0.9}) {
      const std::string name = std::string("cut.") + TestFormatExtension(format);
      // A TIFF cut before its directory used to be taken for another format ("unsupported
      // image format 'magick'").
      EXPECT_THAT(ExpectCorrupt(Truncated(image, fraction), name), Not(HasSubstr("unsupported")));
    }
  }
}

TEST_F(DecodeCorpusTest, PngChecksumErrorsNameTheChunk) {
  // libvips 8.14 logs libpng's reason instead of returning it: "unknown libvips error" for the
  // header, "libpng read error" for the data.
  const std::string png = Generated(TestFormat::kPng);
  // A JPEG that succeeds with a warning leaves it in libvips' shared error buffer: it must not
  // become the PNG's reason.
  Result<std::string> padded =
      WithBytesBeforeJpegMarker(Generated(TestFormat::kJpeg), 0xDB, std::string(3, '\0'));
  ASSERT_TRUE(padded.ok());
  ASSERT_TRUE(Process(*padded, "padded.jpg").ok());
  Result<std::string> header = WithPngChunkCrcBroken(png, "IHDR");
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(ExpectCorrupt(*header, "header.png"),
            "header.png: corrupt or truncated image: IHDR: CRC error");
  Result<std::string> data = WithPngChunkCrcBroken(png, "IDAT");
  ASSERT_TRUE(data.ok());
  EXPECT_THAT(ExpectCorrupt(*data, "data.png"), HasSubstr("IDAT: CRC error"));
  EXPECT_THAT(ExpectCorrupt(Truncated(png, 0.5), "cut.png"), HasSubstr("not enough data"));
  // A bad CRC in ancillary data loses no pixel: libpng warns ("tEXt: CRC error") and the image
  // decodes as it would without the chunk.
  for (const bool good_crc : {true, false}) {
    Result<std::string> text = WithPngTextChunk(png, "scanned 2019", good_crc);
    ASSERT_TRUE(text.ok()) << text.error().ToString();
    const Result<EngineResult> result = Process(*text, "text.png");
    EXPECT_TRUE(result.ok()) << good_crc << ": " << result.error().ToString();
  }
}

}  // namespace
}  // namespace pixfleet
