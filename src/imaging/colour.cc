// Colour conversions. libvips' icc_transform keeps alpha and writes 8-bit by default; its
// colourspace() knows the routes between B_W, GREY16, RGB16, sRGB, scRGB, Lab, XYZ, CMYK, etc.
#include "imaging/colour.h"

#include "imaging/icc.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

bool IsGreyInterpretation(VipsInterpretation interpretation) {
  return interpretation == VIPS_INTERPRETATION_B_W || interpretation == VIPS_INTERPRETATION_GREY16;
}

// The number of colour bands (alpha excluded) that a profile of this colour space describes.
bool ProfileMatchesBands(IccColourSpace space, int colour_bands) {
  switch (space) {
    case IccColourSpace::kRgb:
    case IccColourSpace::kLab:
      return colour_bands == 3;
    case IccColourSpace::kCmyk:
      return colour_bands == 4;
    case IccColourSpace::kGrey:
      return colour_bands == 1;
    case IccColourSpace::kOther:
      return false;
  }
  return false;
}

int ColourBands(const vips::VImage& image) {
  return image.has_alpha() ? image.bands() - 1 : image.bands();
}

// Interpretation to convert from: the image's own, or libvips' guess when it is unlabelled.
VipsInterpretation SourceInterpretation(const vips::VImage& image) {
  VipsInterpretation interpretation = image.interpretation();
  if (interpretation == VIPS_INTERPRETATION_MULTIBAND ||
      interpretation == VIPS_INTERPRETATION_HISTOGRAM ||
      interpretation == VIPS_INTERPRETATION_MATRIX ||
      interpretation == VIPS_INTERPRETATION_FOURIER) {
    interpretation = image.guess_interpretation();
  }
  return interpretation;
}

// 8-bit samples: 16-bit values are scaled down (65535 -> 255), anything else is cast with clipping.
vips::VImage ToUchar(const vips::VImage& in) {
  if (in.format() == VIPS_FORMAT_UCHAR) return in;
  if (in.format() == VIPS_FORMAT_USHORT) return (in / 257.0).cast(VIPS_FORMAT_UCHAR);
  return in.cast(VIPS_FORMAT_UCHAR);
}

vips::VImage ViaProfile(const vips::VImage& in, const char* fallback_input_profile) {
  return in.icc_transform("srgb", vips::VImage::option()
                                      ->set("embedded", true)
                                      ->set("input_profile", fallback_input_profile)
                                      ->set("intent", VIPS_INTENT_RELATIVE));
}

}  // namespace

vips::VImage DropMismatchedProfile(const vips::VImage& in) {
  const auto profile = IccProfileOf(in);
  if (profile.empty()) return in;
  if (ProfileMatchesBands(IccProfileColourSpace(profile), ColourBands(in))) return in;
  return WithoutIccProfile(in);
}

vips::VImage ToSrgb(const vips::VImage& in) {
  vips::VImage image = DropMismatchedProfile(in);
  const VipsInterpretation source = SourceInterpretation(image);
  const auto profile = IccProfileOf(image);
  const IccColourSpace space = IccProfileColourSpace(profile);

  if (source == VIPS_INTERPRETATION_CMYK && ColourBands(image) == 4) {
    image = ViaProfile(image, "cmyk");
  } else if (!profile.empty() && space == IccColourSpace::kRgb && !IsSrgbProfile(profile)) {
    image = ViaProfile(image, "srgb");
  } else {
    if (source != VIPS_INTERPRETATION_sRGB) {
      image = image.colourspace(VIPS_INTERPRETATION_sRGB,
                                vips::VImage::option()->set("source_space", source));
    }
    // A grey profile no longer describes the three bands colourspace() made.
    image = DropMismatchedProfile(image);
  }
  image = ToUchar(image);
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB) {
    image = image.copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  }
  return image;
}

vips::VImage ToEncodable(const vips::VImage& in, bool strip) {
  vips::VImage image = DropMismatchedProfile(in);
  const VipsInterpretation source = SourceInterpretation(image);
  const auto profile = IccProfileOf(image);
  const bool foreign_profile = !profile.empty() &&
                               IccProfileColourSpace(profile) == IccColourSpace::kRgb &&
                               !IsSrgbProfile(profile);
  if (IsGreyInterpretation(source) && ColourBands(image) == 1) {
    if (source != VIPS_INTERPRETATION_B_W) {
      image = image.colourspace(VIPS_INTERPRETATION_B_W,
                                vips::VImage::option()->set("source_space", source));
    }
    return ToUchar(image);
  }
  if (source == VIPS_INTERPRETATION_sRGB && image.format() == VIPS_FORMAT_UCHAR &&
      !(strip && foreign_profile)) {
    return image;
  }
  return ToSrgb(image);
}

}  // namespace pixfleet
