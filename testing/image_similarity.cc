// SSIM as Wang et al. define it, computed with libvips' Gaussian blur in float.
#include "testing/image_similarity.h"

namespace pixfleet {
namespace {

vips::VImage Luma(const vips::VImage& image) {
  const vips::VImage flat = image.has_alpha() ? image.flatten() : image;
  return flat.colourspace(VIPS_INTERPRETATION_B_W).extract_band(0).cast(VIPS_FORMAT_FLOAT);
}

}  // namespace

double LumaSsim(const vips::VImage& reference, const vips::VImage& candidate) {
  constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
  constexpr double kC2 = (0.03 * 255) * (0.03 * 255);
  const vips::VImage a = Luma(reference);
  const vips::VImage b = Luma(candidate);
  auto blur = [](const vips::VImage& image) {
    return image.gaussblur(1.5, vips::VImage::option()->set("precision", VIPS_PRECISION_FLOAT));
  };
  const vips::VImage mu_a = blur(a);
  const vips::VImage mu_b = blur(b);
  const vips::VImage var_a = blur(a * a) - mu_a * mu_a;
  const vips::VImage var_b = blur(b * b) - mu_b * mu_b;
  const vips::VImage cov = blur(a * b) - mu_a * mu_b;
  const vips::VImage map = ((mu_a * mu_b * 2 + kC1) * (cov * 2 + kC2)) /
                           ((mu_a * mu_a + mu_b * mu_b + kC1) * (var_a + var_b + kC2));
  return map.avg();
}

vips::VImage FullQualityReference(const vips::VImage& original, int width, int height) {
  const vips::VImage full = original.autorot().colourspace(VIPS_INTERPRETATION_sRGB);
  return full.resize(static_cast<double>(width) / full.width(),
                     vips::VImage::option()
                         ->set("vscale", static_cast<double>(height) / full.height())
                         ->set("kernel", VIPS_KERNEL_LANCZOS3));
}

}  // namespace pixfleet
