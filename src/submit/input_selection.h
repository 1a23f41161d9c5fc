// Which objects of a source are inputs: image files by extension (case-insensitive), outside an
// excluded prefix (the output folder when it lies inside the source). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/object_store.h"

namespace pixfleet {

// True for jpg, jpeg, png, webp, tif, tiff, gif, heic, heif, avif in any letter case.
bool HasImageExtension(std::string_view key);

// Keys of `source` that are images, in key order, skipping keys under `exclude_prefix` (a
// directory prefix ending in '/', or empty for none).
Result<std::vector<std::string>> ListImageKeys(ObjectStore& source,
                                               std::string_view exclude_prefix);

}  // namespace pixfleet
