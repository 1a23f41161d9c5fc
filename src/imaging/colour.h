// Colour conversions on decoded images: the ToSrgbOp conversion, the smaller conversion every
// 8-bit encoder needs even when a recipe has no ToSrgbOp, and profile hygiene after decoding.
// Functions throw vips::VError on libvips failure; the engine converts that to a Status.
#pragma once

#include <vips/vips8>

namespace pixfleet {

// 8-bit sRGB, 3 bands plus alpha when the input had one. CMYK is imported through its embedded
// profile (or libvips' CMYK profile); an embedded non-sRGB RGB profile is converted to sRGB;
// greyscale, 16-bit, Lab and other spaces go through vips colourspace; 16-bit is scaled, not
// clipped.
vips::VImage ToSrgb(const vips::VImage& in);

// What an 8-bit encoder can hold: 8-bit sRGB or 8-bit greyscale (alpha kept). Unlike ToSrgb, grey
// stays grey. When `strip` is set a non-sRGB embedded profile is converted to sRGB, because once
// the profile is dropped viewers would read the pixels as sRGB.
vips::VImage ToEncodable(const vips::VImage& in, bool strip);

// Drops an embedded ICC profile that does not match the image's bands. libvips 8.14's thumbnail
// converts CMYK pixels to sRGB but leaves the CMYK profile attached; writing that profile into an
// sRGB file, or importing through it, would be wrong.
vips::VImage DropMismatchedProfile(const vips::VImage& in);

}  // namespace pixfleet
