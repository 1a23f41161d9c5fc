// ObjectStore: the port for inputs and outputs, shaped for the weakest backend (S3): whole-object
// get and put, head, delete and list by prefix; no directories, no rename, no append; and fetch,
// an object as a local file for readers that stream it (the image engine). A Put is
// atomic: readers see the old object or the new one, never a part. Keys are relative,
// '/'-separated paths validated by ValidateObjectKey. Implementations are thread-safe.
//
// Errors follow status.h: kNotFound for an absent object, kUnavailable / kDeadlineExceeded when
// the store cannot be reached (retry), kFailedPrecondition when the store refuses the operation
// for reasons no retry mends (a full or read-only disk, a missing bucket, refused credentials),
// kInvalidArgument when the key or the object is at fault.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/local_object.h"

namespace pixfleet {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  friend bool operator==(const ObjectInfo&, const ObjectInfo&) = default;
};

// An entry that a listing passed over: the backend holds it, but by the store's rules it is not
// an object (a local folder's symlinks that lead outside it, for instance).
struct SkippedEntry {
  std::string key;     // where it lies, as a key; a folder's ends in '/' ("out1/")
  std::string reason;  // why, as a short phrase ("symlink leading outside the folder")
  friend bool operator==(const SkippedEntry&, const SkippedEntry&) = default;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  ObjectStore() = default;
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  // The object's bytes. kNotFound if absent; kResourceExhausted if larger than `max_bytes`.
  virtual Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) = 0;

  // The object as a local file that the caller may read until it releases the LocalObject, for
  // readers that stream (the image engine decodes a file in blocks, so a gigapixel input never
  // sits whole in memory). Errors exactly as Get's: kNotFound if absent, kResourceExhausted if
  // larger than `max_bytes`, kInvalidArgument for a bad key, kUnavailable / kDeadlineExceeded
  // when the store cannot be reached.
  //  - The local folder hands over its own file, no copy: the caller must not modify it. It is
  //    checked as Get checks it (the key, symlinks leading outside, folders, the size), but read
  //    after Fetch returns: a file replaced meanwhile is read as it is then.
  //  - Every other backend streams the bytes into a temporary file under $TMPDIR (default /tmp),
  //    created by mkstemp with mode 0600, never holding the object whole in memory; the file is
  //    removed when the LocalObject is destroyed, and at once on any error (nothing is left
  //    behind). A temp folder that is missing, full or read-only is kFailedPrecondition (the
  //    machine refuses, not the object: temp_object_file.h).
  // Decorators forward it or wrap it as they wrap Get (retries, fault injection).
  virtual Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes = UINT64_MAX) = 0;

  // Writes the whole object atomically, replacing any previous one.
  virtual Status Put(std::string_view key, std::string_view bytes,
                     std::string_view content_type) = 0;

  // Size of the object, or nullopt if absent.
  virtual Result<std::optional<ObjectInfo>> Head(std::string_view key) = 0;

  // Deletes the object; deleting an absent object succeeds.
  virtual Status Delete(std::string_view key) = 0;

  // Calls `visit` for every object whose key starts with `prefix`, in lexicographic key order.
  // Stops early, returning the visitor's status, if the visitor returns a non-OK status.
  virtual Status List(std::string_view prefix,
                      const std::function<Status(const ObjectInfo&)>& visit) = 0;

  // Probes, before any work, whether the store accepts writes, by starting a write of a small
  // object under the reserved name kWriteProbeKey at the store's root (or key prefix) and then
  // undoing it: the local folder writes, fsyncs and removes a hidden temp file; S3 starts a
  // multipart upload of the key and aborts it, so that no object ever appears; the memory fake
  // puts and deletes the key. OK when the store takes the write; undoing it is best effort.
  // Otherwise kFailedPrecondition naming the reason when the store refuses the write (a full or
  // read-only disk, no permission, a missing bucket, refused credentials), kUnavailable or
  // kDeadlineExceeded when it cannot be reached. Safe to run from several processes at once.
  virtual Status CheckWritable() = 0;

  // List, also calling `skipped` for every entry under `prefix` that List passes over although
  // the backend holds it, so that a caller can tell the user what was left out and why. This
  // default is for backends whose List passes over nothing (a bucket holds only objects);
  // decorators of a backend that skips forward it.
  virtual Status ListReportingSkips(std::string_view prefix,
                                    const std::function<Status(const ObjectInfo&)>& visit,
                                    const std::function<void(const SkippedEntry&)>& skipped) {
    (void)skipped;
    return List(prefix, visit);
  }
};

// The key CheckWritable probes with (the local store, which reserves dot names for itself,
// probes with a hidden temp file instead).
inline constexpr std::string_view kWriteProbeKey = ".pixfleet-write-probe";

// OK if `key` is a valid object key: non-empty, at most 1024 bytes, relative (no leading '/'),
// no empty, "." or ".." segments, no backslash or NUL. Otherwise kInvalidArgument naming the key.
Status ValidateObjectKey(std::string_view key);

}  // namespace pixfleet
