// TempObjectFile: see the header.
#include "storage/temp_object_file.h"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace pixfleet {
namespace {

// A failure of the temporary copy, classified as the header says. `what` says what failed and
// names the file or the folder.
Status TempFileErrno(int error_number, const std::string& what) {
  std::string message = what + " (temporary copies go to $TMPDIR, else /tmp): " +
                        std::generic_category().message(error_number);
  switch (error_number) {
    case ENOENT:   // the folder is missing
    case ENOTDIR:  // or is a file
    case ENOSPC:   // full, or out of inodes
    case EDQUOT:
    case EROFS:
    case EACCES:
    case EPERM:
    case EFBIG:  // larger than the folder's file system takes
    case ENAMETOOLONG:
    case EINVAL:
      return FailedPrecondition(std::move(message));
    default:  // EIO, EMFILE, ENFILE, ENOMEM, ...
      return Unavailable(std::move(message));
  }
}

}  // namespace

std::filesystem::path DefaultTempFolder() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): pixfleet sets no variable once its threads run
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? std::filesystem::path(tmpdir)
                                              : std::filesystem::path("/tmp");
}

Result<TempObjectFile> TempObjectFile::Create(const std::filesystem::path& folder) {
  const std::filesystem::path where = folder.empty() ? DefaultTempFolder() : folder;
  std::string name = (where / "pixfleet-fetch-XXXXXX").string();
  // mkostemp: mkstemp's O_EXCL file of mode 0600, and close-on-exec so that no child process
  // (a worker started by `pixfleet run`) inherits the descriptor.
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    return TempFileErrno(errno, "cannot create a temporary copy in " + where.string());
  }
  return TempObjectFile(fd, std::filesystem::path(std::move(name)));
}

TempObjectFile::TempObjectFile(TempObjectFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      size_(std::exchange(other.size_, 0)) {
  other.path_.clear();
}

TempObjectFile& TempObjectFile::operator=(TempObjectFile&& other) noexcept {
  if (this != &other) {
    Discard();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    other.path_.clear();
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

TempObjectFile::~TempObjectFile() { Discard(); }

void TempObjectFile::Discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  if (!path_.empty()) ::unlink(path_.c_str());
  fd_ = -1;
  path_.clear();
  size_ = 0;
}

Status TempObjectFile::Append(std::string_view bytes) {
  if (fd_ < 0) return Internal("the temporary copy is closed");
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return TempFileErrno(errno, "cannot write the temporary copy " + path_.string());
    }
    bytes.remove_prefix(static_cast<size_t>(written));
    size_ += static_cast<uint64_t>(written);
  }
  return Status::Ok();
}

Result<LocalObject> TempObjectFile::Finish() {
  if (fd_ < 0) return Internal("the temporary copy is closed");
  // close() can report a deferred write error (NFS, quota): check it.
  const int closed = ::close(std::exchange(fd_, -1));
  if (closed != 0) {
    const Status failed = TempFileErrno(errno, "cannot close the temporary copy " + path_.string());
    Discard();
    return failed;
  }
  LocalObject object = LocalObject::Temporary(std::move(path_), size_);
  path_.clear();
  size_ = 0;
  return object;
}

Result<LocalObject> WriteTempObjectFile(std::string_view bytes,
                                        const std::filesystem::path& folder) {
  PIXFLEET_ASSIGN_OR_RETURN(TempObjectFile file, TempObjectFile::Create(folder));
  PIXFLEET_RETURN_IF_ERROR(file.Append(bytes));
  return file.Finish();
}

}  // namespace pixfleet
