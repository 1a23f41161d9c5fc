// ErrnoStatus: see the header for the classification.
#include "storage/local/errno_status.h"

#include <cerrno>
#include <string>
#include <system_error>

namespace pixfleet {
namespace {

enum class FileAccess { kRead, kWrite };

Status Classify(int error_number, FileAccess access, std::string_view what,
                const std::filesystem::path& path) {
  std::string message(what);
  message += " ";
  message += path.string();
  message += ": ";
  message += std::generic_category().message(error_number);
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      return NotFound(std::move(message));
    case ENOSPC:  // the file system is full, or out of inodes
    case EDQUOT:  // this user's quota is used up
    case EROFS:   // mounted read-only
      // Not the input's fault, and no retry helps until someone frees space or remounts.
      return FailedPrecondition(std::move(message));
    case EACCES:  // permissions, until an operator changes them
    case EPERM:
      // A refused write makes the output unusable for every task; a refused read is one input's.
      if (access == FileAccess::kWrite) return FailedPrecondition(std::move(message));
      return InvalidArgument(std::move(message));
    case ENAMETOOLONG:  // the key itself does not fit this file system
    case EISDIR:        // an object and a folder with the same name
    case EEXIST:
    case ELOOP:
    case EINVAL:
    case EFBIG:
      // Permanent: retrying the same call cannot help, so do not burn retries on it.
      return InvalidArgument(std::move(message));
    default:
      // EIO, EMFILE, ENFILE, ENOMEM, ESTALE, ...: the disk or the process may recover, so let
      // the caller retry with backoff.
      return Unavailable(std::move(message));
  }
}

}  // namespace

Status ErrnoStatus(int error_number, std::string_view what, const std::filesystem::path& path) {
  return Classify(error_number, FileAccess::kRead, what, path);
}

Status WriteErrnoStatus(int error_number, std::string_view what,
                        const std::filesystem::path& path) {
  return Classify(error_number, FileAccess::kWrite, what, path);
}

}  // namespace pixfleet
