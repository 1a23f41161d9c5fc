// TempObjectFile: the temporary copy that ObjectStore::Fetch writes for a backend whose objects
// are not local files (S3, the memory fake). Create() makes a new empty file with mkostemp (mode
// 0600, close-on-exec, a name of its own even with other processes at work in the same folder);
// Append() writes bytes as they arrive, so an object is never held whole in memory; Finish()
// closes the file and hands it over as a LocalObject, which removes it when released. A
// TempObjectFile destroyed before Finish (any error on the way) closes and removes its file at
// once. No fsync: the copy only has to outlive the task that reads it, not the machine.
//
// Errors name the file and the folder's origin ("$TMPDIR"): a folder that is missing, full,
// read-only or not writable is the machine's fault, not the object's, and no retry mends it
// (kFailedPrecondition); other failures (EIO, out of descriptors) may clear up (kUnavailable).
// Not thread-safe: one transfer writes one file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/status.h"
#include "storage/local_object.h"

namespace pixfleet {

// The folder for temporary copies: $TMPDIR when set and not empty, else /tmp. Read on each call
// (pixfleet sets no environment variable once its threads run).
std::filesystem::path DefaultTempFolder();

class TempObjectFile {
 public:
  // A new empty file in `folder` (DefaultTempFolder() when empty), named "pixfleet-fetch-XXXXXX".
  static Result<TempObjectFile> Create(const std::filesystem::path& folder = {});

  TempObjectFile(TempObjectFile&& other) noexcept;
  TempObjectFile& operator=(TempObjectFile&& other) noexcept;
  TempObjectFile(const TempObjectFile&) = delete;
  TempObjectFile& operator=(const TempObjectFile&) = delete;
  ~TempObjectFile();

  // Writes `bytes` at the end of the file.
  Status Append(std::string_view bytes);
  // Bytes appended so far.
  uint64_t Size() const { return size_; }
  const std::filesystem::path& Path() const { return path_; }

  // Closes the file (a deferred write error surfaces here) and hands it over; on error the file
  // is removed. The TempObjectFile owns nothing afterwards.
  Result<LocalObject> Finish();

 private:
  TempObjectFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  // Closes and removes the file, if any; then owns nothing.
  void Discard() noexcept;

  int fd_ = -1;
  std::filesystem::path path_;
  uint64_t size_ = 0;
};

// Writes `bytes` to a new TempObjectFile in `folder` and finishes it.
Result<LocalObject> WriteTempObjectFile(std::string_view bytes,
                                        const std::filesystem::path& folder = {});

}  // namespace pixfleet
