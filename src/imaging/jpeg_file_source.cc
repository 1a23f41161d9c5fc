#include "imaging/jpeg_file_source.h"

#include <jerror.h>

namespace pixfleet {

JpegFileSource::JpegFileSource(std::FILE* file)
    : file_(file), block_(std::make_unique_for_overwrite<JOCTET[]>(kBlockBytes)) {
  jpeg_source_mgr& fields = manager_.fields;
  fields.init_source = Start;
  fields.fill_input_buffer = Fill;
  fields.skip_input_data = Skip;
  fields.resync_to_restart = jpeg_resync_to_restart;
  fields.term_source = End;
  manager_.owner = this;
}

void JpegFileSource::Attach(jpeg_decompress_struct& info) { info.src = &manager_.fields; }

JpegFileSource& JpegFileSource::Of(j_decompress_ptr info) {
  return *reinterpret_cast<Manager*>(info->src)->owner;
}

void JpegFileSource::Start(j_decompress_ptr info) {
  JpegFileSource& source = Of(info);
  source.at_start_ = true;
  source.manager_.fields.bytes_in_buffer = 0;
}

boolean JpegFileSource::Fill(j_decompress_ptr info) {
  JpegFileSource& source = Of(info);
  size_t read = std::fread(source.block_.get(), 1, kBlockBytes, source.file_);
  if (read == 0) {
    // Either call may jump out (libjpeg_errors.h): nothing here needs a destructor.
    if (source.at_start_) ERREXIT(info, JERR_INPUT_EMPTY);
    WARNMS(info, JWRN_JPEG_EOF);
    source.block_[0] = 0xFF;
    source.block_[1] = JPEG_EOI;
    read = 2;
  }
  source.manager_.fields.next_input_byte = source.block_.get();
  source.manager_.fields.bytes_in_buffer = read;
  source.at_start_ = false;
  return TRUE;
}

void JpegFileSource::Skip(j_decompress_ptr info, long count) {  // NOLINT(google-runtime-int)
  if (count <= 0) return;
  jpeg_source_mgr& manager = *info->src;
  auto left = static_cast<size_t>(count);
  while (left > manager.bytes_in_buffer) {
    left -= manager.bytes_in_buffer;
    Fill(info);  // always returns TRUE: a file never suspends
  }
  manager.next_input_byte += left;
  manager.bytes_in_buffer -= left;
}

void JpegFileSource::End(j_decompress_ptr /*info*/) {}

}  // namespace pixfleet
