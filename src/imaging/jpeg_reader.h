// JpegRowReader: the rows of an 8-bit greyscale or colour (YCbCr or RGB) JPEG, decoded with
// libjpeg-turbo directly at a DCT scale of 1/shrink, top to bottom, from memory or from a file
// read as it decodes. No libvips.
//
// Why not libvips' jpegload for these: its region, sequential line cache and strip hand-offs
// cost 3-7 % of the decode into a 1600-px box here (camera JPEGs ~53 -> ~51 ms per photo,
// progressive 4:4:4 wallpapers ~190 -> ~180 ms, CPU, alternating runs). The pixels are
// jpegload's (libjpeg's default DCT and fancy upsampling): a test checks they are identical.
//
// The reader is a fast path, not a judge: anything it does not take on is refused with a non-OK
// status so that the caller decodes the file with libvips, whose fail_on policy and messages
// (decode_policy.h) stay the only ones users see. Refused: CMYK and YCCK, a warning that may lose
// pixels (a file cut short, corrupt data), any libjpeg error. Warnings that lose no pixel
// (IsHarmlessJpegWarning) are passed over, as the policy passes over them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "imaging/resize_plan.h"

namespace pixfleet {

class JpegRowReader {
 public:
  // Reads the header of `bytes` (which must outlive the reader) or of the file at `path`, and
  // starts decoding at 1/`shrink` (1, 2, 4 or 8). kInvalidArgument for CMYK and YCCK and, with
  // the decoder's message, for a damaged header; kNotFound for a file that cannot be opened.
  static Result<std::unique_ptr<JpegRowReader>> FromBytes(std::string_view bytes, int shrink);
  static Result<std::unique_ptr<JpegRowReader>> FromFile(const std::string& path, int shrink);

  ~JpegRowReader();
  JpegRowReader(const JpegRowReader&) = delete;
  JpegRowReader& operator=(const JpegRowReader&) = delete;

  // The decoded size (the stored size scaled by 1/shrink, rounded up) and bands (1 or 3).
  Size size() const;
  int Bands() const;

  // The next row, size().width * Bands() bytes, valid until the next call. An error once a
  // warning that may lose pixels or an error stops the decode; every later call fails too.
  Result<const uint8_t*> NextRow();

  // Reads the rows not asked for and the file's end, where a damaged end is noticed.
  Status Finish();

 private:
  struct Decoder;
  explicit JpegRowReader(std::unique_ptr<Decoder> decoder);
  static Result<std::unique_ptr<JpegRowReader>> Start(std::unique_ptr<Decoder> decoder, int shrink);

  std::unique_ptr<Decoder> decoder_;
};

}  // namespace pixfleet
