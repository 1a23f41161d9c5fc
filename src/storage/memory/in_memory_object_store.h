// InMemoryObjectStore: the ObjectStore fake, a sorted map from key to bytes behind one mutex.
// It applies the same key validation and size limits as the real backends so that code tested
// against it behaves the same on disk or S3. Fetch writes the object's bytes to a temporary copy
// (temp_object_file.h) in the folder given at construction ($TMPDIR, else /tmp, by default), as
// a remote backend does. Thread-safe; the visitor passed to List runs without the lock held, so
// it may call back into the store.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "storage/object_store.h"

namespace pixfleet {

class InMemoryObjectStore final : public ObjectStore {
 public:
  // Fetch writes its copies to `temp_folder` (empty: DefaultTempFolder() at each Fetch).
  explicit InMemoryObjectStore(std::filesystem::path temp_folder = {})
      : temp_folder_(std::move(temp_folder)) {}

  // ObjectStore
  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  Result<std::optional<ObjectInfo>> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Status List(std::string_view prefix,
              const std::function<Status(const ObjectInfo&)>& visit) override;
  // Always writable: it probes through its own Put and Delete all the same.
  Status CheckWritable() override;

 private:
  const std::filesystem::path temp_folder_;
  std::mutex mutex_;
  std::map<std::string, std::string, std::less<>> objects_;  // guarded by mutex_
};

}  // namespace pixfleet
