// StateLock: an exclusive lock on OUT/.pixfleet/lock for the life of a `pixfleet run`. Two runs
// writing the same folder would race; and holding the lock proves that no worker of an earlier
// run is still alive, so that their leases can be handed back at once.
#pragma once

#include <filesystem>

#include "core/status.h"

namespace pixfleet {

class StateLock {
 public:
  // kAborted naming the folder if another process holds the lock; kUnavailable if the lock file
  // cannot be opened.
  static Result<StateLock> Acquire(const std::filesystem::path& state_dir);

  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&&) = delete;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace pixfleet
