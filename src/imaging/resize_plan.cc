// Resize planning arithmetic. Sizes are computed with 64-bit integer cross-multiplication so that
// the bounding axis lands exactly on the box (4000x3000 inside 1600 is 1600x1200, never 1599).
#include "imaging/resize_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

namespace pixfleet {
namespace {

// round(value * num / den) for positive integers, at least 1.
int ScaleRounded(int value, int num, int den) {
  const int64_t scaled = (2 * int64_t{value} * num + den) / (2 * int64_t{den});
  return static_cast<int>(std::max<int64_t>(1, scaled));
}

// True when the box's width is the binding constraint for a uniform fit-inside of `in`
// (box.width / in.width <= box.height / in.height).
bool WidthBindsInside(Size in, int box_width, int box_height) {
  return int64_t{box_width} * in.height <= int64_t{box_height} * in.width;
}

// Scales `in` uniformly so that the chosen axis becomes exactly `target` on that axis.
Size ScaleToWidth(Size in, int width) { return {width, ScaleRounded(in.height, width, in.width)}; }
Size ScaleToHeight(Size in, int height) {
  return {ScaleRounded(in.width, height, in.height), height};
}

double AxisScale(int to, int from) { return static_cast<double>(to) / static_cast<double>(from); }

// ceil() that forgives floating-point dust: 1600.0000000002 is 1600.
int CeilTolerant(double value) { return static_cast<int>(std::ceil(value - 1e-6)); }

Status CheckPositive(const std::string& what, int width, int height) {
  if (width <= 0 || height <= 0) {
    return InvalidArgument(what + " size must be positive, got " + std::to_string(width) + "x" +
                           std::to_string(height));
  }
  return Status::Ok();
}

bool WantsPixelAnalysis(const Recipe& recipe) {
  return std::any_of(recipe.analyses.begin(), recipe.analyses.end(), [](Analysis a) {
    return a == Analysis::kMeanColour || a == Analysis::kDhash;
  });
}

}  // namespace

bool OrientationSwapsAxes(int orientation) { return orientation >= 5 && orientation <= 8; }

Size UprightSize(Size stored, int orientation) {
  if (OrientationSwapsAxes(orientation)) return {stored.height, stored.width};
  return stored;
}

ResizeGeometry PlanResize(Size in, const ResizeOp& op) {
  const int box_w = std::max(1, op.width);
  const int box_h = std::max(1, op.height);
  ResizeGeometry geometry{in, in};
  switch (op.fit) {
    case ResizeFit::kInside: {
      const bool width_binds = WidthBindsInside(in, box_w, box_h);
      const bool would_enlarge = width_binds ? box_w > in.width : box_h > in.height;
      if (would_enlarge && !op.enlarge) break;
      geometry.scaled = width_binds ? ScaleToWidth(in, box_w) : ScaleToHeight(in, box_h);
      geometry.cropped = geometry.scaled;
      break;
    }
    case ResizeFit::kCover: {
      // Cover is bound by the axis that needs the larger scale: the opposite of fit-inside.
      const bool width_binds = int64_t{box_w} * in.height >= int64_t{box_h} * in.width;
      const bool would_enlarge = width_binds ? box_w > in.width : box_h > in.height;
      if (!(would_enlarge && !op.enlarge)) {
        geometry.scaled = width_binds ? ScaleToWidth(in, box_w) : ScaleToHeight(in, box_h);
      }
      geometry.cropped = {std::min(box_w, geometry.scaled.width),
                          std::min(box_h, geometry.scaled.height)};
      break;
    }
    case ResizeFit::kFill: {
      geometry.scaled = op.enlarge ? Size{box_w, box_h}
                                   : Size{std::min(box_w, in.width), std::min(box_h, in.height)};
      geometry.cropped = geometry.scaled;
      break;
    }
  }
  return geometry;
}

Size PlanCrop(Size in, const CropOp& op) {
  return {std::clamp(op.width, 1, in.width), std::clamp(op.height, 1, in.height)};
}

Result<DecodePlan> PlanDecode(Size stored, int orientation, const Recipe& recipe) {
  PIXFLEET_RETURN_IF_ERROR(CheckPositive("image", stored.width, stored.height));
  DecodePlan plan;
  plan.stored = stored;
  plan.orientation = (orientation >= 1 && orientation <= 8) ? orientation : 1;

  double needed = 0;
  Size exact_need{1, 1};  // the largest size any output or analysis needs, per stored axis
  const auto need = [&exact_need](Size size) {
    exact_need = {std::max(exact_need.width, size.width), std::max(exact_need.height, size.height)};
  };
  const auto scaled_stored = [&stored](double scale) {
    return Size{CeilTolerant(stored.width * scale), CeilTolerant(stored.height * scale)};
  };
  for (const OutputSpec& output : recipe.outputs) {
    OutputPlan out;
    Size current = stored;
    int current_orientation = plan.orientation;
    bool resized = false;
    bool whole_image = true;  // no crop yet: the first resize sees every stored pixel
    bool axes_swapped = false;
    for (const Operation& operation : output.operations) {
      PlannedStep step;
      Status status = std::visit(
          [&](const auto& op) -> Status {
            using Op = std::decay_t<decltype(op)>;
            if constexpr (std::is_same_v<Op, AutoRotateOp>) {
              current = UprightSize(current, current_orientation);
              axes_swapped = axes_swapped != OrientationSwapsAxes(current_orientation);
              current_orientation = 1;
            } else if constexpr (std::is_same_v<Op, ResizeOp>) {
              PIXFLEET_RETURN_IF_ERROR(
                  CheckPositive("output '" + output.name + "': resize", op.width, op.height));
              step.resize = PlanResize(current, op);
              if (!resized) {
                out.required_scale = std::max(AxisScale(step.resize.scaled.width, current.width),
                                              AxisScale(step.resize.scaled.height, current.height));
                const Size target = step.resize.scaled;
                if (!whole_image) {
                  need(scaled_stored(out.required_scale));
                } else if (axes_swapped) {
                  need({target.height, target.width});
                } else {
                  need(target);
                }
                resized = true;
              }
              current = step.resize.cropped;
            } else if constexpr (std::is_same_v<Op, CropOp>) {
              PIXFLEET_RETURN_IF_ERROR(
                  CheckPositive("output '" + output.name + "': crop", op.width, op.height));
              current = PlanCrop(current, op);
              whole_image = false;
            }
            return Status::Ok();
          },
          operation);
      PIXFLEET_RETURN_IF_ERROR(status);
      step.after = current;
      out.steps.push_back(step);
    }
    if (!resized) need(stored);
    out.final_size = current;
    needed = std::max(needed, out.required_scale);
    plan.outputs.push_back(std::move(out));
  }
  if (WantsPixelAnalysis(recipe)) {
    const int longer = std::max(stored.width, stored.height);
    needed = std::max(needed, AxisScale(kMinAnalysisDecodeSide, longer));
    need(scaled_stored(AxisScale(kMinAnalysisDecodeSide, longer)));
  }
  if (needed <= 0) needed = 1;  // nothing to serve: decode at full size rather than guess
  plan.scale = std::min(1.0, needed);
  // The box is the uniform scale's, except where that lands one pixel past every need: the
  // largest output's other axis, rounded, sets the scale (5640x3172 inside 1600 is 1600x900, a
  // scale of 900/3172, which makes 1600.25 px across), and a box of 1601 would make that output
  // resample the whole image again by a fraction of a pixel.
  const auto box_side = [](int uniform, int exact, int side) {
    return std::clamp(uniform - exact <= 1 ? exact : uniform, 1, side);
  };
  const Size uniform = scaled_stored(plan.scale);
  plan.decode_box = {box_side(uniform.width, exact_need.width, stored.width),
                     box_side(uniform.height, exact_need.height, stored.height)};
  return plan;
}

int JpegShrinkOnLoad(Size stored, Size box) {
  auto covers = [&](int shrink) {
    return stored.width / shrink >= box.width && stored.height / shrink >= box.height;
  };
  for (int shrink = 8; shrink > 1; shrink /= 2) {
    if (covers(shrink)) return shrink;
  }
  return 1;
}

}  // namespace pixfleet
