// The output is a memory image that vips_image_pipelinev gave the input's header and metadata,
// as vips_image_write() does for copy_memory(); input strips are read through a region owned by
// this thread.
#include "imaging/compute_here.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "imaging/lanczos3.h"
#include "imaging/operations.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

// Rows per region request: small enough that a deadline is noticed quickly and a strip stays in
// the cache, large enough that the per-request overhead does not show.
constexpr int kStripRows = 16;

constexpr int kMaxReduceFactor = 8;

size_t LineBytes(const vips::VImage& image, int width) {
  return vips_format_sizeof(image.format()) * static_cast<size_t>(image.bands()) *
         static_cast<size_t>(width);
}

void FreePixels(VipsImage* /*image*/, void* pixels) { g_free(pixels); }

// A memory image of `size` with the bands, format and metadata of `like`, its pixels allocated
// and not yet written. Not vips_image_new_memory(): libvips zeroes the memory it allocates for
// pixels, a pass over the whole image for nothing, as every caller writes every pixel.
vips::VImage NewMemoryImageLike(const vips::VImage& like, Size size) {
  void* pixels = g_try_malloc(LineBytes(like, size.width) * static_cast<size_t>(size.height));
  if (pixels == nullptr) {
    throw vips::VError("out of memory for " + std::to_string(size.width) + "x" +
                       std::to_string(size.height) + " pixels");
  }
  vips::VImage out;
  try {
    out = MemoryImageOver(pixels, like, size.width, size.height);
  } catch (...) {
    g_free(pixels);
    throw;
  }
  g_signal_connect(out.get_image(), "postclose", G_CALLBACK(FreePixels), pixels);
  return out;
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

RowsHere::RowsHere(const vips::VImage& lazy, const Deadline& deadline)
    : lazy_(lazy), deadline_(deadline), region_(lazy.region()) {}

const VipsPel* RowsHere::Row(int y) {
  if (y >= end_) {
    CheckDeadline(deadline_);
    const int rows = std::min(kStripRows, lazy_.height() - y);
    region_.prepare(0, y, lazy_.width(), rows);
    end_ = y + rows;
  }
  return region_.addr(0, y);
}

vips::VImage ComputeHere(const vips::VImage& lazy, const Deadline& deadline) {
  vips::VImage out = NewMemoryImageLike(lazy, {lazy.width(), lazy.height()});
  VipsPel* pixels = Pixels(out);
  const size_t line_bytes = LineBytes(lazy, lazy.width());
  RowsHere rows(lazy, deadline);
  for (int y = 0; y < lazy.height(); ++y) {
    std::memcpy(pixels + static_cast<size_t>(y) * line_bytes, rows.Row(y), line_bytes);
  }
  return out;
}

bool OwnCodeReads(const vips::VImage& image) {
  if (image.format() != VIPS_FORMAT_UCHAR || image.get_image()->Coding != VIPS_CODING_NONE) {
    return false;
  }
  switch (image.bands()) {
    case 1:
      return image.interpretation() == VIPS_INTERPRETATION_B_W;
    case 2:
      return image.interpretation() == VIPS_INTERPRETATION_B_W && image.has_alpha();
    case 3:
      return image.interpretation() == VIPS_INTERPRETATION_sRGB;
    case 4:
      return image.interpretation() == VIPS_INTERPRETATION_sRGB && image.has_alpha();
    default:
      return false;
  }
}

PixelRows PixelsOf(const vips::VImage& memory) {
  return {static_cast<const uint8_t*>(memory.get_image()->data),
          static_cast<size_t>(memory.width()) * static_cast<size_t>(memory.bands()), memory.width(),
          memory.height(), memory.bands()};
}

vips::VImage InMemory(const vips::VImage& image, const Deadline& deadline) {
  if (IsMemoryImage(image) && image.format() == VIPS_FORMAT_UCHAR) return image;
  return ComputeHere(image, deadline);
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
  RowsHere rows(lazy, deadline);
  return ReduceRowsHere(
      lazy, target, [&rows](int y) { return rows.Row(y); }, deadline);
}

vips::VImage ReduceRowsHere(const vips::VImage& like, Size target, const InputRow& input_row,
                            const Deadline& deadline) {
  const auto row = [&](int y) {
    if (y % kStripRows == 0) CheckDeadline(deadline);
    return input_row(y);
  };
  vips::VImage out = NewMemoryImageLike(like, target);
  VipsPel* pixels = Pixels(out);
  const size_t line_bytes = LineBytes(like, target.width);
  if (like.width() == target.width && like.height() == target.height) {
    for (int y = 0; y < target.height; ++y) {
      std::memcpy(pixels + static_cast<size_t>(y) * line_bytes, row(y), line_bytes);
    }
    return out;
  }
  Lanczos3Reducer reducer({like.width(), like.height()}, target, like.bands());
  int next_input = 0;
  for (int y = 0; y < target.height; ++y) {
    for (; next_input < reducer.EndInputRow(y); ++next_input) {
      reducer.AddInputRow(next_input, row(next_input));
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
