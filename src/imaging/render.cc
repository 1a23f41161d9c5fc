// Output rendering. The decoded image may be smaller than the stored one (shrink-on-load), so
// each step knows two sizes: the planned one (as if run at full resolution) and the actual one.
// A ResizeOp always lands on its planned size; a CropOp before any resize is scaled to the
// actual pixels (the plan guarantees outputs without a resize get a full-size decode).
#include "imaging/render.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <variant>

#include "imaging/colour.h"
#include "imaging/encode.h"
#include "imaging/operations.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

// `planned` expressed in the pixels of an image that is `actual` where the plan said `logical`.
Size ToActual(Size planned, Size logical, Size actual) {
  if (logical == actual) return planned;
  auto scale = [](int value, int to, int from) {
    const double scaled = static_cast<double>(value) * to / from;
    return std::clamp(static_cast<int>(std::lround(scaled)), 1, to);
  };
  return {scale(planned.width, actual.width, logical.width),
          scale(planned.height, actual.height, logical.height)};
}

Size SizeOf(const vips::VImage& image) { return {image.width(), image.height()}; }

vips::VImage ApplyOperations(const vips::VImage& decoded, const DecodePlan& plan,
                             const OutputPlan& output, const OutputSpec& spec) {
  vips::VImage image = decoded;
  Size logical = plan.stored;
  int orientation = plan.orientation;
  for (size_t i = 0; i < spec.operations.size(); ++i) {
    const PlannedStep& step = output.steps[i];
    std::visit(
        [&](const auto& op) {
          using Op = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<Op, AutoRotateOp>) {
            image = Upright(image, orientation);
            orientation = 1;
          } else if constexpr (std::is_same_v<Op, ToSrgbOp>) {
            image = ToSrgb(image);
          } else if constexpr (std::is_same_v<Op, ResizeOp>) {
            image = ResizeExact(image, step.resize.scaled);
            image = CropTo(image, step.resize.cropped, op.gravity);
          } else if constexpr (std::is_same_v<Op, CropOp>) {
            image = CropTo(image, ToActual(step.after, logical, SizeOf(image)), op.gravity);
          }
        },
        spec.operations[i]);
    logical = step.after;
  }
  return image;
}

}  // namespace

Result<EncodedOutput> RenderOutput(const vips::VImage& decoded, const DecodePlan& plan,
                                   const OutputPlan& output, const OutputSpec& spec,
                                   const Deadline& deadline) {
  EncodedOutput encoded;
  encoded.name = spec.name;
  encoded.format = FormatName(spec.encode.format);
  encoded.extension = FormatExtension(spec.encode.format);
  encoded.content_type = FormatMimeType(spec.encode.format);
  try {
    vips::VImage image =
        PrepareForEncoding(ApplyOperations(decoded, plan, output, spec), spec.encode);
    deadline.Watch(image);
    encoded.bytes = Encode(image, spec.encode);
    encoded.width = image.width();
    encoded.height = image.height();
  } catch (const vips::VError& error) {
    std::string message = TakeVipsError(error);
    if (deadline.Expired()) return deadline.ExceededStatus();
    return Internal("output '" + spec.name + "' (" + encoded.format + "): " + message);
  }
  PIXFLEET_RETURN_IF_ERROR(deadline.Check());
  return encoded;
}

}  // namespace pixfleet
