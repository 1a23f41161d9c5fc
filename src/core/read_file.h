// Reading a whole local file into memory, for small inputs named on the command line (recipes),
// and the checks a streaming reader makes first. Object stores have their own Get.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace pixfleet {

// The file's bytes. kNotFound if it is missing or cannot be opened; kInvalidArgument if it is a
// folder ("<path> is a folder, not a file: ...") or not a regular file; kResourceExhausted if it
// is larger than `max_bytes` (checked from its size before reading). Messages name the path.
Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_bytes = UINT64_MAX);

// The size of the regular file at `path`, with the same checks and errors as ReadWholeFile
// (kNotFound, kInvalidArgument for a folder or a pipe), nothing read: for readers that stream.
Result<uint64_t> RegularFileSize(const std::string& path);

}  // namespace pixfleet
