// OutputSpec with only what key templates read (name, key template, format): for the tests of
// key_template.h and output_key_check.h.
#pragma once

#include <string>
#include <utility>

#include "model/recipe.h"

namespace pixfleet {

inline OutputSpec OutputForKeys(std::string name, std::string key_template,
                                ImageFormat format = ImageFormat::kJpeg) {
  OutputSpec spec;
  spec.name = std::move(name);
  spec.key_template = std::move(key_template);
  spec.encode.format = format;
  return spec;
}

}  // namespace pixfleet
