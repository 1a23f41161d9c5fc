// The output is a memory image that vips_image_pipelinev gave the input's header and metadata,
// as vips_image_write() does for copy_memory(); input strips are read through a region owned by
// this thread.
#include "imaging/compute_here.h"

#include <algorithm>
#include <cstring>

#include "imaging/lanczos3.h"
#include "imaging/operations.h"

namespace pixfleet {
namespace {

// Rows per region request: small enough that a deadline is noticed quickly and a strip stays in
// the cache, large enough that the per-request overhead does not show.
constexpr int kStripRows = 16;

constexpr int kMaxReduceFactor = 8;

// A memory image of `size` with the bands, format and metadata of `like`, pixels allocated.
vips::VImage NewMemoryImageLike(const vips::VImage& like, Size size) {
  vips::VImage out(vips_image_new_memory());  // steals the new reference
  VipsImage* raw = out.get_image();
  if (vips_image_pipelinev(raw, VIPS_DEMAND_STYLE_THINSTRIP, like.get_image(), nullptr) != 0) {
    throw vips::VError();
  }
  // pipelinev also passed on the input's progress reporting (Deadline::Watch), which would
  // point at an image this one outlives; nothing computes this image through a thread pool.
  raw->progress_signal = nullptr;
  raw->Xsize = size.width;
  raw->Ysize = size.height;
  if (vips_image_write_prepare(raw) != 0) throw vips::VError();
  return out;
}

size_t LineBytes(const vips::VImage& image, int width) {
  return vips_format_sizeof(image.format()) * static_cast<size_t>(image.bands()) *
         static_cast<size_t>(width);
}

VipsPel* Pixels(const vips::VImage& memory_image) {
  return static_cast<VipsPel*>(memory_image.get_image()->data);
}

void CheckDeadline(const Deadline& deadline) {
  if (deadline.Expired()) {
    throw vips::VError("computation stopped: " + deadline.ExceededStatus().message());
  }
}

}  // namespace

vips::VImage ComputeHere(const vips::VImage& lazy, const Deadline& deadline) {
  vips::VImage out = NewMemoryImageLike(lazy, {lazy.width(), lazy.height()});
  VipsPel* pixels = Pixels(out);
  const size_t line_bytes = LineBytes(lazy, lazy.width());
  const vips::VRegion region = lazy.region();
  for (int top = 0; top < lazy.height(); top += kStripRows) {
    CheckDeadline(deadline);
    const int rows = std::min(kStripRows, lazy.height() - top);
    region.prepare(0, top, lazy.width(), rows);
    for (int y = top; y < top + rows; ++y) {
      std::memcpy(pixels + static_cast<size_t>(y) * line_bytes, region.addr(0, y), line_bytes);
    }
  }
  return out;
}

bool CanReduceHere(const vips::VImage& image, Size target) {
  const auto within = [](int in, int out) {
    return out >= 1 && out <= in && in <= out * kMaxReduceFactor;
  };
  return image.format() == VIPS_FORMAT_UCHAR && image.get_image()->Coding == VIPS_CODING_NONE &&
         image.bands() >= 1 && image.bands() <= 4 && !image.has_alpha() &&
         within(image.width(), target.width) && within(image.height(), target.height);
}

vips::VImage ReduceHere(const vips::VImage& lazy, Size target, const Deadline& deadline) {
  vips::VImage out = NewMemoryImageLike(lazy, target);
  VipsPel* pixels = Pixels(out);
  const size_t line_bytes = LineBytes(lazy, target.width);
  Lanczos3Reducer reducer({lazy.width(), lazy.height()}, target, lazy.bands());
  const vips::VRegion region = lazy.region();
  int next_input = 0;
  for (int y = 0; y < target.height; ++y) {
    // Strips start below EndInputRow(y), so they end within Lanczos3Reducer::kLookahead of it.
    static_assert(kStripRows <= Lanczos3Reducer::kLookahead);
    while (next_input < reducer.EndInputRow(y)) {
      CheckDeadline(deadline);
      const int rows = std::min(kStripRows, lazy.height() - next_input);
      region.prepare(0, next_input, lazy.width(), rows);
      for (int row = next_input; row < next_input + rows; ++row) {
        reducer.AddInputRow(row, region.addr(0, row));
      }
      next_input += rows;
    }
    reducer.OutputRow(y, pixels + static_cast<size_t>(y) * line_bytes);
  }
  return out;
}

vips::VImage ResizeHere(const vips::VImage& image, Size target, const Deadline& deadline) {
  if (image.width() == target.width && image.height() == target.height) {
    return ComputeHere(image, deadline);
  }
  if (CanReduceHere(image, target)) return ReduceHere(image, target, deadline);
  return ComputeHere(ResizeExact(image, target), deadline);
}

}  // namespace pixfleet
