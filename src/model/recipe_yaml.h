// Recipe YAML: turns a recipe document into a validated Recipe. Strict by design: unknown keys,
// wrong types and out-of-range values are errors, because a typo that passed silently would
// produce a whole batch of wrong images. Every message names the source, the 1-based line and
// the field path, e.g. "std3.yaml:7: outputs[1].quality: must be an integer between 1 and 100,
// got 120". Pure: parses the text it is given, reads no files. Never throws.
#pragma once

#include <string_view>

#include "core/status.h"
#include "model/recipe.h"

namespace pixfleet {

// Parses and validates `yaml_text`, which must hold one YAML document (a second one, after a
// "---", is refused rather than ignored); `source_name` (a file name) prefixes every error
// message. Errors are kInvalidArgument; the first problem found is reported.
Result<Recipe> ParseRecipeYaml(std::string_view yaml_text, std::string_view source_name);

}  // namespace pixfleet
