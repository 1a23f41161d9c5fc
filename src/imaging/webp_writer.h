// Lossy WebP from 8-bit sRGB pixels (with or without alpha) with libwebp directly, no metadata.
// No libvips.
//
// Why not libvips' webpsave for these: the same hand-offs as jpegsave's (jpeg_writer.h), ~2 ms
// of ~21 for a 512-px photo here. The settings are webpsave's as the engine uses it (libvips
// 8.14): libwebp's default preset at quality Q, the method (webpsave's "effort") asked for, alpha
// at quality 100, plain RGB-to-YUV conversion. Images with metadata to keep, grey or more than 8
// bits still go through webpsave (encode.cc).
#pragma once

#include <string>

#include "core/status.h"
#include "imaging/pixel_rows.h"

namespace pixfleet {

// `pixels` (3 bands: sRGB; 4: sRGB + alpha) as a WebP file at `quality` (1..100) with libwebp's
// `method` (0..6: more is slower and smaller). kInvalidArgument for other bands or sizes beyond
// WebP's 16383 px; kInternal with libwebp's reason if it fails.
Result<std::string> EncodeWebp(const PixelRows& pixels, int quality, int method);

}  // namespace pixfleet
