// Colour conversions. libvips' icc_transform keeps alpha and writes 8-bit by default; its
// colourspace() knows the routes between B_W, GREY16, RGB16, sRGB, scRGB, Lab, XYZ, CMYK, etc.
#include "imaging/colour.h"

#include <optional>
#include <span>

#include "imaging/compute_here.h"
#include "imaging/icc.h"
#include "imaging/matrix_shaper.h"
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

// An embedded RGB profile that is not sRGB's: converting through it changes the pixels.
bool IsForeignRgbProfile(std::span<const uint8_t> profile) {
  return !profile.empty() && IccProfileColourSpace(profile) == IccColourSpace::kRgb &&
         !IsSrgbProfile(profile);
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

bool ToSrgbTransformsProfile(const vips::VImage& in) {
  const vips::VImage image = DropMismatchedProfile(in);
  if (SourceInterpretation(image) == VIPS_INTERPRETATION_CMYK && ColourBands(image) == 4) {
    return true;
  }
  return IsForeignRgbProfile(IccProfileOf(image));
}

vips::VImage ToSrgbInMemory(const vips::VImage& in, const Deadline& deadline) {
  const bool rgb = in.format() == VIPS_FORMAT_UCHAR && in.bands() == 3 &&
                   in.get_image()->Coding == VIPS_CODING_NONE &&
                   in.interpretation() == VIPS_INTERPRETATION_sRGB;
  std::optional<MatrixShaperToSrgb> transform;
  if (rgb && ToSrgbTransformsProfile(in)) {
    transform = MatrixShaperToSrgb::FromProfile(IccProfileOf(in));
  }
  if (!transform) return InMemory(ToSrgb(in), deadline);

  vips::VImage out = ComputeHere(in, deadline);  // a new memory image, converted in place
  auto* pixels = static_cast<uint8_t*>(out.get_image()->data);
  transform->Convert(pixels, pixels,
                     static_cast<size_t>(out.width()) * static_cast<size_t>(out.height()));
  VipsBlob* srgb = nullptr;
  if (vips_profile_load("srgb", &srgb, nullptr) != 0) throw vips::VError();
  size_t length = 0;
  const void* profile = vips_blob_get(srgb, &length);
  vips_image_set_blob_copy(out.get_image(), VIPS_META_ICC_NAME, profile, length);
  vips_area_unref(reinterpret_cast<VipsArea*>(srgb));
  return out;
}

vips::VImage ToSrgb(const vips::VImage& in) {
  vips::VImage image = DropMismatchedProfile(in);
  const VipsInterpretation source = SourceInterpretation(image);
  if (source == VIPS_INTERPRETATION_CMYK && ColourBands(image) == 4) {
    image = ViaProfile(image, "cmyk");
  } else if (IsForeignRgbProfile(IccProfileOf(image))) {
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
  const bool foreign_profile = IsForeignRgbProfile(IccProfileOf(image));
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
