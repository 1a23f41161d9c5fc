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
