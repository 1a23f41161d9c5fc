// libjpeg's failures come back through setjmp/longjmp (libjpeg_errors.h). Only libjpeg's C
// frames lie between the two (the row source runs in EncodeJpeg's frame, outside libjpeg).
#include "imaging/jpeg_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "imaging/libjpeg_errors.h"

namespace pixfleet {
namespace {

// The compressor and its output buffer, released on every way out of EncodeJpeg.
struct Compression {
  jpeg_compress_struct info{};  // zeroed: jpeg_destroy_compress is safe before create
  LibjpegErrors errors;
  unsigned char* buffer = nullptr;  // malloc'd by libjpeg's memory destination, grown as needed
  unsigned long length = 0;         // NOLINT(google-runtime-int): jpeg_mem_dest's type

  Compression() { info.err = InstallJumpBack(errors); }
  ~Compression() {
    jpeg_destroy_compress(&info);
    std::free(buffer);  // NOLINT(cppcoreguidelines-no-malloc): libjpeg allocated it
  }
  Compression(const Compression&) = delete;
  Compression& operator=(const Compression&) = delete;
};

}  // namespace

Result<std::string> EncodeJpeg(Size size, int bands, const JpegSettings& settings,
                               const RowSource& row) {
  if (bands != 1 && bands != 3) {
    return InvalidArgument("JPEG writer: 1 or 3 bands, not " + std::to_string(bands));
  }
  if (size.width < 1 || size.height < 1 || size.width > JPEG_MAX_DIMENSION ||
      size.height > JPEG_MAX_DIMENSION) {
    return InvalidArgument("JPEG writer: cannot write " + std::to_string(size.width) + "x" +
                           std::to_string(size.height) + " pixels");
  }
  Compression compression;
  jpeg_compress_struct& info = compression.info;
  if (setjmp(compression.errors.jump) != 0) {  // NOLINT(cert-err52-cpp): libjpeg_errors.h
    return Internal(std::string("JPEG writer: ") + compression.errors.message);
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &compression.buffer, &compression.length);
  info.image_width = static_cast<JDIMENSION>(size.width);
  info.image_height = static_cast<JDIMENSION>(size.height);
  info.input_components = bands;
  info.in_color_space = bands == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, std::clamp(settings.quality, 1, 100), TRUE);
  info.optimize_coding = settings.optimize_coding ? TRUE : FALSE;
  if (bands == 3 && settings.quality >= 90) {  // no chroma subsampling: 4:4:4
    info.comp_info[0].h_samp_factor = 1;
    info.comp_info[0].v_samp_factor = 1;
  }
  info.density_unit = 1;  // dots per inch
  const auto density = static_cast<UINT16>(std::clamp(std::lround(settings.dots_per_inch), 1L,
                                                      65535L));  // NOLINT(google-runtime-int)
  info.X_density = density;
  info.Y_density = density;

  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    // libjpeg does not write to its input rows; its API predates const.
    JSAMPROW scanline = const_cast<JSAMPROW>(row(static_cast<int>(info.next_scanline)));
    jpeg_write_scanlines(&info, &scanline, 1);
  }
  jpeg_finish_compress(&info);
  return std::string(reinterpret_cast<const char*>(compression.buffer), compression.length);
}

}  // namespace pixfleet
