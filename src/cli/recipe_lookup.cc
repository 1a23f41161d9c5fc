#include "cli/recipe_lookup.h"

#include <system_error>

#include "cli/build_info.h"

namespace pixfleet {

std::string ResolveRecipe(const std::string& value, const std::filesystem::path& installed_dir) {
  std::error_code error;
  if (value.empty() || value.find('/') != std::string::npos ||
      std::filesystem::exists(value, error)) {
    return value;
  }
  std::filesystem::path installed = installed_dir / value;
  if (installed.extension() != ".yaml") installed += ".yaml";
  if (!std::filesystem::is_regular_file(installed, error)) return value;
  return installed.string();
}

std::filesystem::path InstalledRecipesDir(const std::filesystem::path& executable) {
  return (executable.parent_path() / kRecipesFromBinary).lexically_normal();
}

}  // namespace pixfleet
