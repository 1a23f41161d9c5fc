// `--recipe` takes a file or the name of an installed recipe: `--recipe std3` (or `std3.yaml`)
// means share/pixfleet/recipes/std3.yaml of the installation the binary belongs to, so an
// installed pixfleet works from any folder. A file that exists always wins over a name.
#pragma once

#include <filesystem>
#include <string>

namespace pixfleet {

// The recipe file `value` names: `value` itself when something exists there, or when it has a
// '/' (then it is a path, never a name); otherwise `installed_dir`/NAME.yaml when that is a file.
// Anything else comes back unchanged, so that reading it fails with the usual message.
std::string ResolveRecipe(const std::string& value, const std::filesystem::path& installed_dir);

// Where `cmake --install` put the recipes for the binary at `executable`.
std::filesystem::path InstalledRecipesDir(const std::filesystem::path& executable);

}  // namespace pixfleet
