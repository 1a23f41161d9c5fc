// Baseline JPEG from 8-bit grey or sRGB rows with libjpeg-turbo directly, rows as they come, no
// metadata but the JFIF header's resolution. No libvips.
//
// Why not libvips' jpegsave for these: it hands the image in strips to a thread pool and a
// write-behind thread, hand-offs that cost ~3.5 ms of ~15 for a 1600x1067 photo here, a quarter
// of the encode. The settings are jpegsave's (Debian 12, libvips 8.14) as the engine uses it:
// libjpeg's defaults, quality Q, Huffman tables optimised per image or not, chroma subsampled 4:2:0
// below Q 90 and kept whole from 90 up (jpegsave's "auto"). Images with metadata to keep, alpha,
// or more than 8 bits still go through jpegsave (encode.cc).
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "imaging/resize_plan.h"

namespace pixfleet {

struct JpegSettings {
  int quality = 75;             // 1..100
  bool optimize_coding = true;  // a second pass for Huffman tables fitted to this image
  double dots_per_inch = 72;    // the JFIF header's density
};

// Row `y` (width * bands bytes), asked for top to bottom, each once. May throw; the exception
// passes to EncodeJpeg's caller with the encoder's state released.
using RowSource = std::function<const uint8_t*(int y)>;

// `size` pixels of `bands` (1: grey, 3: sRGB) as a JPEG file. kInvalidArgument for other bands
// or an empty size; kInternal with libjpeg's message if libjpeg fails.
Result<std::string> EncodeJpeg(Size size, int bands, const JpegSettings& settings,
                               const RowSource& row);

}  // namespace pixfleet
