#include "imaging/jpeg_reader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <vips/vips8>

#include "imaging/engine_test_util.h"
#include "imaging/jpeg_file_source.h"
#include "imaging/vips_util.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

// A photo-like picture: smooth noise, different in each band.
vips::VImage SmoothNoise(int width, int height, int bands) {
  vips::VImage noise =
      vips::VImage::gaussnoise(width, height, vips::VImage::option()->set("sigma", 50.0));
  vips::VImage picture = noise;
  if (bands == 3) {
    picture = noise.bandjoin(noise.rot180().linear(0.6, 50))
                  .bandjoin(noise.flip(VIPS_DIRECTION_HORIZONTAL).linear(0.8, 20));
  }
  return picture.gaussblur(1.2)
      .cast(VIPS_FORMAT_UCHAR)
      .copy(vips::VImage::option()->set(
          "interpretation", bands == 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W));
}

std::string Jpeg(const vips::VImage& picture, int quality, bool subsample, bool progressive) {
  return TakeBlob(
      picture.jpegsave_buffer(vips::VImage::option()
                                  ->set("Q", quality)
                                  ->set("subsample_mode", subsample ? VIPS_FOREIGN_SUBSAMPLE_ON
                                                                    : VIPS_FOREIGN_SUBSAMPLE_OFF)
                                  ->set("interlace", progressive)
                                  ->set("strip", true)));
}

// Every row the reader gives, one after another; stops at the first failure.
struct ReadOut {
  Status status;
  std::vector<uint8_t> pixels;
  int rows = 0;
};

ReadOut ReadAll(JpegRowReader& reader) {
  ReadOut out;
  const size_t line =
      static_cast<size_t>(reader.size().width) * static_cast<size_t>(reader.Bands());
  for (int y = 0; y < reader.size().height; ++y) {
    Result<const uint8_t*> row = reader.NextRow();
    if (!row.ok()) {
      out.status = row.error();
      return out;
    }
    out.pixels.insert(out.pixels.end(), *row, *row + line);
    ++out.rows;
  }
  out.status = reader.Finish();
  return out;
}

// libvips' jpegload of `bytes` at `shrink`, as packed bytes, and its size.
struct Loaded {
  std::vector<uint8_t> pixels;
  Size size;
};

Loaded Jpegload(const std::string& bytes, int shrink) {
  const vips::VImage image = vips::VImage::new_from_buffer(
      bytes.data(), bytes.size(), "", vips::VImage::option()->set("shrink", shrink));
  size_t size = 0;
  void* memory = image.write_to_memory(&size);
  Loaded loaded{{static_cast<uint8_t*>(memory), static_cast<uint8_t*>(memory) + size},
                {image.width(), image.height()}};
  g_free(memory);
  return loaded;
}

// The top-left `size` of `pixels` (rows of `width` pixels of `bands` bytes).
std::vector<uint8_t> TopLeft(const std::vector<uint8_t>& pixels, int width, int bands, Size size) {
  std::vector<uint8_t> out;
  const auto line = static_cast<size_t>(width) * static_cast<size_t>(bands);
  const auto kept = static_cast<size_t>(size.width) * static_cast<size_t>(bands);
  for (size_t y = 0; y < static_cast<size_t>(size.height); ++y) {
    out.insert(out.end(), pixels.begin() + static_cast<std::ptrdiff_t>(y * line),
               pixels.begin() + static_cast<std::ptrdiff_t>(y * line + kept));
  }
  return out;
}

// `bytes` as the file `name` in `dir`; its path.
std::string WriteFile(const TempDir& dir, const std::string& name, const std::string& bytes) {
  const std::string path = (dir.path() / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

class JpegReaderTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { testing_imaging::InitEngineForTests(); }
};

struct Kind {
  const char* name;
  int bands;
  bool subsample;
  bool progressive;
};

// The reader is only worth having if its pixels are jpegload's: the outputs must not change with
// the path a file takes. libjpeg scales 517 px by 1/2 to 259 (rounding up, the last pixel made
// from a partial block); jpegload gives 258, the pixels that are whole, and those are the same.
TEST_F(JpegReaderTest, PixelsAreJpegloadsAtEveryShrink) {
  const Kind kinds[] = {{"colour 4:2:0", 3, true, false},
                        {"colour 4:4:4", 3, false, false},
                        {"colour progressive", 3, true, true},
                        {"grey", 1, false, false}};
  for (const Kind& kind : kinds) {
    // Odd sizes: the last MCU row and column are partial at every scale.
    const std::string bytes =
        Jpeg(SmoothNoise(517, 389, kind.bands), 85, kind.subsample, kind.progressive);
    for (const int shrink : {1, 2, 4, 8}) {
      SCOPED_TRACE(std::string(kind.name) + ", shrink " + std::to_string(shrink));
      Result<std::unique_ptr<JpegRowReader>> reader = JpegRowReader::FromBytes(bytes, shrink);
      ASSERT_TRUE(reader.ok()) << reader.error().ToString();
      EXPECT_EQ((*reader)->size().width, (517 + shrink - 1) / shrink);
      EXPECT_EQ((*reader)->size().height, (389 + shrink - 1) / shrink);
      EXPECT_EQ((*reader)->Bands(), kind.bands);
      const ReadOut out = ReadAll(**reader);
      ASSERT_TRUE(out.status.ok()) << out.status.ToString();
      const Loaded loaded = Jpegload(bytes, shrink);
      EXPECT_EQ(loaded.size.width, 517 / shrink);
      EXPECT_EQ(loaded.size.height, 389 / shrink);
      EXPECT_TRUE(TopLeft(out.pixels, (*reader)->size().width, kind.bands, loaded.size) ==
                  loaded.pixels);
    }
  }
}

TEST_F(JpegReaderTest, AFileGivesTheBytesPixels) {
  const std::string bytes = Jpeg(SmoothNoise(300, 200, 3), 90, true, false);
  const TempDir dir;
  const std::string path = WriteFile(dir, "photo.jpg", bytes);
  Result<std::unique_ptr<JpegRowReader>> from_file = JpegRowReader::FromFile(path, 2);
  Result<std::unique_ptr<JpegRowReader>> from_bytes = JpegRowReader::FromBytes(bytes, 2);
  ASSERT_TRUE(from_file.ok() && from_bytes.ok());
  const ReadOut file_out = ReadAll(**from_file);
  ASSERT_TRUE(file_out.status.ok()) << file_out.status.ToString();
  EXPECT_TRUE(file_out.pixels == ReadAll(**from_bytes).pixels);
  EXPECT_EQ(JpegRowReader::FromFile((dir.path() / "absent.jpg").string(), 1).error().code(),
            StatusCode::kNotFound);
}

// A file is read in blocks (jpeg_file_source.h): one whose markers and data run across several,
// with comment segments that libjpeg skips over a block's end, decodes as its bytes do. The
// comments hold end-of-image markers, so that a skip that lands a byte off ends the decode.
TEST_F(JpegReaderTest, AFileOfManyReadBlocksGivesTheBytesPixels) {
  const std::string bytes = Jpeg(SmoothNoise(640, 480, 3), 95, true, false);
  std::string commented = bytes.substr(0, 2);  // SOI
  for (int i = 0; i < 6; ++i) {
    // A COM segment: its length (2 bytes, counting themselves) then the text.
    const size_t length = 60000;
    commented += std::string("\xFF\xFE", 2) + static_cast<char>(length >> 8U) +
                 static_cast<char>(length & 0xFFU);
    for (size_t k = 0; k < (length - 2) / 2; ++k) commented += std::string("\xFF\xD9", 2);
  }
  commented += bytes.substr(2);
  ASSERT_GT(commented.size(), JpegFileSource::kBlockBytes + 65536);
  const TempDir dir;
  const std::string path = WriteFile(dir, "commented.jpg", commented);
  Result<std::unique_ptr<JpegRowReader>> from_file = JpegRowReader::FromFile(path, 1);
  ASSERT_TRUE(from_file.ok()) << from_file.error().ToString();
  const ReadOut out = ReadAll(**from_file);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.rows, 480);
  Result<std::unique_ptr<JpegRowReader>> from_bytes = JpegRowReader::FromBytes(bytes, 1);
  ASSERT_TRUE(from_bytes.ok());
  EXPECT_TRUE(out.pixels == ReadAll(**from_bytes).pixels);
}

// The file's end is met as libjpeg's own sources meet it: an empty file is an error, a file cut
// short stops the reader with libjpeg's warning.
TEST_F(JpegReaderTest, AFilesEndIsJudgedAsTheBytesEnd) {
  const TempDir dir;
  const std::string empty = WriteFile(dir, "empty.jpg", "");
  const Result<std::unique_ptr<JpegRowReader>> nothing = JpegRowReader::FromFile(empty, 1);
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(nothing.error().message().find("Empty input file"), std::string::npos)
      << nothing.error().message();

  const std::string bytes = Jpeg(SmoothNoise(400, 300, 3), 90, true, false);
  const std::string cut = bytes.substr(0, bytes.size() / 2);
  const std::string path = WriteFile(dir, "cut.jpg", cut);
  Result<std::unique_ptr<JpegRowReader>> from_file = JpegRowReader::FromFile(path, 1);
  Result<std::unique_ptr<JpegRowReader>> from_bytes = JpegRowReader::FromBytes(cut, 1);
  ASSERT_TRUE(from_file.ok() && from_bytes.ok());
  const ReadOut file_out = ReadAll(**from_file);
  const ReadOut bytes_out = ReadAll(**from_bytes);
  EXPECT_FALSE(file_out.status.ok());
  EXPECT_NE(file_out.status.message().find("Premature end"), std::string::npos)
      << file_out.status.message();
  EXPECT_EQ(file_out.status.message(), bytes_out.status.message());
  EXPECT_EQ(file_out.rows, bytes_out.rows);
  EXPECT_TRUE(file_out.pixels == bytes_out.pixels);
}

TEST_F(JpegReaderTest, RefusesCmykForLibvips) {
  const vips::VImage cmyk = SmoothNoise(64, 48, 3).colourspace(VIPS_INTERPRETATION_CMYK);
  ASSERT_EQ(cmyk.bands(), 4);
  const std::string bytes = TakeBlob(cmyk.jpegsave_buffer());
  const Result<std::unique_ptr<JpegRowReader>> reader = JpegRowReader::FromBytes(bytes, 1);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().message().find("CMYK"), std::string::npos) << reader.error().message();
}

TEST_F(JpegReaderTest, RefusesWhatIsNotAJpeg) {
  const Result<std::unique_ptr<JpegRowReader>> reader =
      JpegRowReader::FromBytes("this is not a JPEG at all", 1);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().message().find("JPEG reader: "), std::string::npos);
}

// A file cut short loses pixels: the reader stops at the first missing row (or at the end, for a
// cut in the last rows' data) and every later call fails too, for libvips to judge the file.
TEST_F(JpegReaderTest, StopsOnAFileCutShort) {
  const std::string bytes = Jpeg(SmoothNoise(400, 300, 3), 90, true, false);
  for (const double kept : {0.3, 0.6, 0.95}) {
    SCOPED_TRACE("kept " + std::to_string(kept));
    const std::string cut =
        bytes.substr(0, static_cast<size_t>(static_cast<double>(bytes.size()) * kept));
    Result<std::unique_ptr<JpegRowReader>> reader = JpegRowReader::FromBytes(cut, 1);
    ASSERT_TRUE(reader.ok()) << reader.error().ToString();
    const ReadOut out = ReadAll(**reader);
    EXPECT_FALSE(out.status.ok());
    EXPECT_LT(out.rows, 300);
    EXPECT_FALSE((*reader)->NextRow().ok());
    EXPECT_FALSE((*reader)->Finish().ok());
  }
}

// Extraneous bytes before a marker, which many cameras write, lose no pixel: passed over, as the
// decode policy passes over them.
TEST_F(JpegReaderTest, PassesOverExtraneousBytesBeforeAMarker) {
  const std::string bytes = Jpeg(SmoothNoise(160, 120, 3), 85, true, false);
  // After SOI (2 bytes) comes the first marker segment; garbage goes after that segment.
  const size_t segment_length =
      (size_t{static_cast<uint8_t>(bytes[4])} << 8U) | size_t{static_cast<uint8_t>(bytes[5])};
  const size_t segment_end = 4 + segment_length;
  std::string dirty = bytes;
  dirty.insert(segment_end, std::string("\x01\x02\x03", 3));
  const auto strict_average = [](const std::string& jpeg) {
    return vips::VImage::new_from_buffer(
               jpeg.data(), jpeg.size(), "",
               vips::VImage::option()->set("fail_on", VIPS_FAIL_ON_WARNING))
        .avg();
  };
  EXPECT_NO_THROW(strict_average(bytes));
  EXPECT_THROW(strict_average(dirty), vips::VError) << "the inserted bytes must make libjpeg warn";
  Result<std::unique_ptr<JpegRowReader>> reader = JpegRowReader::FromBytes(dirty, 1);
  ASSERT_TRUE(reader.ok()) << reader.error().ToString();
  const ReadOut out = ReadAll(**reader);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_TRUE(out.pixels == Jpegload(bytes, 1).pixels);
}

}  // namespace
}  // namespace pixfleet
