// ErrnoStatus: turns an errno value from a file-system call into a Status whose code says what
// the caller can do (status.h). Missing files are kNotFound. A file system that refuses to be
// written, for reasons only an operator can change, is kFailedPrecondition: no space (ENOSPC,
// EDQUOT), read-only (EROFS), and no permission (EACCES, EPERM) for a write. No permission to
// read, and naming problems (a name too long, a folder where a file is expected), are the
// input's: kInvalidArgument. I/O errors and exhausted descriptors or memory are kUnavailable
// (they may clear up, so the call may be retried).
#pragma once

#include <filesystem>
#include <string_view>

#include "core/status.h"

namespace pixfleet {

// For a call that reads (opens to read, stats, lists): "<what> <path>: <system message>".
Status ErrnoStatus(int error_number, std::string_view what, const std::filesystem::path& path);

// The same for a call that changes the file system (creates, writes, syncs, closes a written
// file, renames, removes), where no permission means the output refuses writes.
Status WriteErrnoStatus(int error_number, std::string_view what, const std::filesystem::path& path);

}  // namespace pixfleet
