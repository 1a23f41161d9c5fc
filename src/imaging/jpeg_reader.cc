// libjpeg's failures come back through setjmp/longjmp (libjpeg_errors.h): each method that calls
// into libjpeg sets the jump itself, and only libjpeg's C frames lie between it and the jump.
// A warning is judged where libjpeg emits it: one that loses no pixel is counted and passed over,
// any other stops the decode the same way as an error.
#include "imaging/jpeg_reader.h"

#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "imaging/decode_policy.h"
#include "imaging/jpeg_file_source.h"
#include "imaging/libjpeg_errors.h"

namespace pixfleet {
namespace {

// emit_message: level -1 is a warning (corrupt data and the like), 0 and up are traces.
void JudgeWarning(j_common_ptr info, int level) {
  if (level >= 0) return;
  LibjpegErrors& errors = LibjpegErrors::Of(info);
  (*info->err->format_message)(info, errors.message);
  if (IsHarmlessJpegWarning(errors.message)) {
    ++info->err->num_warnings;
    return;
  }
  std::longjmp(errors.jump, 1);  // NOLINT(cert-err52-cpp): libjpeg_errors.h
}

}  // namespace

struct JpegRowReader::Decoder {
  jpeg_decompress_struct info{};  // zeroed: jpeg_destroy_decompress is safe before create
  LibjpegErrors errors;
  std::FILE* file = nullptr;
  std::optional<JpegFileSource> source;  // reads `file`
  std::vector<uint8_t> row;
  bool failed = false;  // a jump came back: libjpeg's state may only be destroyed

  Decoder() {
    info.err = InstallJumpBack(errors);
    errors.manager.emit_message = JudgeWarning;
  }
  ~Decoder() {
    jpeg_destroy_decompress(&info);
    if (file != nullptr) std::fclose(file);
  }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  Status Failure() {
    failed = true;
    return InvalidArgument(std::string("JPEG reader: ") + errors.message);
  }
  // Every call after a failure fails: libjpeg's state can no longer be used.
  Status CheckUsable() const {
    return failed ? InvalidArgument("JPEG reader: the decode has stopped") : Status::Ok();
  }
};

JpegRowReader::JpegRowReader(std::unique_ptr<Decoder> decoder) : decoder_(std::move(decoder)) {}
JpegRowReader::~JpegRowReader() = default;

Result<std::unique_ptr<JpegRowReader>> JpegRowReader::FromBytes(std::string_view bytes,
                                                                int shrink) {
  auto decoder = std::make_unique<Decoder>();
  jpeg_decompress_struct& info = decoder->info;
  if (setjmp(decoder->errors.jump) != 0) return decoder->Failure();  // NOLINT(cert-err52-cpp)
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));  // NOLINT(google-runtime-int)
  return Start(std::move(decoder), shrink);
}

Result<std::unique_ptr<JpegRowReader>> JpegRowReader::FromFile(const std::string& path,
                                                               int shrink) {
  auto decoder = std::make_unique<Decoder>();
  decoder->file = std::fopen(path.c_str(), "rb");
  if (decoder->file == nullptr) return NotFound("JPEG reader: cannot open " + path);
  jpeg_decompress_struct& info = decoder->info;
  if (setjmp(decoder->errors.jump) != 0) return decoder->Failure();  // NOLINT(cert-err52-cpp)
  jpeg_create_decompress(&info);
  decoder->source.emplace(decoder->file);
  decoder->source->Attach(info);
  return Start(std::move(decoder), shrink);
}

Result<std::unique_ptr<JpegRowReader>> JpegRowReader::Start(std::unique_ptr<Decoder> decoder,
                                                            int shrink) {
  jpeg_decompress_struct& info = decoder->info;
  if (setjmp(decoder->errors.jump) != 0) return decoder->Failure();  // NOLINT(cert-err52-cpp)
  jpeg_read_header(&info, TRUE);
  switch (info.jpeg_color_space) {
    case JCS_GRAYSCALE:
      info.out_color_space = JCS_GRAYSCALE;
      break;
    case JCS_YCbCr:
    case JCS_RGB:
      info.out_color_space = JCS_RGB;
      break;
    default:
      return InvalidArgument("JPEG reader: CMYK, YCCK and other colour spaces are libvips'");
  }
  info.scale_num = 1;
  info.scale_denom = static_cast<unsigned int>(shrink);
  jpeg_start_decompress(&info);
  decoder->row.resize(static_cast<size_t>(info.output_width) *
                      static_cast<size_t>(info.output_components));
  return std::unique_ptr<JpegRowReader>(new JpegRowReader(std::move(decoder)));
}

Size JpegRowReader::size() const {
  return {static_cast<int>(decoder_->info.output_width),
          static_cast<int>(decoder_->info.output_height)};
}

int JpegRowReader::Bands() const { return decoder_->info.output_components; }

Result<const uint8_t*> JpegRowReader::NextRow() {
  Decoder& decoder = *decoder_;
  PIXFLEET_RETURN_IF_ERROR(decoder.CheckUsable());
  jpeg_decompress_struct& info = decoder.info;
  if (info.output_scanline >= info.output_height) {
    return Internal("JPEG reader: every row has been read");
  }
  JSAMPROW scanline = decoder.row.data();
  if (setjmp(decoder.errors.jump) != 0) return decoder.Failure();  // NOLINT(cert-err52-cpp)
  jpeg_read_scanlines(&info, &scanline, 1);
  return static_cast<const uint8_t*>(decoder.row.data());
}

Status JpegRowReader::Finish() {
  Decoder& decoder = *decoder_;
  PIXFLEET_RETURN_IF_ERROR(decoder.CheckUsable());
  jpeg_decompress_struct& info = decoder.info;
  JSAMPROW scanline = decoder.row.data();
  if (setjmp(decoder.errors.jump) != 0) return decoder.Failure();  // NOLINT(cert-err52-cpp)
  while (info.output_scanline < info.output_height) jpeg_read_scanlines(&info, &scanline, 1);
  jpeg_finish_decompress(&info);
  return Status::Ok();
}

}  // namespace pixfleet
