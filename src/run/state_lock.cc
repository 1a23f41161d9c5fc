#include "run/state_lock.h"

#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace pixfleet {

Result<StateLock> StateLock::Acquire(const std::filesystem::path& state_dir) {
  const std::string path = (state_dir / "lock").string();
  // O_CLOEXEC: worker processes must not inherit the lock, or a surviving worker would keep it.
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Unavailable("cannot open " + path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return Aborted("another pixfleet run is using " + state_dir.parent_path().string());
  }
  return StateLock(fd);
}

StateLock::StateLock(StateLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

StateLock::~StateLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace pixfleet
