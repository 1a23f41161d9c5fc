// LocalObject: see the header.
#include "storage/local_object.h"

#include <utility>

#include <unistd.h>

namespace pixfleet {

LocalObject LocalObject::Borrowed(std::filesystem::path path, uint64_t size) {
  return LocalObject(std::move(path), size, /*temporary=*/false);
}

LocalObject LocalObject::Temporary(std::filesystem::path path, uint64_t size) {
  return LocalObject(std::move(path), size, /*temporary=*/true);
}

LocalObject::LocalObject(std::filesystem::path path, uint64_t size, bool temporary)
    : path_(std::move(path)), size_(size), temporary_(temporary) {}

LocalObject::LocalObject(LocalObject&& other) noexcept
    : path_(std::move(other.path_)),
      size_(std::exchange(other.size_, 0)),
      temporary_(std::exchange(other.temporary_, false)) {
  other.path_.clear();
}

LocalObject& LocalObject::operator=(LocalObject&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::move(other.path_);
    other.path_.clear();
    size_ = std::exchange(other.size_, 0);
    temporary_ = std::exchange(other.temporary_, false);
  }
  return *this;
}

LocalObject::~LocalObject() { Release(); }

void LocalObject::Release() noexcept {
  // unlink, not std::filesystem::remove: nothing here may throw, and a copy is never a folder.
  if (temporary_ && !path_.empty()) ::unlink(path_.c_str());
  path_.clear();
  size_ = 0;
  temporary_ = false;
}

}  // namespace pixfleet
