// JPEG decoding in eighths: libjpeg-turbo scales its inverse DCT by M/8 for any M from 1 to 8,
// where libvips' jpegload offers only 1/1, 1/2, 1/4 and 1/8. A 6000-px photo needs 3/8 (2250 px)
// for a 1600-px output where a power of two decodes 3000 px, and the Lanczos reduce that follows
// then reads 44 % fewer pixels. Used only where it pays and where it cannot change a result:
//  - M is not a power of two (libvips does those the same way, streaming);
//  - the file is perfectly clean: any libjpeg warning or error returns nullopt, and the caller
//    decodes through libvips, whose failure messages and tolerance rules (decode_policy.h) apply;
//  - one or three components (greyscale, YCbCr or RGB); CMYK and YCCK return nullopt.
// The pixels are decoded whole into memory (at most the box times 8/(M-1) on a side, M >= 3),
// with the embedded ICC profile and the JFIF resolution attached as libvips' jpegload does; EXIF
// and XMP are not read, so callers keeping metadata must use libvips. Thread-safe.
#pragma once

#include <optional>

#include <vips/vips8>

#include "imaging/deadline.h"
#include "imaging/encoded_input.h"
#include "imaging/resize_plan.h"

namespace pixfleet {

// The smallest M in 1..8 whose M/8 scaling (each side times M/8, rounded up, as libjpeg computes
// it) still covers `box`. Pure.
int JpegEighthsFor(Size stored, Size box);

// True when M/8 is one of libvips' own shrink factors (M = 1, 2, 4 or 8).
bool IsPowerOfTwoEighths(int eighths);

// `input`'s pixels scaled by `eighths`/8, 8-bit sRGB or greyscale in memory, or nullopt as
// above (also when the deadline passes during the decode). Never throws.
std::optional<vips::VImage> DecodeJpegInEighths(const EncodedInput& input, int eighths,
                                                const Deadline& deadline);

}  // namespace pixfleet
