// Geometric operations. vips_resize() rounds its output size from in * scale, so scales are
// computed as target / in, which lands exactly on the target for any in.
#include "imaging/operations.h"

#include <algorithm>

#include "imaging/attention.h"
#include "imaging/compute_here.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

double Scale(int to, int from) { return static_cast<double>(to) / static_cast<double>(from); }

VipsInteresting Interesting(Gravity gravity) {
  switch (gravity) {
    case Gravity::kAttention:
      return VIPS_INTERESTING_ATTENTION;
    case Gravity::kEntropy:
      return VIPS_INTERESTING_ENTROPY;
    case Gravity::kCentre:
      return VIPS_INTERESTING_CENTRE;
  }
  return VIPS_INTERESTING_CENTRE;
}

vips::VImage AttentionCrop(const vips::VImage& in, Size crop, const Deadline& deadline) {
  const vips::VImage computed = InMemory(in, deadline);
  const CropOrigin origin = AttentionCropOrigin(PixelsOf(computed), crop);
  return computed.extract_area(origin.x, origin.y, crop.width, crop.height);
}

}  // namespace

vips::VImage Upright(const vips::VImage& in, int orientation) {
  vips::VImage image = NewHeader(in);
  if (orientation >= 2 && orientation <= 8) {
    // autorot() reads the tag; set it from the header value we planned with.
    image.set(VIPS_META_ORIENTATION, orientation);
    image = image.autorot().copy();
  }
  if (image.get_typeof(VIPS_META_ORIENTATION) != 0) image.remove(VIPS_META_ORIENTATION);
  return image;
}

vips::VImage ResizeExact(const vips::VImage& in, Size target) {
  if (in.width() == target.width && in.height() == target.height) return in;
  const bool alpha = in.has_alpha();
  const VipsBandFormat format = in.format();
  vips::VImage image = alpha ? in.premultiply() : in;
  image = image.resize(Scale(target.width, in.width()),
                       vips::VImage::option()
                           ->set("vscale", Scale(target.height, in.height()))
                           ->set("kernel", VIPS_KERNEL_LANCZOS3));
  // rint() first: cast() truncates, which would darken every pixel by half a level on average.
  if (alpha) image = image.unpremultiply().rint().cast(format);
  return image;
}

vips::VImage CropTo(const vips::VImage& in, Size target, Gravity gravity,
                    const Deadline& deadline) {
  const int width = std::clamp(target.width, 1, in.width());
  const int height = std::clamp(target.height, 1, in.height());
  if (width == in.width() && height == in.height()) return in;
  if (gravity == Gravity::kCentre) {
    return in.extract_area((in.width() - width) / 2, (in.height() - height) / 2, width, height);
  }
  if (gravity == Gravity::kAttention && OwnCodeReads(in)) {
    return AttentionCrop(in, {width, height}, deadline);
  }
  return in.smartcrop(width, height,
                      vips::VImage::option()->set("interesting", Interesting(gravity)));
}

}  // namespace pixfleet
