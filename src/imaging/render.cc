// Output rendering. The decoded image may be smaller than the stored one (shrink-on-load), so
// each step knows two sizes: the planned one (as if run at full resolution) and the actual one.
// A ResizeOp always lands on its planned size; a CropOp before any resize is scaled to the
// actual pixels (the plan guarantees outputs without a resize get a full-size decode).
#include "imaging/render.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "imaging/colour.h"
#include "imaging/compute_here.h"
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

// The index of the output's first resize when every operation before it only turns the image
// upright or converts its colour, else nullopt. Such a resize can run first, on the smallest
// source that covers it, with those operations after it: they commute with a resize, and run
// on fewer pixels.
std::optional<size_t> ResizeThatCanRunFirst(const OutputSpec& spec) {
  for (size_t i = 0; i < spec.operations.size(); ++i) {
    const Operation& op = spec.operations[i];
    if (std::holds_alternative<ResizeOp>(op)) return i;
    if (!std::holds_alternative<AutoRotateOp>(op) && !std::holds_alternative<ToSrgbOp>(op)) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Operations 0..`resize` of `spec` (see ResizeThatCanRunFirst), the resize first: from the
// smallest of `sources` that covers it, kept there for later outputs; then the upright turn and
// colour conversion on the resized pixels; then the resize's crop.
vips::VImage ResizeFirst(ResizeSources& sources, const DecodePlan& plan, const OutputPlan& output,
                         const OutputSpec& spec, size_t resize, const Deadline& deadline) {
  const auto turns = [](const Operation& op) { return std::holds_alternative<AutoRotateOp>(op); };
  const auto converts = [](const Operation& op) { return std::holds_alternative<ToSrgbOp>(op); };
  const auto before = spec.operations.begin() + static_cast<ptrdiff_t>(resize);
  const bool upright_first = std::any_of(spec.operations.begin(), before, turns);
  const ResizeGeometry& geometry = output.steps[resize].resize;
  Size stored_target = geometry.scaled;  // in the orientation the resize saw
  if (upright_first && OrientationSwapsAxes(plan.orientation)) {
    stored_target = {geometry.scaled.height, geometry.scaled.width};
  }
  // A conversion through an ICC profile costs per pixel and per call: it runs once, on the
  // decoded image, for every output that converts before it resizes; the others convert their
  // own resized pixels (cheaply, or not at all), as the loop below does.
  ResizeSources* chain = &sources;
  if (std::any_of(spec.operations.begin(), before, converts) &&
      ToSrgbTransformsProfile(sources.Decoded())) {
    chain = sources.Srgb();
    if (chain == nullptr) {
      chain = &sources.StartSrgb(ToSrgbInMemory(sources.Decoded(), deadline));
    }
  }
  const vips::VImage& source = chain->Covering(stored_target);
  vips::VImage image = source;
  if (SizeOf(source) != stored_target) {
    image = ResizeHere(source, stored_target, deadline);
    chain->Add(image);
  }
  for (size_t i = 0; i < resize; ++i) {
    if (turns(spec.operations[i])) {
      image = Upright(image, plan.orientation);
    } else {
      image = ToSrgb(image);
    }
  }
  return CropTo(image, geometry.cropped, std::get<ResizeOp>(spec.operations[resize]).gravity,
                deadline);
}

vips::VImage ApplyOperations(ResizeSources& sources, const DecodePlan& plan,
                             const OutputPlan& output, const OutputSpec& spec,
                             const Deadline& deadline) {
  vips::VImage image = sources.Decoded();
  Size logical = plan.stored;
  int orientation = plan.orientation;
  size_t next = 0;
  if (const std::optional<size_t> resize = ResizeThatCanRunFirst(spec)) {
    image = ResizeFirst(sources, plan, output, spec, *resize, deadline);
    logical = output.steps[*resize].after;
    // Turned upright if an auto-rotate came before the resize; else a later one still turns it.
    const auto first = spec.operations.begin();
    if (std::any_of(first, first + static_cast<ptrdiff_t>(*resize),
                    [](const Operation& op) { return std::holds_alternative<AutoRotateOp>(op); })) {
      orientation = 1;
    }
    next = *resize + 1;
  }
  for (size_t i = next; i < spec.operations.size(); ++i) {
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
            image = CropTo(image, step.resize.cropped, op.gravity, deadline);
          } else if constexpr (std::is_same_v<Op, CropOp>) {
            image =
                CropTo(image, ToActual(step.after, logical, SizeOf(image)), op.gravity, deadline);
          }
        },
        spec.operations[i]);
    logical = step.after;
  }
  return image;
}

}  // namespace

Result<EncodedOutput> RenderOutput(ResizeSources& sources, const DecodePlan& plan,
                                   const OutputPlan& output, const OutputSpec& spec,
                                   const Deadline& deadline) {
  EncodedOutput encoded;
  encoded.name = spec.name;
  encoded.format = FormatName(spec.encode.format);
  encoded.extension = FormatExtension(spec.encode.format);
  encoded.content_type = FormatMimeType(spec.encode.format);
  try {
    vips::VImage image =
        PrepareForEncoding(ApplyOperations(sources, plan, output, spec, deadline), spec.encode);
    deadline.Watch(image);
    encoded.bytes = Encode(image, spec.encode, deadline);
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
