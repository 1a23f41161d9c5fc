// LocalObjectStore: the ObjectStore on a local folder. A key "a/b.jpg" is the file
// <root>/a/b.jpg. Thread-safe and safe to share between processes: it keeps no state but the
// root path.
//
// Atomic Put: the bytes go to a fresh temp file in the target's own folder (named
// ".pixfleet-tmp-*", so List never shows it), which is then rename()d over the target. Readers
// see the old object or the new one; a writer that crashes leaves at most a stray temp file and
// the old object intact.
//
// Differences from the bucket model, all permanent errors (kInvalidArgument):
//  - a key cannot be both an object and a "folder" ("a" and "a/b"), since "a" cannot be both a
//    file and a directory;
//  - key segments starting with '.' are reserved for temp files and state folders (such as
//    .pixfleet): they are never listed, and every operation rejects them.
// Delete removes the file but leaves empty parent folders in place: removing them would race
// with a concurrent Put creating a sibling, and empty folders are invisible to List anyway.
//
// Symlinks: a symlink to a file is an object (its target's bytes and size). List does not
// descend into symlinked directories, so a link cycle cannot make it loop. Symlinks inside the
// root are trusted as placed by its owner; untrusted keys cannot escape the root because
// ValidateObjectKey rejects ".." and absolute keys before the file system is touched.
// List reports file names as they are, even ones ValidateObjectKey would reject (a backslash,
// a name over 1024 bytes): the task for such a file then fails visibly instead of the file
// being skipped in silence. content_type is not stored.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/local/unique_fd.h"
#include "storage/object_store.h"

namespace pixfleet {

struct LocalObjectStoreOptions {
  // Create the root folder (and its parents) if it does not exist; otherwise Open fails with
  // kNotFound, which catches a mistyped output path.
  bool create_root = false;
  // fsync each object (and its folder, after the rename) before Put returns. rename() alone
  // already makes a Put atomic against process crashes, which is what redelivery guards
  // against; fsync adds durability across power loss or a kernel crash, at the price of a
  // disk flush per object. Off by default: a lost output is rewritten when its task reruns.
  bool fsync = false;
};

class LocalObjectStore final : public ObjectStore {
 public:
  // Prefix of the temp files written by Put; List skips them (and every other dot file).
  static constexpr std::string_view kTempFilePrefix = ".pixfleet-tmp-";

  // kNotFound if `root_dir` is missing and options.create_root is false; kInvalidArgument if
  // it is not a directory.
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::filesystem::path& root_dir,
                                                        LocalObjectStoreOptions options = {});

  // The absolute root folder.
  const std::filesystem::path& Root() const { return root_; }

  // ObjectStore
  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  Result<std::optional<ObjectInfo>> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Status List(std::string_view prefix,
              const std::function<Status(const ObjectInfo&)>& visit) override;
  // Writes, fsyncs and removes a hidden temp file in the root (not kWriteProbeKey: the local
  // store keeps dot names for itself).
  Status CheckWritable() override;

 private:
  LocalObjectStore(std::filesystem::path root, LocalObjectStoreOptions options, uint64_t salt);

  // ValidateObjectKey plus the local rule on dot segments; then the file's path.
  Result<std::filesystem::path> PathOf(std::string_view key) const;
  // A temp file name unique across threads and processes.
  std::string NewTempName();
  // Writes `bytes` to the new file `temp`, open as `fd` (fsync'd if asked), and closes it.
  // Removes `temp` on failure.
  Status WriteTempFile(UniqueFd fd, const std::filesystem::path& temp, std::string_view bytes);
  // Visits the objects under `dir` (whose key prefix is `key_prefix`, empty or ending in '/')
  // whose first name starts with `name_filter`, in key order.
  Status Walk(const std::filesystem::path& dir, const std::string& key_prefix,
              std::string_view name_filter,
              const std::function<Status(const ObjectInfo&)>& visit) const;

  const std::filesystem::path root_;
  const LocalObjectStoreOptions options_;
  const uint64_t salt_;  // random per store, so two stores never pick the same temp name
  std::atomic<uint64_t> temp_counter_{0};
};

}  // namespace pixfleet
