#include "imaging/loader.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(FormatFromLoaderClassTest, SupportedLoaders) {
  EXPECT_EQ(FormatFromLoaderClass("VipsForeignLoadJpegBuffer").name, "jpeg");
  EXPECT_EQ(FormatFromLoaderClass("VipsForeignLoadPngBuffer").name, "png");
  EXPECT_EQ(FormatFromLoaderClass("VipsForeignLoadWebpBuffer").name, "webp");
  EXPECT_EQ(FormatFromLoaderClass("VipsForeignLoadTiffBuffer").name, "tiff");
  EXPECT_EQ(FormatFromLoaderClass("VipsForeignLoadNsgifBuffer").name, "gif");
  EXPECT_EQ(FormatFromLoaderClass("VipsForeignLoadHeifBuffer").name, "heif");
  EXPECT_TRUE(FormatFromLoaderClass("VipsForeignLoadHeifBuffer").supported);
  EXPECT_TRUE(FormatFromLoaderClass("VipsForeignLoadJpegSource").supported);
}

TEST(FormatFromLoaderClassTest, OthersAreNamedButUnsupported) {
  const LoaderFormat svg = FormatFromLoaderClass("VipsForeignLoadSvgBuffer");
  EXPECT_EQ(svg.name, "svg");
  EXPECT_FALSE(svg.supported);
  EXPECT_EQ(FormatFromLoaderClass("VipsForeignLoadPdfBuffer").name, "pdf");
  EXPECT_EQ(FormatFromLoaderClass("VipsForeignLoadMagickBuffer").name, "magick");
  EXPECT_FALSE(FormatFromLoaderClass("VipsForeignLoadJp2kBuffer").supported);
}

TEST(SniffUnsupportedFormatTest, NamesFormatsLibvipsHasNoLoaderForHere) {
  const auto format = [](std::string_view bytes) {
    const std::optional<std::string_view> name = SniffUnsupportedFormat(bytes);
    return name.has_value() ? std::string(*name) : std::string("none");
  };
  EXPECT_EQ(format("%PDF-1.4\n1 0 obj"), "pdf");
  EXPECT_EQ(format("8BPS\0\x01"), "psd");
  EXPECT_EQ(format("\xFF\x0A\xFA"), "jxl");
  EXPECT_EQ(format(std::string_view("\0\0\0\x0CJXL \r\n\x87\n\0\0", 14)), "jxl");
  EXPECT_EQ(format(std::string_view("\0\0\0\x0CjP  \r\n\x87\n\0\0", 14)), "jp2k");
  EXPECT_EQ(format("\xFF\x4F\xFF\x51\0"), "jp2k");
  EXPECT_EQ(format(std::string_view("BM\x46\0\0\0\0\0\0\0\x36\0", 12)), "bmp");
  // Text that happens to start with "BM", and the supported formats, are not named here.
  EXPECT_EQ(format("BMW owners' club minutes"), "none");
  EXPECT_EQ(format("\xFF\xD8\xFF\xE0rest"), "none");
  EXPECT_EQ(format(""), "none");
}

TEST(SniffSignatureTest, NamesTheSupportedFormatAFileAnnounces) {
  const auto format = [](std::string_view bytes) {
    const std::optional<Signature> signature = SniffSignature(bytes);
    return signature.has_value() ? std::string(signature->format) : std::string("none");
  };
  EXPECT_EQ(format("\xFF\xD8\xFF\xE0rest"), "jpeg");
  EXPECT_EQ(format("\x89PNG\r\n\x1A\n...."), "png");
  EXPECT_EQ(format("GIF89a..."), "gif");
  EXPECT_EQ(format(std::string_view("RIFF\x10\0\0\0WEBPVP8 ", 16)), "webp");
  EXPECT_EQ(format(std::string_view("II*\0\x08\0\0\0", 8)), "tiff");
  EXPECT_EQ(format(std::string_view("MM\0*\0\0\0\x08", 8)), "tiff");
  EXPECT_EQ(format(std::string_view("\0\0\0\x18"
                                    "ftypheic\0\0\0\0",
                                    16)),
            "heif");
  EXPECT_EQ(format(std::string_view("\0\0\0\x18"
                                    "ftypavif\0\0\0\0",
                                    16)),
            "heif");
  EXPECT_EQ(format(std::string_view("\0\0\0\x18"
                                    "ftypisom\0\0\0\0",
                                    16)),
            "none");  // MP4
  EXPECT_EQ(format(std::string_view("RIFF\x10\0\0\0WAVEfmt ", 16)), "none");
  EXPECT_EQ(format("<svg xmlns="), "none");
  EXPECT_EQ(format("\xFF\xD8"), "none");  // too short to tell
  EXPECT_EQ(format(""), "none");
}

TEST(CheckInputSizeTest, EmptyAndOversizedInputs) {
  EngineLimits limits;
  limits.max_input_bytes = 10;
  const Status empty = CheckInputSize("", limits);
  EXPECT_EQ(empty.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(), "empty file (0 bytes)");
  const Status big = CheckInputSize("0123456789A", limits);
  EXPECT_EQ(big.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(big.message().find("11 bytes"), std::string::npos);
  EXPECT_NE(big.message().find("10 bytes"), std::string::npos);
  EXPECT_TRUE(CheckInputSize("0123456789", limits).ok());
}

TEST(CheckPixelLimitTest, NamesSizeAndLimitInMegapixels) {
  ImageHeader header;
  header.stored = {12000, 9000};
  const Status status = CheckPixelLimit(header, EngineLimits{});
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "image is 12000x9000 = 108.0 MP, over the limit of 100.0 MP");
  header.stored = {10000, 10000};
  EXPECT_TRUE(CheckPixelLimit(header, EngineLimits{}).ok());
}

}  // namespace
}  // namespace pixfleet
