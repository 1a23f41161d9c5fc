// ResizeSources: a handful of images per call, so a linear scan is all it needs.
#include "imaging/resize_sources.h"

#include <algorithm>
#include <utility>

namespace pixfleet {
namespace {

int64_t Pixels(const vips::VImage& image) {
  return int64_t{image.width()} * int64_t{image.height()};
}

// The smallest of `images` for which `good` holds, else the first (the decoded image).
template <typename Good>
const vips::VImage& SmallestWhere(const std::vector<vips::VImage>& images, Good good) {
  const vips::VImage* best = &images.front();
  for (const vips::VImage& image : images) {
    if (good(image) && (!good(*best) || Pixels(image) < Pixels(*best))) best = &image;
  }
  return *best;
}

}  // namespace

ResizeSources::ResizeSources(vips::VImage decoded) { images_.push_back(std::move(decoded)); }

const vips::VImage& ResizeSources::Covering(Size size) const {
  return SmallestWhere(images_, [&](const vips::VImage& image) {
    return image.width() >= size.width && image.height() >= size.height;
  });
}

const vips::VImage& ResizeSources::WithLongSideAtLeast(int long_side) const {
  return SmallestWhere(images_, [&](const vips::VImage& image) {
    return std::max(image.width(), image.height()) >= long_side;
  });
}

void ResizeSources::Add(vips::VImage image) { images_.push_back(std::move(image)); }

ResizeSources& ResizeSources::StartSrgb(vips::VImage converted) {
  srgb_ = std::make_unique<ResizeSources>(std::move(converted));
  return *srgb_;
}

}  // namespace pixfleet
