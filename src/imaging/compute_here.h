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

#include <vips/vips8>

#include "imaging/deadline.h"
#include "imaging/resize_plan.h"

namespace pixfleet {

// A memory image with the pixels and metadata of `lazy`. Throws vips::VError when libvips fails
// (a corrupt input) or the deadline expires.
vips::VImage ComputeHere(const vips::VImage& lazy, const Deadline& deadline);

// Whether ReduceHere can make `target` from `image`: 8-bit pixels of 1 to 4 bands without alpha
// (ResizeExact premultiplies alpha), reduced by a factor of at most 8 on each axis.
bool CanReduceHere(const vips::VImage& image, Size target);

// `lazy` reduced to exactly `target` with Lanczos-3 (lanczos3.h), in memory, its input rows
// computed here as the reduce needs them: the input is never held whole. Metadata as `lazy`'s.
// Requires CanReduceHere(lazy, target). Throws as ComputeHere does.
vips::VImage ReduceHere(const vips::VImage& lazy, Size target, const Deadline& deadline);

// `image` at exactly `target`, in memory: ReduceHere when it can, else libvips' resize
// (ResizeExact) computed here; ComputeHere alone when `image` already has that size.
vips::VImage ResizeHere(const vips::VImage& image, Size target, const Deadline& deadline);

}  // namespace pixfleet
