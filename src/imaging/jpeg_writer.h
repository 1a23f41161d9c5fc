// Baseline JPEG from 8-bit grey or sRGB rows with libjpeg-turbo directly, rows as they come, no
// metadata but the JFIF header's resolution. No libvips.
//
// Why not libvips' jpegsave for these: it hands the image in strips to a thread pool and a
// write-behind thread, hand-offs that cost ~3.5 ms of ~15 for a 1600x1067 photo here, a quarter
// of the encode. The settings are jpegsave's (Debian 12, libvips 8.14) as the engine uses it:
// libjpeg's defaults, quality Q, chroma subsampled 4:2:0 below Q 90 and kept whole from 90 up
// (jpegsave's "auto"). Images with metadata to keep, alpha, or more than 8 bits still go through
// jpegsave (encode.cc).
//
// Huffman tables: libjpeg's stock ones, fitted to the whole image (libjpeg's two passes: every
// block is quantised and kept, its symbols counted in plain C, then coded), or fitted to a sample
// of the image's blocks. Why the sample: on 1600-px photos the two passes cost 2x the one-pass
// encode (up to 2.7x on detailed ones) for ~4 % fewer bytes; tables fitted to every eighth block
// (jpeg_huffman.h completes them with codes for what the sample lacked) come within 0.3 % of
// those bytes for 1.35-1.45x the one-pass encode (19 camera photos). The pixels are the same
// with every table.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "imaging/pixel_rows.h"
#include "imaging/resize_plan.h"

namespace pixfleet {

enum class HuffmanTables {
  kStock,    // libjpeg's (T.81 Annex K's typical tables)
  kSampled,  // fitted to every eighth block; to every block in images under 32 rows of blocks
  kWhole,    // fitted to every block
};

struct JpegSettings {
  int quality = 75;  // 1..100
  HuffmanTables tables = HuffmanTables::kSampled;
  double dots_per_inch = 72;  // the JFIF header's density
};

// `pixels` (1 band: grey, 3: sRGB) as a JPEG file. kInvalidArgument for other bands or an empty
// size; kInternal with libjpeg's message if libjpeg fails.
Result<std::string> EncodeJpeg(const PixelRows& pixels, const JpegSettings& settings);

// Row `y` (width * bands bytes), asked for top to bottom, each once; the pointer need stay valid
// only until the next call. May throw; the exception passes to EncodeJpeg's caller with the
// encoder's state released.
using RowSource = std::function<const uint8_t*(int y)>;

// The same from rows that come one at a time and are not kept, with stock or whole-image tables
// only: sampled tables need the rows twice (the sample, then the image), so they are
// kInvalidArgument here, whatever the image's size.
Result<std::string> EncodeJpeg(Size size, int bands, const JpegSettings& settings,
                               const RowSource& row);

}  // namespace pixfleet
