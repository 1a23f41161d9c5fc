// LocalObject: an object of an ObjectStore as a local file that the caller may read until it lets
// the LocalObject go (what ObjectStore::Fetch returns). Either the store's own file, borrowed (a
// local folder's object: never modified nor removed here), or a temporary copy that the
// LocalObject owns and removes when it is destroyed. Movable, not copyable: a moved-from
// LocalObject owns nothing and removes nothing. Not thread-safe (one owner at a time).
#pragma once

#include <cstdint>
#include <filesystem>

namespace pixfleet {

class LocalObject {
 public:
  // The store's own file at `path`, `size` bytes: left in place when released.
  static LocalObject Borrowed(std::filesystem::path path, uint64_t size);
  // A temporary copy at `path`, `size` bytes, owned from now on: removed when released.
  static LocalObject Temporary(std::filesystem::path path, uint64_t size);

  LocalObject(LocalObject&& other) noexcept;
  LocalObject& operator=(LocalObject&& other) noexcept;
  LocalObject(const LocalObject&) = delete;
  LocalObject& operator=(const LocalObject&) = delete;
  ~LocalObject();

  // The file to read; empty once moved from.
  const std::filesystem::path& Path() const { return path_; }
  // The object's size in bytes when it was fetched.
  uint64_t Size() const { return size_; }
  // True when the file is a temporary copy that this LocalObject removes.
  bool IsTemporary() const { return temporary_; }

 private:
  LocalObject(std::filesystem::path path, uint64_t size, bool temporary);
  // Removes the file if it is a temporary copy (best effort), then owns nothing.
  void Release() noexcept;

  std::filesystem::path path_;
  uint64_t size_ = 0;
  bool temporary_ = false;
};

}  // namespace pixfleet
