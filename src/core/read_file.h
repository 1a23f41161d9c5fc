// Reading a whole local file into memory, for small inputs named on the command line (recipes,
// one image for `pixfleet process`). Object stores have their own Get.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace pixfleet {

// The file's bytes. kNotFound if it is missing or cannot be opened; kInvalidArgument if it is a
// folder ("<path> is a folder, not a file: ...") or not a regular file; kResourceExhausted if it
// is larger than `max_bytes` (checked from its size before reading). Messages name the path.
Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_bytes = UINT64_MAX);

}  // namespace pixfleet
