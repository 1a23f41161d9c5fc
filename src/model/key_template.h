// Key templates: where an output of one input image is written in the batch's output store.
// A template is text with placeholders {path} (input key without extension), {name} (output
// name), {ext} (format extension), {stem} (input file name without extension) and {dir} (the
// input's directory, possibly empty). Expansion is deterministic, which is what makes a
// redelivered task overwrite its own outputs instead of duplicating them. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "model/recipe.h"

namespace pixfleet {

// Expands `output.key_template` for the input at `input_key` ("trips/2024/IMG_1.JPG"). Empty
// segments are collapsed, so an input without a directory never yields a leading '/' or '//'.
// With `keep_extension`, {path} and {stem} keep the input's extension ("trips/2024/IMG_1.JPG"),
// for inputs that differ only by extension (see TaskSpec::keep_extension).
// REQUIRES: ValidateKeyTemplate(output.key_template).ok() (unknown placeholders are copied as
// they are).
std::string ExpandKeyTemplate(const OutputSpec& output, std::string_view input_key,
                              bool keep_extension = false);

// The input key without its extension: what {path} expands to ("a/b.jpg" -> "a/b").
std::string_view KeyWithoutExtension(std::string_view input_key);

// Checks a template on its own: known placeholders only, balanced braces, relative (no leading
// '/'), no segment starting with '.' (no '..', no '.pixfleet': dot names are reserved), and
// varies per input ({path} or {stem}). The message names the problem
// but not the location; the recipe parser adds that.
Status ValidateKeyTemplate(std::string_view key_template);

// True when two outputs of one recipe would write the same key for some input, so that one
// would silently overwrite the other.
bool OutputKeysCollide(const OutputSpec& a, const OutputSpec& b);

}  // namespace pixfleet
