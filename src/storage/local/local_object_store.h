// LocalObjectStore: the ObjectStore on a local folder. A key "a/b.jpg" is the file
// <root>/a/b.jpg. Thread-safe and safe to share between processes: it keeps no state but the
// root path (and whether it has marked the root as an output folder yet).
//
// Atomic Put: the bytes go to a fresh temp file in the target's own folder (named
// ".pixfleet-tmp-*", so List never shows it), which is then rename()d over the target. Readers
// see the old object or the new one; a writer that crashes leaves at most a stray temp file and
// the old object intact. The first Put also creates <root>/.pixfleet/ (empty unless `pixfleet
// run` keeps its state there): it marks the folder as pixfleet's outputs, which a listing of an
// enclosing folder then passes over (below).
//
// Differences from the bucket model, all permanent errors (kInvalidArgument):
//  - a key cannot be both an object and a "folder" ("a" and "a/b"), since "a" cannot be both a
//    file and a directory;
//  - key segments starting with '.' are reserved for temp files and state folders (such as
//    .pixfleet): they are never listed, and every operation rejects them.
// Delete removes the file but leaves empty parent folders in place: removing them would race
// with a concurrent Put creating a sibling, and empty folders are invisible to List anyway.
//
// Output folders inside the root: a sub-folder holding a .pixfleet folder is the output folder of
// a pixfleet run or worker (an OUT inside SOURCE). Its contents are earlier outputs, not objects
// of this store: List passes over the whole folder and reports it (kSkipOutputFolder). The root
// itself is exempt, so an output folder can still be named as a source on purpose.
//
// Symlinks (the same rule for reads, and never a write through one):
//  - List follows a symlink to a file only when its target resolves inside the root; the
//    object is then the target's bytes and size under the link's key. Links leading outside,
//    dangling links (or loops), links to folders and entries that are neither file nor folder
//    (devices, pipes, sockets) are passed over and reported (kSkip*). Links to folders are never
//    followed, so a cycle cannot make List loop and no file is listed under two keys.
//  - Get, Fetch and Head read through links only while they resolve inside the root: a key whose
//    path leads outside (a planted link, or one changed since it was listed) is kInvalidArgument
//    and its file is never opened; the check is repeated on the file actually opened.
//
// Fetch hands over the object's own file, no copy (LocalObject::Borrowed), by its resolved path,
// after the checks Get makes (the key, links, a folder is kNotFound, anything but a regular file
// kInvalidArgument, the size against max_bytes). The caller reads it after Fetch returns: a file
// replaced or rewritten meanwhile is read as it is then, and the caller must not modify it.
//  - Put and Delete never follow a link inside the root: every folder of the key is opened with
//    O_NOFOLLOW from the root down, the temp file is created and renamed within that folder's
//    descriptor. A folder of the key that is a symlink fails with kFailedPrecondition: the output
//    location refuses, no retry helps and the input is not at fault, until someone replaces the
//    link with a real folder (or points the output location at its target). A symlink in place
//    of the object itself is replaced by the new object, not written through.
// The root itself may be a symlink: it is resolved once, when the store is opened.
// List reports file names as they are, even ones ValidateObjectKey would reject (a backslash,
// a name over 1024 bytes): the task for such a file then fails visibly instead of the file
// being skipped in silence. content_type is not stored.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

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
  // The state folder whose presence makes a folder an output folder (see above).
  static constexpr std::string_view kStateFolder = ".pixfleet";

  // Reasons given to ListReportingSkips' `skipped`.
  static constexpr std::string_view kSkipOutputFolder =
      "output folder of an earlier pixfleet run (it holds .pixfleet/)";
  static constexpr std::string_view kSkipLinkOutside = "symlink leading outside the folder";
  static constexpr std::string_view kSkipDanglingLink =
      "dangling symlink (its target is missing, or links loop)";
  static constexpr std::string_view kSkipLinkToFolder =
      "symlink to a folder (links to folders are not followed)";
  static constexpr std::string_view kSkipSpecialFile =
      "neither a file nor a folder (device, pipe or socket)";

  // kNotFound if `root_dir` is missing and options.create_root is false; kInvalidArgument if
  // it is not a directory.
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::filesystem::path& root_dir,
                                                        LocalObjectStoreOptions options = {});

  // The name of a temp file that process `writer` makes: the prefix, the writer's pid, its
  // store's `salt` and the store's `counter`-th temp file ("<prefix><pid>-<salt>-<counter>").
  static std::string TempFileName(pid_t writer, uint64_t salt, uint64_t counter);
  // The pid of the process that wrote the temp file named `file_name` (a name, not a path), or
  // none when `file_name` is not one of Put's temp files.
  static std::optional<pid_t> TempFileWriter(std::string_view file_name);

  // The absolute root folder.
  const std::filesystem::path& Root() const { return root_; }

  // ObjectStore
  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  Result<std::optional<ObjectInfo>> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Status List(std::string_view prefix,
              const std::function<Status(const ObjectInfo&)>& visit) override;
  // Writes, fsyncs and removes a hidden temp file in the root (not kWriteProbeKey: the local
  // store keeps dot names for itself).
  Status CheckWritable() override;
  Status ListReportingSkips(std::string_view prefix,
                            const std::function<Status(const ObjectInfo&)>& visit,
                            const std::function<void(const SkippedEntry&)>& skipped) override;

 private:
  using SkipVisitor = std::function<void(const SkippedEntry&)>;

  LocalObjectStore(std::filesystem::path root, std::filesystem::path resolved_root,
                   LocalObjectStoreOptions options, uint64_t salt);

  // ValidateObjectKey plus the local rule on dot segments; then the file's path.
  Result<std::filesystem::path> PathOf(std::string_view key) const;
  // True when `resolved` (a canonical path) is the root or lies under it.
  bool IsInside(const std::filesystem::path& resolved) const;
  // Resolves the links of `path` (the file of `key`) and checks that it stays inside the root:
  // the canonical path, kNotFound if absent, kInvalidArgument if it leads outside.
  Result<std::filesystem::path> ResolveInside(std::string_view key,
                                              const std::filesystem::path& path) const;
  // A regular file opened for Get or Fetch, after every check but the read.
  struct OpenedObject {
    UniqueFd fd;
    std::filesystem::path path;      // root/key, for messages
    std::filesystem::path resolved;  // the file actually opened, links resolved
    uint64_t size = 0;               // from fstat, within max_bytes
  };
  // Opens `key`'s file with the checks of the header (the key, links inside the root, a folder
  // is kNotFound, a non-regular file kInvalidArgument, over `max_bytes` kResourceExhausted).
  Result<OpenedObject> OpenObject(std::string_view key, uint64_t max_bytes) const;
  // The folder that holds `key`'s file, opened without following links from the root down,
  // creating missing folders when `create`. kFailedPrecondition for a symlinked folder,
  // kInvalidArgument for a file in the way, kNotFound for a missing folder when !create.
  Result<UniqueFd> OpenFolderOf(std::string_view key, bool create) const;
  // A temp file name unique across threads and processes.
  std::string NewTempName();
  // Writes `bytes` to the new file `temp` in the folder `dir`, open as `fd` (fsync'd if asked),
  // and closes it. Removes `temp` on failure. `shown` is its path for messages.
  Status WriteTempFile(UniqueFd fd, int dir, const std::string& temp,
                       const std::filesystem::path& shown, std::string_view bytes);
  // Creates <root>/.pixfleet once per store: see "output folders" above.
  void MarkAsOutputFolder();
  // Visits the objects under `dir` (whose key prefix is `key_prefix`, empty or ending in '/')
  // whose first name starts with `name_filter`, in key order; tells `skipped` (if set) what it
  // passes over.
  Status Walk(const std::filesystem::path& dir, const std::string& key_prefix,
              std::string_view name_filter, const std::function<Status(const ObjectInfo&)>& visit,
              const SkipVisitor& skipped) const;

  const std::filesystem::path root_;
  const std::filesystem::path resolved_root_;  // root_ with its links resolved
  const LocalObjectStoreOptions options_;
  const uint64_t salt_;  // random per store, so two stores never pick the same temp name
  std::atomic<uint64_t> temp_counter_{0};
  std::atomic<bool> marked_{false};  // <root>/.pixfleet exists
};

}  // namespace pixfleet
