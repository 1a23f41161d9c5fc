// Colour conversions on decoded images: the ToSrgbOp conversion, the smaller conversion every
// 8-bit encoder needs even when a recipe has no ToSrgbOp, and profile hygiene after decoding.
// Functions throw vips::VError on libvips failure; the engine converts that to a Status.
#pragma once

#include <vips/vips8>

#include "imaging/deadline.h"

namespace pixfleet {

// 8-bit sRGB, 3 bands plus alpha when the input had one. CMYK is imported through its embedded
// profile (or libvips' CMYK profile); an embedded non-sRGB RGB profile is converted to sRGB;
// greyscale, 16-bit, Lab and other spaces go through vips colourspace; 16-bit is scaled, not
// clipped.
vips::VImage ToSrgb(const vips::VImage& in);

// Whether ToSrgb(in) goes through an ICC transform (CMYK, or an embedded RGB profile that is not
// sRGB's): a per-pixel colour-management pipeline and a fixed cost per call to build it, where
// the other conversions are cheap or nothing.
bool ToSrgbTransformsProfile(const vips::VImage& in);

// ToSrgb(in) computed into memory. 8-bit RGB pixels with a matrix-shaper profile (most
// wide-gamut photos: Display P3, Adobe RGB) go through the own conversion (matrix_shaper.h),
// several times faster than libvips' icc_transform, and get libvips' sRGB profile as
// icc_transform gives them; everything else is computed from ToSrgb. Throws as ComputeHere does.
vips::VImage ToSrgbInMemory(const vips::VImage& in, const Deadline& deadline);

// What an 8-bit encoder can hold: 8-bit sRGB or 8-bit greyscale (alpha kept). Unlike ToSrgb, grey
// stays grey. When `strip` is set a non-sRGB embedded profile is converted to sRGB, because once
// the profile is dropped viewers would read the pixels as sRGB.
vips::VImage ToEncodable(const vips::VImage& in, bool strip);

// Drops an embedded ICC profile that does not match the image's bands. libvips 8.14's thumbnail
// converts CMYK pixels to sRGB but leaves the CMYK profile attached; writing that profile into an
// sRGB file, or importing through it, would be wrong.
vips::VImage DropMismatchedProfile(const vips::VImage& in);

}  // namespace pixfleet
