#include "submit/input_selection.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace pixfleet {

bool HasImageExtension(std::string_view key) {
  static constexpr std::array<std::string_view, 10> kExtensions = {
      "jpg", "jpeg", "png", "webp", "tif", "tiff", "gif", "heic", "heif", "avif"};
  const size_t dot = key.rfind('.');
  const size_t slash = key.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return false;
  }
  std::string extension(key.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

Result<std::vector<std::string>> ListImageKeys(ObjectStore& source,
                                               std::string_view exclude_prefix) {
  std::vector<std::string> keys;
  Status listed = source.List("", [&](const ObjectInfo& info) {
    const bool excluded = !exclude_prefix.empty() && info.key.starts_with(exclude_prefix);
    if (!excluded && HasImageExtension(info.key)) keys.push_back(info.key);
    return Status::Ok();
  });
  if (!listed.ok()) return listed;
  return keys;
}

}  // namespace pixfleet
