// ErrnoStatus: turns an errno value from a file-system call into a Status whose code says what
// the caller can do. Missing files are kNotFound; permission and naming problems are permanent
// (kInvalidArgument: retrying the same call cannot help); a full disk, I/O errors and exhausted
// descriptors are kUnavailable (they may clear up, so the call may be retried).
#pragma once

#include <filesystem>
#include <string_view>

#include "core/status.h"

namespace pixfleet {

// "<what> <path>: <system message>", with the code chosen from `error_number`.
Status ErrnoStatus(int error_number, std::string_view what, const std::filesystem::path& path);

}  // namespace pixfleet
