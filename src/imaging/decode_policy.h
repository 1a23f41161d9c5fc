// Which decoder complaints fail a task, and which a real camera file may carry. Pure.
//
// The mechanism is libvips 8.14's fail_on level, passed to the loader. Measured on this
// libvips (Debian 12, libjpeg-turbo 2.1.5, libpng 1.6.39; see docs/task_lifecycle.md):
//  - "none" accepts anything; a truncated JPEG decodes with grey where data is missing.
//  - "truncated" and "error" fail a JPEG whose file ends early ("Premature end of input file")
//    and a PNG, WebP, TIFF, GIF or HEIF that is cut short or fails its checksums, but not a
//    JPEG whose entropy-coded data ends early at a marker ("Corrupt JPEG data: premature end of
//    data segment"): a 300x200 file whose header claims 9500x9500 decodes to a grey 9500x9500
//    image, and so do bit flips that end the data early.
//  - "warning" fails on any libjpeg warning, including "Corrupt JPEG data: N extraneous bytes
//    before marker 0xNN", which many cameras and editors write and which loses no pixel.
// So a JPEG is decoded at "warning", and when its first warning is one that loses no pixels
// (IsHarmlessJpegWarning) it is decoded again at "error", which tolerates warnings but not a
// file that ends early. Libjpeg reports only a file's first warning through libvips, so a
// damaged file whose first warning is harmless is judged by that warning alone. Other formats
// are decoded at "error": their libraries' warnings ("iCCP: known incorrect sRGB profile")
// are harmless, and their data errors are errors.
#pragma once

#include <string_view>

namespace pixfleet {

// The loader option string for the first decode of `format` ("jpeg", "png", ...).
std::string_view FirstDecodeOptions(std::string_view format);
// The loader option string for the second decode of a JPEG whose warnings are all harmless.
std::string_view TolerantDecodeOptions();

// True for a libjpeg warning that loses no pixels: extraneous bytes before a marker, an unknown
// JFIF revision or Adobe transform code, a bad ICC marker, SOS parameters unusual for a
// sequential JPEG. `line` is one line of libvips' error text ("VipsJpeg: Corrupt JPEG data: 3
// extraneous bytes before marker 0xdb").
bool IsHarmlessJpegWarning(std::string_view line);

// True when `message`, libvips' error text of a JPEG that failed at fail_on=warning, holds at
// least one line from the JPEG loader and every such line is a harmless warning: decoding again
// at fail_on=error is then safe. Lines of other domains (another thread's failure sharing
// libvips' error buffer) are ignored.
bool OnlyHarmlessJpegWarnings(std::string_view message);

}  // namespace pixfleet
