// ProcessImage and ProcessImageFile: the order of work for one image, whichever way it is read.
// Cheap refusals first (size, format, header, pixel limit; a recipe that wants nothing but the
// file's checksum stops after the size), then one decode sized by the plan, then each output and
// the analyses from that decoded image or from the smaller copies earlier outputs made of it.
// libvips exceptions are converted to Status values at this edge.
#include "imaging/engine.h"

#include <exception>
#include <utility>

#include "imaging/deadline.h"
#include "imaging/decode.h"
#include "imaging/encoded_input.h"
#include "imaging/loader.h"
#include "imaging/measure.h"
#include "imaging/render.h"
#include "imaging/resize_plan.h"
#include "imaging/resize_sources.h"
#include "imaging/vips_init.h"
#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

Result<EngineResult> Process(const EncodedInput& input, const Recipe& recipe,
                             const EngineLimits& limits, std::stop_token cancel) {
  const Deadline deadline(limits.timeout, std::move(cancel));
  PIXFLEET_RETURN_IF_ERROR(CheckInputSize(input.size(), limits));
  EngineResult result;
  PIXFLEET_RETURN_IF_ERROR(MeasureBytes(input, recipe.analyses, &result.analysis));
  if (recipe.outputs.empty() && !NeedsHeader(recipe.analyses)) return result;

  PIXFLEET_ASSIGN_OR_RETURN(const ImageHeader header, ReadImageHeader(input));
  PIXFLEET_RETURN_IF_ERROR(CheckPixelLimit(header, limits));
  PIXFLEET_ASSIGN_OR_RETURN(const DecodePlan plan,
                            PlanDecode(header.stored, header.orientation, recipe));

  MeasureHeader(header, recipe.analyses, &result.analysis);
  if (recipe.outputs.empty() && !NeedsPixels(recipe.analyses)) return result;

  PIXFLEET_ASSIGN_OR_RETURN(vips::VImage decoded,
                            DecodeForPlan(input, header.format, plan, deadline));
  ResizeSources sources(std::move(decoded));
  for (size_t i = 0; i < recipe.outputs.size(); ++i) {
    PIXFLEET_ASSIGN_OR_RETURN(EncodedOutput output, RenderOutput(sources, plan, plan.outputs[i],
                                                                 recipe.outputs[i], deadline));
    result.outputs.push_back(std::move(output));
  }
  PIXFLEET_RETURN_IF_ERROR(
      MeasurePixels(sources, header, recipe.analyses, &result.analysis, deadline));
  PIXFLEET_RETURN_IF_ERROR(deadline.Check());
  return result;
}

// Process, with libvips exceptions turned into Status values and the input's name on errors.
// `open` makes the EncodedInput (a file may fail to open: that error is returned as it is).
template <typename Open>
Result<EngineResult> Guarded(Open open, std::string_view input_name, const Recipe& recipe,
                             const EngineLimits& limits, std::stop_token cancel) {
  Status failure;
  if (!ImageEngineStarted()) {
    failure = Internal("image engine not initialised: call InitImageEngine() first");
  } else {
    try {
      Result<EncodedInput> input = open();
      if (!input.ok()) return input.error();
      Result<EngineResult> result = Process(*input, recipe, limits, std::move(cancel));
      if (result.ok()) return result;
      failure = result.error();
    } catch (const vips::VError& error) {
      failure = Internal("libvips: " + TakeVipsError(error));
    } catch (const std::exception& error) {
      failure = Internal(error.what());
    }
  }
  return failure.WithContext(input_name);
}

}  // namespace

Result<EngineResult> ProcessImage(std::string_view input, std::string_view input_name,
                                  const Recipe& recipe, const EngineLimits& limits,
                                  std::stop_token cancel) {
  return Guarded([&]() -> Result<EncodedInput> { return EncodedInput::FromBytes(input); },
                 input_name, recipe, limits, std::move(cancel));
}

Result<EngineResult> ProcessImageFile(const std::string& path, std::string_view input_name,
                                      const Recipe& recipe, const EngineLimits& limits,
                                      std::stop_token cancel) {
  return Guarded([&] { return EncodedInput::FromFile(path); }, input_name, recipe, limits,
                 std::move(cancel));
}

}  // namespace pixfleet
