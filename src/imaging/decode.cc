// Decode through vips thumbnail_buffer: it picks the loader's shrink-on-load (JPEG DCT scaling,
// WebP/HEIF scaled decode) and finishes with a premultiplied Lanczos reduce.
#include "imaging/decode.h"

#include "imaging/colour.h"
#include "imaging/vips_util.h"

namespace pixfleet {

Result<vips::VImage> DecodeForPlan(std::string_view input, std::string_view format,
                                   const DecodePlan& plan, const Deadline& deadline) {
  const BorrowedBlob blob(input);  // outlives `thumbnail`, the only image reading it
  try {
    vips::VImage thumbnail = vips::VImage::thumbnail_buffer(
        blob.Get(), plan.decode_box.width,
        vips::VImage::option()
            ->set("height", plan.decode_box.height)
            ->set("size", VIPS_SIZE_DOWN)
            ->set("no_rotate", true)
            // libvips 8.14.1's thumbnail_buffer ignores its own fail_on argument (thumbnail from a
            // file honours it); the loader option string does reach the loader. "error" also
            // covers truncation.
            ->set("option_string", "fail_on=error"));
    deadline.Watch(thumbnail);
    // WithOwnedBlobs while `thumbnail` (and so the loader) is still alive: see vips_util.h.
    const vips::VImage decoded = WithOwnedBlobs(thumbnail.copy_memory());
    return DropMismatchedProfile(decoded);
  } catch (const vips::VError& error) {
    std::string message = TakeVipsError(error, format);
    if (deadline.Expired()) return deadline.ExceededStatus();
    return InvalidArgument("corrupt or truncated image: " + message);
  }
}

}  // namespace pixfleet
