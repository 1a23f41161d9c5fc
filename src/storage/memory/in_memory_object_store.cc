// InMemoryObjectStore: see the header. List copies matching entries in pages so that the
// visitor never runs under the lock (a visitor that deletes what it visits must not deadlock).
#include "storage/memory/in_memory_object_store.h"

#include <vector>

#include "storage/temp_object_file.h"
#include "storage/write_probe.h"

namespace pixfleet {
namespace {

constexpr size_t kListPageSize = 1000;

}  // namespace

Result<std::string> InMemoryObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) return NotFound("object " + std::string(key) + " does not exist");
  if (it->second.size() > max_bytes) {
    return ResourceExhausted("object " + std::string(key) + " is " +
                             std::to_string(it->second.size()) + " bytes, over the limit of " +
                             std::to_string(max_bytes) + " bytes");
  }
  return it->second;
}

Result<LocalObject> InMemoryObjectStore::Fetch(std::string_view key, uint64_t max_bytes) {
  // A copy of the bytes, then the file written outside the lock: a fake's objects are small.
  PIXFLEET_ASSIGN_OR_RETURN(const std::string bytes, Get(key, max_bytes));
  return WriteTempObjectFile(bytes, temp_folder_);
}

Status InMemoryObjectStore::Put(std::string_view key, std::string_view bytes,
                                std::string_view /*content_type*/) {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::string copy(bytes);  // copied outside the lock
  std::lock_guard lock(mutex_);
  objects_.insert_or_assign(std::string(key), std::move(copy));
  return Status::Ok();
}

Result<std::optional<ObjectInfo>> InMemoryObjectStore::Head(std::string_view key) {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) return std::optional<ObjectInfo>();
  return std::optional<ObjectInfo>(ObjectInfo{it->first, it->second.size()});
}

Status InMemoryObjectStore::Delete(std::string_view key) {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
  return Status::Ok();
}

Status InMemoryObjectStore::List(std::string_view prefix,
                                 const std::function<Status(const ObjectInfo&)>& visit) {
  std::vector<ObjectInfo> page;
  std::string resume_after;  // last key visited; the next page starts after it
  bool first_page = true;
  while (true) {
    page.clear();
    {
      std::lock_guard lock(mutex_);
      auto it = first_page ? objects_.lower_bound(prefix) : objects_.upper_bound(resume_after);
      for (; it != objects_.end() && page.size() < kListPageSize; ++it) {
        if (!std::string_view(it->first).starts_with(prefix)) break;
        page.push_back(ObjectInfo{it->first, it->second.size()});
      }
    }
    first_page = false;
    for (const ObjectInfo& info : page) {
      PIXFLEET_RETURN_IF_ERROR(visit(info));
    }
    if (page.size() < kListPageSize) return Status::Ok();
    resume_after = page.back().key;
  }
}

Status InMemoryObjectStore::CheckWritable() { return ProbeWithPutAndDelete(*this, "memory store"); }

}  // namespace pixfleet
