// A view of interleaved 8-bit pixels in rows, as libvips memory images and regions hold them,
// for the engine's own pixel code (attention crop, encoders, analyses). Owns nothing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pixfleet {

// 1 grey, 2 grey + alpha, 3 sRGB, 4 sRGB + alpha bands.
struct PixelRows {
  const uint8_t* data = nullptr;
  size_t row_bytes = 0;  // from one row's start to the next's
  int width = 0;
  int height = 0;
  int bands = 0;

  const uint8_t* Row(int y) const { return data + static_cast<size_t>(y) * row_bytes; }
};

}  // namespace pixfleet
