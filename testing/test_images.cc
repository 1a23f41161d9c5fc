// Test image generation with libvips. Content is built lazily as a libvips pipeline (gradients
// from xyz(), noise from gaussnoise()) plus shapes drawn on an in-memory canvas, then encoded.
// Broken inputs are derived from valid encodings so they look like real damaged files.
#include "testing/test_images.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <random>
#include <type_traits>

#include <vips/vips8>

namespace pixfleet {
namespace {

using vips::VImage;

Status StartVips() {
  static std::once_flag once;
  static bool started = false;
  std::call_once(once, [] { started = VIPS_INIT("pixfleet-test-images") == 0; });
  if (!started) return Internal("libvips failed to start");
  return Status::Ok();
}

std::string TakeError(const vips::VError& error) {
  std::string message = error.what();
  vips_error_clear();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

std::string TakeBlob(VipsBlob* blob) {
  size_t length = 0;
  const void* data = vips_blob_get(blob, &length);
  std::string bytes(static_cast<const char*>(data), length);
  vips_area_unref(reinterpret_cast<VipsArea*>(blob));
  return bytes;
}

// 0..1 across the image, as float images.
VImage NormalisedX(int width, int height) {
  const VImage xyz = VImage::xyz(width, height);
  return xyz.extract_band(0).cast(VIPS_FORMAT_FLOAT) * (1.0 / std::max(1, width - 1));
}
VImage NormalisedY(int width, int height) {
  const VImage xyz = VImage::xyz(width, height);
  return xyz.extract_band(1).cast(VIPS_FORMAT_FLOAT) * (1.0 / std::max(1, height - 1));
}

VImage AsSrgb(const VImage& image) {
  return image.cast(VIPS_FORMAT_UCHAR)
      .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

// Sky-to-ground gradients, a dozen seeded shapes with soft noise over everything: enough
// structure for smartcrop and dHash, and JPEG sizes close to real photos.
VImage PhotoContent(int width, int height, uint32_t seed) {
  const VImage fx = NormalisedX(width, height);
  const VImage fy = NormalisedY(width, height);
  const VImage red = fx * 150.0 + fy * 30.0 + 60.0;
  const VImage green = (1.0 - fy) * 100.0 + 90.0;
  const VImage blue = (1.0 - fy) * 160.0 + fx * 60.0;
  VImage canvas = AsSrgb(red.bandjoin(green).bandjoin(blue)).copy_memory();

  std::mt19937 random(seed);
  auto uniform = [&random](int low, int high) {
    return std::uniform_int_distribution<int>(low, std::max(low, high))(random);
  };
  const int shorter = std::max(1, std::min(width, height));
  for (int i = 0; i < 12; ++i) {
    const std::vector<double> ink = {static_cast<double>(uniform(0, 255)),
                                     static_cast<double>(uniform(0, 255)),
                                     static_cast<double>(uniform(0, 255))};
    const int x = uniform(0, width - 1);
    const int y = uniform(0, height - 1);
    const int extent = uniform(shorter / 12, shorter / 3) + 1;
    if (i % 2 == 0) {
      canvas.draw_circle(ink, x, y, extent, VImage::option()->set("fill", true));
    } else {
      canvas.draw_rect(ink, x - extent / 2, y - extent / 3, extent, extent * 2 / 3 + 1,
                       VImage::option()->set("fill", true));
    }
  }
  const VImage noise = VImage::gaussnoise(
      width, height,
      VImage::option()->set("sigma", 8.0)->set("mean", 0.0)->set("seed", static_cast<int>(seed)));
  return AsSrgb(canvas.cast(VIPS_FORMAT_FLOAT) + noise);
}

VImage PatternContent(const TestImageSpec& spec) {
  const int width = spec.width;
  const int height = spec.height;
  switch (spec.pattern) {
    case TestPattern::kPhoto:
      return PhotoContent(width, height, spec.seed);
    case TestPattern::kSolid: {
      const std::vector<double> colour(spec.colour.begin(), spec.colour.end());
      return AsSrgb(VImage::black(width, height).new_from_image(colour));
    }
    case TestPattern::kHorizontalGradient: {
      const VImage level = NormalisedX(width, height) * 215.0 + 20.0;
      return AsSrgb(level.bandjoin(level).bandjoin(level));
    }
    case TestPattern::kSplitGradient: {
      const VImage fx = NormalisedX(width, height);
      const VImage rising = fx * 215.0 + 20.0;
      const VImage falling = (1.0 - fx) * 215.0 + 20.0;
      const VImage top = NormalisedY(width, height) < 0.5;
      const VImage level = top.ifthenelse(rising, falling);
      return AsSrgb(level.bandjoin(level).bandjoin(level));
    }
  }
  return PhotoContent(width, height, spec.seed);
}

// Opaque in the middle, fading to fully transparent towards the corners.
VImage RadialAlpha(int width, int height) {
  const VImage dx = NormalisedX(width, height) - 0.5;
  const VImage dy = NormalisedY(width, height) - 0.5;
  const VImage distance = (dx * dx + dy * dy).pow(0.5);
  return (1.4 - distance * 2.4) * 255.0;
}

Result<VImage> ApplyPixels(const VImage& srgb, const TestImageSpec& spec) {
  switch (spec.pixels) {
    case TestPixels::kRgb:
      return srgb;
    case TestPixels::kGrey:
      return srgb.colourspace(VIPS_INTERPRETATION_B_W);
    case TestPixels::kCmyk: {
      VImage cmyk = srgb.colourspace(VIPS_INTERPRETATION_CMYK).copy();
      if (cmyk.get_typeof(VIPS_META_ICC_NAME) != 0) cmyk.remove(VIPS_META_ICC_NAME);
      return cmyk;
    }
    case TestPixels::kRgba:
      return srgb.bandjoin(RadialAlpha(spec.width, spec.height).cast(VIPS_FORMAT_UCHAR))
          .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
    case TestPixels::kRgb16:
      return srgb.colourspace(VIPS_INTERPRETATION_RGB16);
  }
  return InvalidArgument("unknown pixel kind");
}

const char* PixelsName(TestPixels pixels) {
  switch (pixels) {
    case TestPixels::kRgb:
      return "rgb";
    case TestPixels::kGrey:
      return "grey";
    case TestPixels::kCmyk:
      return "cmyk";
    case TestPixels::kRgba:
      return "rgba";
    case TestPixels::kRgb16:
      return "rgb16";
  }
  return "?";
}

bool FormatHolds(TestFormat format, TestPixels pixels) {
  switch (pixels) {
    case TestPixels::kRgb:
    case TestPixels::kGrey:
      return true;
    case TestPixels::kCmyk:
      return format == TestFormat::kJpeg || format == TestFormat::kTiff;
    case TestPixels::kRgba:
      return format != TestFormat::kJpeg;
    case TestPixels::kRgb16:
      return format == TestFormat::kPng || format == TestFormat::kTiff;
  }
  return false;
}

// libvips 8.14 writes the orientation tag for these formats only (EXIF in JPEG and WebP, the
// TIFF Orientation tag); PNG, GIF and HEIF drop it.
bool FormatStoresOrientation(TestFormat format) {
  return format == TestFormat::kJpeg || format == TestFormat::kWebp || format == TestFormat::kTiff;
}

std::string EncodeAs(const VImage& image, const TestImageSpec& spec) {
  const int quality = std::clamp(spec.quality, 1, 100);
  switch (spec.format) {
    case TestFormat::kJpeg:
      return TakeBlob(image.jpegsave_buffer(VImage::option()->set("Q", quality)));
    case TestFormat::kPng:
      return TakeBlob(image.pngsave_buffer(VImage::option()->set("compression", 6)));
    case TestFormat::kWebp:
      return TakeBlob(image.webpsave_buffer(VImage::option()->set("Q", quality)));
    case TestFormat::kTiff:
      return TakeBlob(image.tiffsave_buffer(
          VImage::option()->set("compression", VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE)));
    case TestFormat::kGif:
      return TakeBlob(image.gifsave_buffer());
    case TestFormat::kHeic:
      return TakeBlob(
          image.heifsave_buffer(VImage::option()
                                    ->set("Q", quality)
                                    ->set("compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC)
                                    ->set("bitdepth", 8)));
    case TestFormat::kAvif:
      return TakeBlob(
          image.heifsave_buffer(VImage::option()
                                    ->set("Q", quality)
                                    ->set("compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1)
                                    ->set("effort", 1)
                                    ->set("bitdepth", 8)));
  }
  return {};
}

int ReadBackOrientation(const std::string& bytes) {
  const VImage image = VImage::new_from_buffer(bytes.data(), bytes.size(), "");
  if (image.get_typeof(VIPS_META_ORIENTATION) == 0) return 1;
  return image.get_int(VIPS_META_ORIENTATION);
}

// Garbles the middle of a JPEG's entropy-coded data. The JPEG must have a restart marker after
// every MCU: libjpeg reports damaged data only as warnings, which libvips ignores at
// fail_on=error, but every garbled restart interval adds one warning ("N extraneous bytes before
// marker") and libvips turns the 100th warning into an error whatever fail_on says. Bytes 0xFF
// and the byte after one are left alone so the markers themselves survive.
std::string GarbleEntropyData(std::string jpeg, uint32_t seed) {
  const size_t scan = jpeg.find("\xFF\xDA");
  if (scan == std::string::npos) return jpeg;
  const size_t length = jpeg.size() - scan;
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> byte(0, 0xFE);
  for (size_t i = scan + length * 3 / 10; i < scan + length * 7 / 10; ++i) {
    const auto current = static_cast<unsigned char>(jpeg[i]);
    const auto previous = static_cast<unsigned char>(jpeg[i - 1]);
    if (current == 0xFF || previous == 0xFF) continue;
    jpeg[i] = static_cast<char>(byte(random));
  }
  return jpeg;
}

Result<std::string> MakeCorruptJpeg() {
  try {
    const VImage photo = PhotoContent(640, 480, 7);
    std::string jpeg =
        TakeBlob(photo.jpegsave_buffer(VImage::option()->set("Q", 85)->set("restart_interval", 1)));
    return GarbleEntropyData(std::move(jpeg), 7);
  } catch (const vips::VError& error) {
    return Internal("cannot make corrupt JPEG: " + TakeError(error));
  }
}

Result<std::string> MakeHugePng() {
  try {
    const VImage grey = (VImage::black(12000, 9000) + 200.0)
                            .cast(VIPS_FORMAT_UCHAR)
                            .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_B_W));
    return TakeBlob(grey.pngsave_buffer(VImage::option()->set("compression", 9)));
  } catch (const vips::VError& error) {
    return Internal("cannot make huge PNG: " + TakeError(error));
  }
}

std::string HalfOf(const std::string& bytes) { return bytes.substr(0, bytes.size() / 2); }

// Overwrites 256 bytes in the middle (inside the IDAT data of any PNG bigger than a few KiB).
std::string GarbleMiddle(std::string bytes, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> byte(0, 0xFF);
  const size_t start = bytes.size() / 2;
  for (size_t i = start; i < std::min(bytes.size(), start + 256); ++i) {
    bytes[i] = static_cast<char>(byte(random));
  }
  return bytes;
}

constexpr std::string_view kNotes =
    "Shopping list\n- milk\n- bread\n- batteries for the camera\n\nCall the framer on Monday.\n";

constexpr std::string_view kSvg =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"480\" "
    "viewBox=\"0 0 640 480\">\n"
    "  <rect width=\"640\" height=\"480\" fill=\"#3a7bd5\"/>\n"
    "  <circle cx=\"320\" cy=\"240\" r=\"120\" fill=\"#f5c542\"/>\n"
    "</svg>\n";

TestImageSpec Spec(int width, int height, TestFormat format, TestPixels pixels = TestPixels::kRgb,
                   int orientation = 1, uint32_t seed = 1) {
  TestImageSpec spec;
  spec.width = width;
  spec.height = height;
  spec.format = format;
  spec.pixels = pixels;
  spec.orientation = orientation;
  spec.seed = seed;
  return spec;
}

std::string TwoDigits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

std::vector<SampleFile> DemoSet() {
  std::vector<SampleFile> files;
  files.reserve(24);
  struct Shot {
    int width, height, orientation;
  };
  const std::vector<Shot> holiday = {
      {4000, 3000, 1}, {4000, 3000, 6}, {3000, 4000, 1}, {2048, 1536, 1},
      {1600, 1200, 8}, {1024, 768, 1},  {640, 480, 1},   {3000, 2000, 3},
      {2000, 3000, 1}, {1920, 1080, 1}, {4000, 3000, 1}, {1280, 960, 6},
  };
  uint32_t seed = 100;
  for (size_t i = 0; i < holiday.size(); ++i) {
    const Shot& shot = holiday[i];
    files.push_back({"holiday/IMG_" + std::to_string(4301 + i) + ".jpg",
                     Spec(shot.width, shot.height, TestFormat::kJpeg, TestPixels::kRgb,
                          shot.orientation, seed++)});
  }
  for (int i = 1; i <= 6; ++i) {
    const TestPixels pixels = i % 2 == 0 ? TestPixels::kRgba : TestPixels::kRgb;
    files.push_back({"catalogue/product-" + TwoDigits(i) + ".png",
                     Spec(800 + 100 * i, 800, TestFormat::kPng, pixels, 1, seed++)});
  }
  for (int i = 1; i <= 4; ++i) {
    files.push_back({"catalogue/banner-" + TwoDigits(i) + ".webp",
                     Spec(1600, 600 + 100 * i, TestFormat::kWebp, TestPixels::kRgb, 1, seed++)});
  }
  for (int i = 1; i <= 2; ++i) {
    files.push_back({"scans/page-" + TwoDigits(i) + ".jpg",
                     Spec(1700, 2200, TestFormat::kJpeg, TestPixels::kGrey, 1, seed++)});
  }
  return files;
}

// Camera-sized JPEGs (12 MP, a quarter of them needing rotation) for throughput benchmarks.
std::vector<SampleFile> BenchSet() {
  std::vector<SampleFile> files;
  for (int i = 0; i < 40; ++i) {
    const int orientation = i % 4 == 3 ? 6 : 1;
    files.push_back({"camera/DSC_" + std::to_string(1000 + i) + ".jpg",
                     Spec(4000, 3000, TestFormat::kJpeg, TestPixels::kRgb, orientation,
                          static_cast<uint32_t>(500 + i))});
  }
  return files;
}

// Many small JPEGs, for watching a worker's memory over thousands of tasks.
std::vector<SampleFile> SoakSet() {
  constexpr int kFiles = 3000;
  std::vector<SampleFile> files;
  files.reserve(kFiles);
  for (int i = 0; i < kFiles; ++i) {
    files.push_back({"soak/" + std::to_string(i / 100) + "/img-" + std::to_string(i) + ".jpg",
                     Spec(640 + (i % 7) * 40, 480 + (i % 5) * 30, TestFormat::kJpeg,
                          TestPixels::kRgb, 1, static_cast<uint32_t>(1000 + i))});
  }
  return files;
}

std::vector<SampleFile> FormatsSet() {
  std::vector<SampleFile> files;
  files.reserve(40);
  const std::vector<TestFormat> formats = {TestFormat::kJpeg, TestFormat::kPng, TestFormat::kWebp,
                                           TestFormat::kTiff, TestFormat::kGif, TestFormat::kHeic,
                                           TestFormat::kAvif};
  uint32_t seed = 200;
  for (TestFormat format : formats) {
    files.push_back({std::string("rgb.") + TestFormatExtension(format),
                     Spec(640, 480, format, TestPixels::kRgb, 1, seed++)});
  }
  for (int orientation = 1; orientation <= 8; ++orientation) {
    files.push_back({"orientation-" + std::to_string(orientation) + ".jpg",
                     Spec(400, 300, TestFormat::kJpeg, TestPixels::kRgb, orientation, seed++)});
  }
  files.push_back({"orientation-6.webp", Spec(400, 300, TestFormat::kWebp, TestPixels::kRgb, 6)});
  files.push_back({"orientation-6.tif", Spec(400, 300, TestFormat::kTiff, TestPixels::kRgb, 6)});
  const std::vector<std::pair<TestPixels, TestFormat>> kinds = {
      {TestPixels::kGrey, TestFormat::kJpeg}, {TestPixels::kGrey, TestFormat::kPng},
      {TestPixels::kCmyk, TestFormat::kJpeg}, {TestPixels::kCmyk, TestFormat::kTiff},
      {TestPixels::kRgb16, TestFormat::kPng}, {TestPixels::kRgb16, TestFormat::kTiff},
      {TestPixels::kRgba, TestFormat::kPng},  {TestPixels::kRgba, TestFormat::kWebp},
      {TestPixels::kRgba, TestFormat::kTiff}, {TestPixels::kRgba, TestFormat::kGif},
      {TestPixels::kRgba, TestFormat::kAvif},
  };
  for (const auto& [pixels, format] : kinds) {
    files.push_back({std::string(PixelsName(pixels)) + "." + TestFormatExtension(format),
                     Spec(640, 480, format, pixels, 1, seed++)});
  }
  files.push_back({"tiny-1x1.jpg", Spec(1, 1, TestFormat::kJpeg)});
  files.push_back({"tiny-1x1.png", Spec(1, 1, TestFormat::kPng)});
  files.push_back({"large-8000x5200.jpg", Spec(8000, 5200, TestFormat::kJpeg)});
  return files;
}

std::vector<SampleFile> BrokenSet() {
  return {
      {"truncated.jpg", BrokenKind::kTruncatedJpeg, StatusCode::kInvalidArgument},
      {"truncated.png", BrokenKind::kTruncatedPng, StatusCode::kInvalidArgument},
      {"corrupt.jpg", BrokenKind::kCorruptJpeg, StatusCode::kInvalidArgument},
      {"corrupt.png", BrokenKind::kCorruptPng, StatusCode::kInvalidArgument},
      {"empty.jpg", BrokenKind::kEmpty, StatusCode::kInvalidArgument},
      {"notes.jpg", BrokenKind::kText, StatusCode::kInvalidArgument},
      {"vector.png", BrokenKind::kSvg, StatusCode::kInvalidArgument},
      {"huge.png", BrokenKind::kHugePng, StatusCode::kResourceExhausted},
      {"lying.jpg", BrokenKind::kLyingJpeg, StatusCode::kInvalidArgument},
  };
}

}  // namespace

const char* TestFormatExtension(TestFormat format) {
  switch (format) {
    case TestFormat::kJpeg:
      return "jpg";
    case TestFormat::kPng:
      return "png";
    case TestFormat::kWebp:
      return "webp";
    case TestFormat::kTiff:
      return "tif";
    case TestFormat::kGif:
      return "gif";
    case TestFormat::kHeic:
      return "heic";
    case TestFormat::kAvif:
      return "avif";
  }
  return "bin";
}

Result<std::string> MakeTestImage(const TestImageSpec& spec) {
  PIXFLEET_RETURN_IF_ERROR(StartVips());
  const std::string what = std::string(PixelsName(spec.pixels)) + " " +
                           TestFormatExtension(spec.format) + " " + std::to_string(spec.width) +
                           "x" + std::to_string(spec.height);
  if (spec.width < 1 || spec.height < 1) return InvalidArgument(what + ": size must be positive");
  if (!FormatHolds(spec.format, spec.pixels)) {
    return InvalidArgument(what + ": the format cannot hold these pixels");
  }
  if (spec.orientation < 1 || spec.orientation > 8) {
    return InvalidArgument(what + ": orientation must be 1..8");
  }
  if (spec.orientation != 1 && !FormatStoresOrientation(spec.format)) {
    return InvalidArgument(what + ": libvips does not store an orientation in this format");
  }
  try {
    PIXFLEET_ASSIGN_OR_RETURN(VImage image, ApplyPixels(PatternContent(spec), spec));
    if (spec.orientation != 1) {
      image = image.copy();
      image.set(VIPS_META_ORIENTATION, spec.orientation);
    }
    std::string bytes = EncodeAs(image, spec);
    const int stored_orientation = ReadBackOrientation(bytes);
    if (stored_orientation != spec.orientation) {
      return Internal(what + ": orientation " + std::to_string(spec.orientation) +
                      " read back as " + std::to_string(stored_orientation));
    }
    return bytes;
  } catch (const vips::VError& error) {
    return Internal(what + ": " + TakeError(error));
  }
}

Result<std::string> MakeBrokenImage(BrokenKind kind) {
  PIXFLEET_RETURN_IF_ERROR(StartVips());
  switch (kind) {
    case BrokenKind::kTruncatedJpeg: {
      PIXFLEET_ASSIGN_OR_RETURN(std::string jpeg, MakeTestImage(Spec(640, 480, TestFormat::kJpeg)));
      return HalfOf(jpeg);
    }
    case BrokenKind::kTruncatedPng: {
      PIXFLEET_ASSIGN_OR_RETURN(std::string png, MakeTestImage(Spec(640, 480, TestFormat::kPng)));
      return HalfOf(png);
    }
    case BrokenKind::kCorruptJpeg:
      return MakeCorruptJpeg();
    case BrokenKind::kCorruptPng: {
      PIXFLEET_ASSIGN_OR_RETURN(std::string png, MakeTestImage(Spec(640, 480, TestFormat::kPng)));
      return GarbleMiddle(std::move(png), 11);
    }
    case BrokenKind::kEmpty:
      return std::string();
    case BrokenKind::kText:
      return std::string(kNotes);
    case BrokenKind::kSvg:
      return std::string(kSvg);
    case BrokenKind::kHugePng:
      return MakeHugePng();
    case BrokenKind::kLyingJpeg: {
      PIXFLEET_ASSIGN_OR_RETURN(std::string jpeg, MakeTestImage(Spec(300, 200, TestFormat::kJpeg)));
      return WithJpegSizeClaim(jpeg, 9500, 9500);
    }
  }
  return InvalidArgument("unknown broken kind");
}

namespace {

// The offset of the first segment with `marker` in a JPEG (its 0xFF byte), walking the segments
// of the header; npos if the scan starts first or the file ends.
size_t FindJpegSegment(std::string_view jpeg, uint8_t marker) {
  size_t at = 2;  // after SOI
  while (at + 4 <= jpeg.size() && static_cast<uint8_t>(jpeg[at]) == 0xFF) {
    const auto code = static_cast<uint8_t>(jpeg[at + 1]);
    if (code == marker) return at;
    if (code == 0xDA) break;  // start of scan: no more header segments
    const size_t length = (static_cast<size_t>(static_cast<uint8_t>(jpeg[at + 2])) << 8) |
                          static_cast<uint8_t>(jpeg[at + 3]);
    at += 2 + length;
  }
  return std::string_view::npos;
}

}  // namespace

Result<std::string> WithJpegSizeClaim(std::string_view jpeg, int width, int height) {
  for (const uint8_t sof : {uint8_t{0xC0}, uint8_t{0xC1}, uint8_t{0xC2}}) {
    const size_t at = FindJpegSegment(jpeg, sof);
    if (at == std::string_view::npos || at + 9 > jpeg.size()) continue;
    std::string out(jpeg);
    out[at + 5] = static_cast<char>((height >> 8) & 0xFF);
    out[at + 6] = static_cast<char>(height & 0xFF);
    out[at + 7] = static_cast<char>((width >> 8) & 0xFF);
    out[at + 8] = static_cast<char>(width & 0xFF);
    return out;
  }
  return InvalidArgument("no SOF segment in the JPEG");
}

Result<std::string> WithBytesBeforeJpegMarker(std::string_view jpeg, uint8_t marker,
                                              std::string_view junk) {
  if (junk.find('\xFF') != std::string_view::npos) return InvalidArgument("junk holds 0xFF");
  const size_t at = FindJpegSegment(jpeg, marker);
  if (at == std::string_view::npos) return InvalidArgument("no such marker in the JPEG header");
  std::string out(jpeg.substr(0, at));
  out.append(junk);
  out.append(jpeg.substr(at));
  return out;
}

Result<std::string> WithPngChunkCrcBroken(std::string_view png, std::string_view chunk) {
  size_t at = 8;  // after the signature
  while (at + 12 <= png.size()) {
    const size_t length = (static_cast<size_t>(static_cast<uint8_t>(png[at])) << 24) |
                          (static_cast<size_t>(static_cast<uint8_t>(png[at + 1])) << 16) |
                          (static_cast<size_t>(static_cast<uint8_t>(png[at + 2])) << 8) |
                          static_cast<uint8_t>(png[at + 3]);
    if (png.substr(at + 4, 4) == chunk) {
      std::string out(png);
      const size_t crc = at + 8 + length;
      if (crc >= out.size()) break;
      out[crc] = static_cast<char>(out[crc] ^ 0x01);
      return out;
    }
    at += 12 + length;
  }
  return InvalidArgument("no " + std::string(chunk) + " chunk in the PNG");
}

Result<std::string> WithPngTextChunk(std::string_view png, std::string_view text, bool good_crc) {
  constexpr size_t kAfterHeader = 8 + 25;  // signature, then the 13-byte IHDR chunk
  if (png.size() < kAfterHeader || png.substr(12, 4) != "IHDR") {
    return InvalidArgument("not a PNG with IHDR first");
  }
  const std::string body = "tEXtComment" + std::string(1, '\0') + std::string(text);
  uint32_t crc = 0xFFFFFFFFu;  // CRC-32 as PNG uses it, bit by bit: the chunks are tiny
  for (const char c : body) {
    crc ^= static_cast<uint8_t>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  crc = ~crc ^ (good_crc ? 0u : 1u);
  const auto be32 = [](uint32_t value) {
    std::string out(4, '\0');
    for (int i = 0; i < 4; ++i) {
      out[static_cast<size_t>(i)] = static_cast<char>(value >> (24 - 8 * i));
    }
    return out;
  };
  std::string out(png.substr(0, kAfterHeader));
  out += be32(static_cast<uint32_t>(body.size() - 4)) + body + be32(crc);
  out.append(png.substr(kAfterHeader));
  return out;
}

std::string Truncated(std::string_view bytes, double fraction) {
  return std::string(
      bytes.substr(0, static_cast<size_t>(static_cast<double>(bytes.size()) * fraction)));
}

std::vector<std::string> SampleSetNames() { return {"demo", "formats", "broken", "bench", "soak"}; }

Result<std::vector<SampleFile>> SampleSet(std::string_view set) {
  if (set == "demo") return DemoSet();
  if (set == "formats") return FormatsSet();
  if (set == "broken") return BrokenSet();
  if (set == "bench") return BenchSet();
  if (set == "soak") return SoakSet();
  return InvalidArgument("unknown sample set '" + std::string(set) +
                         "' (expected demo, formats, broken, bench or soak)");
}

Result<std::string> MakeSampleFile(const SampleFile& file) {
  return std::visit(
      [](const auto& content) -> Result<std::string> {
        if constexpr (std::is_same_v<std::decay_t<decltype(content)>, TestImageSpec>) {
          return MakeTestImage(content);
        } else {
          return MakeBrokenImage(content);
        }
      },
      file.content);
}

Status WriteSampleSet(const std::filesystem::path& dir, std::string_view set) {
  PIXFLEET_ASSIGN_OR_RETURN(const std::vector<SampleFile> files, SampleSet(set));
  for (const SampleFile& file : files) {
    PIXFLEET_ASSIGN_OR_RETURN(const std::string bytes, MakeSampleFile(file));
    const std::filesystem::path path = dir / file.path;
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) {
      return Internal("cannot create " + path.parent_path().string() + ": " + error.message());
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return Internal("cannot write " + path.string());
  }
  return Status::Ok();
}

}  // namespace pixfleet
