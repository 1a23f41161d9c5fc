// Computing a lazy libvips image into memory on the calling thread, strip by strip, instead of
// through libvips' thread pool (what copy_memory() does).
//
// Why: pixfleet runs one image per core with libvips' concurrency at 1, yet every libvips sink
// still hands the work to a pool thread and waits for it, a futex wake-up and a context switch
// per strip. Pulling the strips here does the same pixel work without them (the decode's system
// time fell by a quarter).
//
// The deadline is checked between strips of 16 rows (libvips' "eval" signal, which
// Deadline::Watch hooks, is only emitted by the thread pool); once it has passed, or its cancel
// token was requested, the computation stops with a vips::VError and the caller asks the
// deadline why.
#pragma once

#include <cstdint>
#include <functional>

#include <vips/vips8>

#include "imaging/deadline.h"
#include "imaging/pixel_rows.h"
#include "imaging/resize_plan.h"

namespace pixfleet {

// The rows of a lazy image computed on the calling thread, a strip at a time, for a reader that
// asks for them top to bottom; the deadline is checked per strip. Throws as ComputeHere does.
class RowsHere {
 public:
  RowsHere(const vips::VImage& lazy, const Deadline& deadline);

  // Row `y`'s pixels, valid until a row of a later strip is asked for. `y` never goes back
  // above the strip of the row asked for before.
  const VipsPel* Row(int y);

 private:
  vips::VImage lazy_;
  const Deadline& deadline_;
  vips::VRegion region_;
  int end_ = 0;  // rows [end_ - strip, end_) are in region_
};

// A memory image with the pixels and metadata of `lazy`. Throws vips::VError when libvips fails
// (a corrupt input) or the deadline expires.
vips::VImage ComputeHere(const vips::VImage& lazy, const Deadline& deadline);

// Whether the engine's own pixel code (PixelRows) reads `image` as it is: 8-bit grey or sRGB
// pixels, nothing coded, alpha only as a last band (not CMYK's fourth).
bool OwnCodeReads(const vips::VImage& image);

// The pixels of an 8-bit memory image (ComputeHere's, ResizeHere's), for the engine's own pixel
// code. Valid while `memory` lives.
PixelRows PixelsOf(const vips::VImage& memory);

// `image`'s pixels in memory: `image` itself when it is an 8-bit memory image already, else
// computed here. Keep the returned image alive while using PixelsOf(it).
vips::VImage InMemory(const vips::VImage& image, const Deadline& deadline);

// Whether ReduceHere can make `target` from `image`: 8-bit pixels of 1 to 4 bands without alpha
// (ResizeExact premultiplies alpha), reduced by a factor of at most 8 on each axis.
bool CanReduceHere(const vips::VImage& image, Size target);

// `lazy` reduced to exactly `target` with Lanczos-3 (lanczos3.h), in memory, its input rows
// computed here as the reduce needs them: the input is never held whole. Metadata as `lazy`'s.
// Requires CanReduceHere(lazy, target). Throws as ComputeHere does.
vips::VImage ReduceHere(const vips::VImage& lazy, Size target, const Deadline& deadline);

// Input row `y` of a reduce (like's width * bands bytes), asked for top to bottom, each once,
// valid until the next call. May throw; the exception passes to the caller.
using InputRow = std::function<const uint8_t*(int y)>;

// As ReduceHere, with the input's rows from `row` instead of computed from an image: `like`
// gives the input's size, bands and format and the output's metadata, and is never computed.
// `target` may also be like's size (the rows are copied). Requires CanReduceHere(like, target)
// otherwise. The deadline is checked every 16 input rows; throws as ComputeHere does.
vips::VImage ReduceRowsHere(const vips::VImage& like, Size target, const InputRow& row,
                            const Deadline& deadline);

// `image` at exactly `target`, in memory: ReduceHere when it can, else libvips' resize
// (ResizeExact) computed here; ComputeHere alone when `image` already has that size.
vips::VImage ResizeHere(const vips::VImage& image, Size target, const Deadline& deadline);

}  // namespace pixfleet
