// libjpeg reports an error by calling error_exit, which must not return, so each phase of the
// decode is a function that sets a jump point first and holds no C++ object with a destructor
// (longjmp would skip it); the objects that need cleaning up live in the caller, outside every
// jump. libjpeg is driven directly because libvips 8.14 exposes only power-of-two scales.
#include "imaging/jpeg_eighths.h"

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

namespace pixfleet {
namespace {

// Rows handed to libjpeg per call (its output buffer height is at most 4 for any sampling).
constexpr int kRowsPerRead = 4;
// The deadline is looked at every this many rows.
constexpr JDIMENSION kRowsPerDeadlineCheck = 64;

struct ErrorManager {
  jpeg_error_mgr base;  // first: libjpeg sees a jpeg_error_mgr*
  std::jmp_buf jump;
  bool warned;
};

ErrorManager* ErrorsOf(j_common_ptr info) {
  // ErrorManager is standard-layout with `base` first, so the two addresses are the same.
  return reinterpret_cast<ErrorManager*>(info->err);  // NOLINT: libjpeg's documented idiom
}

[[noreturn]] void JumpOnError(j_common_ptr info) { std::longjmp(ErrorsOf(info)->jump, 1); }

// Level -1 is a warning (corrupt data libjpeg worked around); higher levels are trace messages.
void NoteWarning(j_common_ptr info, int level) {
  if (level < 0) ErrorsOf(info)->warned = true;
}

void PrintNothing(j_common_ptr /*info*/) {}

struct Decoder {
  jpeg_decompress_struct info;
  ErrorManager errors;
  JOCTET* icc = nullptr;  // malloc'd by libjpeg
  unsigned int icc_length = 0;
};

// Each phase returns false if libjpeg failed or warned.
bool Create(Decoder* decoder) {
  decoder->info.err = jpeg_std_error(&decoder->errors.base);
  decoder->errors.base.error_exit = JumpOnError;
  decoder->errors.base.emit_message = NoteWarning;
  decoder->errors.base.output_message = PrintNothing;
  decoder->errors.warned = false;
  if (setjmp(decoder->errors.jump) != 0) return false;
  jpeg_create_decompress(&decoder->info);
  return true;
}

bool ReadHeader(Decoder* decoder, std::FILE* file, const std::string_view* bytes) {
  if (setjmp(decoder->errors.jump) != 0) return false;
  if (file != nullptr) {
    jpeg_stdio_src(&decoder->info, file);
  } else {
    jpeg_mem_src(&decoder->info, reinterpret_cast<const unsigned char*>(bytes->data()),  // NOLINT
                 static_cast<unsigned long>(bytes->size()));                             // NOLINT
  }
  jpeg_save_markers(&decoder->info, JPEG_APP0 + 2, 0xFFFF);  // APP2: the ICC profile
  jpeg_read_header(&decoder->info, TRUE);
  jpeg_read_icc_profile(&decoder->info, &decoder->icc, &decoder->icc_length);
  return !decoder->errors.warned;
}

bool Start(Decoder* decoder, int eighths) {
  if (setjmp(decoder->errors.jump) != 0) return false;
  decoder->info.scale_num = static_cast<unsigned int>(eighths);
  decoder->info.scale_denom = 8;
  decoder->info.out_color_space = decoder->info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&decoder->info);
  return !decoder->errors.warned;
}

bool ReadRows(Decoder* decoder, VipsImage* out, const Deadline* deadline) {
  if (setjmp(decoder->errors.jump) != 0) return false;
  jpeg_decompress_struct& info = decoder->info;
  const size_t stride = size_t{info.output_width} * static_cast<size_t>(info.output_components);
  auto* pixels = static_cast<JSAMPLE*>(out->data);
  while (info.output_scanline < info.output_height) {
    if (info.output_scanline % kRowsPerDeadlineCheck == 0 && deadline->Expired()) return false;
    JSAMPROW rows[kRowsPerRead];
    for (JDIMENSION i = 0; i < kRowsPerRead; ++i) {
      const JDIMENSION row = std::min(info.output_scanline + i, info.output_height - 1);
      rows[i] = pixels + size_t{row} * stride;
    }
    const JDIMENSION left = info.output_height - info.output_scanline;
    jpeg_read_scanlines(&info, rows, std::min<JDIMENSION>(kRowsPerRead, left));
  }
  jpeg_finish_decompress(&info);
  return !decoder->errors.warned;
}

int FreeWithFree(void* data, void* /*unused*/) {
  std::free(data);  // NOLINT: libjpeg allocates the ICC profile with malloc
  return 0;
}

// Pixels per millimetre from the JFIF density, as libvips' jpegload sets xres/yres.
double Resolution(const jpeg_decompress_struct& info, UINT16 density) {
  if (density == 0) return 1.0;
  switch (info.density_unit) {
    case 1:
      return density / 25.4;  // dots per inch
    case 2:
      return density / 10.0;  // dots per centimetre
    default:
      return 1.0;
  }
}

// Everything a decode holds, released in any case.
class DecodeResources {
 public:
  DecodeResources() = default;
  DecodeResources(const DecodeResources&) = delete;
  DecodeResources& operator=(const DecodeResources&) = delete;
  ~DecodeResources() {
    if (created) jpeg_destroy_decompress(&decoder.info);
    if (decoder.icc != nullptr) std::free(decoder.icc);  // NOLINT: malloc'd by libjpeg
    if (file != nullptr) std::fclose(file);              // NOLINT: read only
  }

  Decoder decoder{};
  bool created = false;
  std::FILE* file = nullptr;
};

}  // namespace

int JpegEighthsFor(Size stored, Size box) {
  auto covers = [&](int eighths) {
    return (int64_t{stored.width} * eighths + 7) / 8 >= box.width &&
           (int64_t{stored.height} * eighths + 7) / 8 >= box.height;
  };
  for (int eighths = 1; eighths < 8; ++eighths) {
    if (covers(eighths)) return eighths;
  }
  return 8;
}

bool IsPowerOfTwoEighths(int eighths) {
  return eighths == 1 || eighths == 2 || eighths == 4 || eighths == 8;
}

std::optional<vips::VImage> DecodeJpegInEighths(const EncodedInput& input, int eighths,
                                                const Deadline& deadline) {
  DecodeResources resources;
  Decoder& decoder = resources.decoder;
  resources.created = Create(&decoder);
  if (!resources.created) return std::nullopt;
  const std::string_view bytes = input.Bytes();
  if (!input.Path().empty()) {
    resources.file = std::fopen(input.Path().c_str(), "rb");  // NOLINT: libjpeg reads a FILE*
    if (resources.file == nullptr) return std::nullopt;
  }
  if (!ReadHeader(&decoder, resources.file, &bytes)) return std::nullopt;
  const J_COLOR_SPACE space = decoder.info.jpeg_color_space;
  const bool grey = decoder.info.num_components == 1 && space == JCS_GRAYSCALE;
  const bool colour = decoder.info.num_components == 3 && (space == JCS_YCbCr || space == JCS_RGB);
  if (!grey && !colour) return std::nullopt;
  if (!Start(&decoder, eighths)) return std::nullopt;

  const jpeg_decompress_struct& info = decoder.info;
  VipsImage* out = vips_image_new_memory();
  vips::VImage image(out);  // owns `out` from here on
  vips_image_init_fields(out, static_cast<int>(info.output_width),
                         static_cast<int>(info.output_height), info.output_components,
                         VIPS_FORMAT_UCHAR, VIPS_CODING_NONE,
                         grey ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB,
                         Resolution(info, info.X_density), Resolution(info, info.Y_density));
  if (vips_image_write_prepare(out) != 0) {
    vips_error_clear();
    return std::nullopt;
  }
  if (!ReadRows(&decoder, out, &deadline)) return std::nullopt;
  if (decoder.icc != nullptr) {
    vips_image_set_blob(out, VIPS_META_ICC_NAME, FreeWithFree, decoder.icc, decoder.icc_length);
    decoder.icc = nullptr;  // the image frees it
  }
  return image;
}

}  // namespace pixfleet
