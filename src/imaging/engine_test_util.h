// Helpers shared by the engine tests: recipes built in code (std3 as in recipes/std3.yaml),
// generated inputs cached per spec, and a look at an encoded output through libvips.
#pragma once

#include <bit>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <vips/vips8>

#include "imaging/engine.h"
#include "model/recipe.h"
#include "testing/test_images.h"

namespace pixfleet::testing_imaging {

inline void InitEngineForTests() {
  const Status status = InitImageEngine(EngineOptions{});
  ASSERT_TRUE(status.ok()) << status.ToString();
}

inline ResizeOp Resize(int width, int height, ResizeFit fit = ResizeFit::kInside,
                       Gravity gravity = Gravity::kCentre) {
  ResizeOp op;
  op.width = width;
  op.height = height;
  op.fit = fit;
  op.gravity = gravity;
  return op;
}

inline OutputSpec Output(std::string name, std::vector<Operation> operations, ImageFormat format,
                         int quality = 80, bool strip = true) {
  OutputSpec spec;
  spec.name = std::move(name);
  spec.operations = std::move(operations);
  spec.encode.format = format;
  spec.encode.quality = quality;
  spec.encode.strip = strip;
  return spec;
}

inline std::vector<Analysis> AllAnalyses() {
  return {Analysis::kWidth,       Analysis::kHeight,     Analysis::kFormat,
          Analysis::kOrientation, Analysis::kMeanColour, Analysis::kDhash};
}

// The benchmark recipe of design.md.
inline Recipe Std3() {
  Recipe recipe;
  recipe.name = "std3";
  recipe.outputs = {
      Output("large", {AutoRotateOp{}, ToSrgbOp{}, Resize(1600, 1600)}, ImageFormat::kJpeg, 82),
      Output("small", {AutoRotateOp{}, Resize(512, 512)}, ImageFormat::kWebp, 80),
      Output("square", {AutoRotateOp{}, Resize(256, 256, ResizeFit::kCover, Gravity::kAttention)},
             ImageFormat::kJpeg, 80),
  };
  recipe.analyses = AllAnalyses();
  return recipe;
}

// Generated once per distinct spec for the whole test binary.
inline const std::string& CachedImage(const TestImageSpec& spec) {
  static std::map<std::string, std::string> cache;
  const std::string key = std::to_string(spec.width) + "x" + std::to_string(spec.height) + "/" +
                          std::to_string(static_cast<int>(spec.format)) + "/" +
                          std::to_string(static_cast<int>(spec.pixels)) + "/" +
                          std::to_string(spec.orientation) + "/" + std::to_string(spec.seed) + "/" +
                          std::to_string(static_cast<int>(spec.pattern)) + "/" +
                          std::to_string(spec.colour[0]) + "," + std::to_string(spec.colour[1]) +
                          "," + std::to_string(spec.colour[2]) + "/" + std::to_string(spec.quality);
  auto found = cache.find(key);
  if (found == cache.end()) {
    Result<std::string> bytes = MakeTestImage(spec);
    EXPECT_TRUE(bytes.ok()) << bytes.error().ToString();
    found = cache.emplace(key, bytes.ok() ? *bytes : std::string()).first;
  }
  return found->second;
}

// ProcessImage of `input` that the test expects to succeed: its result, or an empty one after
// recording the failure.
inline EngineResult ProcessExpectingSuccess(const std::string& input, const Recipe& recipe,
                                            const EngineLimits& limits = EngineLimits{}) {
  Result<EngineResult> result = ProcessImage(input, "test/input", recipe, limits);
  EXPECT_TRUE(result.ok()) << result.error().ToString();
  return result.ok() ? *std::move(result) : EngineResult{};
}

// ProcessImage of `input` named `name` that the test expects to fail: its error, or OK after
// recording that it succeeded.
inline Status ProcessExpectingFailure(const std::string& input, const std::string& name,
                                      const Recipe& recipe, const EngineLimits& limits) {
  Result<EngineResult> result = ProcessImage(input, name, recipe, limits);
  EXPECT_FALSE(result.ok()) << name << " unexpectedly succeeded";
  return result.ok() ? Status::Ok() : result.error();
}

inline TestImageSpec Spec(int width, int height, TestFormat format,
                          TestPixels pixels = TestPixels::kRgb, int orientation = 1,
                          uint32_t seed = 1) {
  TestImageSpec spec;
  spec.width = width;
  spec.height = height;
  spec.format = format;
  spec.pixels = pixels;
  spec.orientation = orientation;
  spec.seed = seed;
  return spec;
}

// What libvips sees when it opens an encoded image.
struct Inspected {
  int width = 0;
  int height = 0;
  int bands = 0;
  VipsBandFormat format = VIPS_FORMAT_NOTSET;
  VipsInterpretation interpretation = VIPS_INTERPRETATION_ERROR;
  std::string loader;   // "jpegload_buffer"
  int orientation = 0;  // 0 when the file has no orientation tag
  bool has_icc = false;
};

inline Inspected Inspect(const std::string& bytes) {
  Inspected out;
  try {
    const vips::VImage image = vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "");
    out.width = image.width();
    out.height = image.height();
    out.bands = image.bands();
    out.format = image.format();
    out.interpretation = image.interpretation();
    if (image.get_typeof("vips-loader") != 0) out.loader = image.get_string("vips-loader");
    if (image.get_typeof(VIPS_META_ORIENTATION) != 0) {
      out.orientation = image.get_int(VIPS_META_ORIENTATION);
    }
    out.has_icc = image.get_typeof(VIPS_META_ICC_NAME) != 0;
  } catch (const vips::VError& error) {
    ADD_FAILURE() << "output does not decode: " << error.what();
    vips_error_clear();
  }
  return out;
}

inline const EncodedOutput* FindOutput(const EngineResult& result, const std::string& name) {
  for (const EncodedOutput& output : result.outputs) {
    if (output.name == name) return &output;
  }
  return nullptr;
}

inline int HammingDistance(uint64_t a, uint64_t b) { return std::popcount(a ^ b); }

}  // namespace pixfleet::testing_imaging
