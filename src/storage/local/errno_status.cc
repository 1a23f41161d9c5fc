// ErrnoStatus: see the header for the classification.
#include "storage/local/errno_status.h"

#include <cerrno>
#include <string>
#include <system_error>

namespace pixfleet {

Status ErrnoStatus(int error_number, std::string_view what, const std::filesystem::path& path) {
  std::string message(what);
  message += " ";
  message += path.string();
  message += ": ";
  message += std::generic_category().message(error_number);
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      return NotFound(std::move(message));
    case ENOSPC:
    case EDQUOT:
    case EROFS:
      return FailedPrecondition(std::move(message));
    case EACCES:  // permissions, until an operator changes them
    case EPERM:
    case ENAMETOOLONG:  // the key itself does not fit this file system
    case EISDIR:        // an object and a folder with the same name
    case EEXIST:
    case ELOOP:
    case EINVAL:
    case EFBIG:
      // Permanent: retrying the same call cannot help, so do not burn retries on it.
      return InvalidArgument(std::move(message));
    default:
      // ENOSPC, EDQUOT, EIO, EMFILE, ENFILE, ENOMEM, ESTALE, ...: the disk or the process may
      // recover, so let the caller retry with backoff.
      return Unavailable(std::move(message));
  }
}

}  // namespace pixfleet
