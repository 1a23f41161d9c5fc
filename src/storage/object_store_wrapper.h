// ObjectStoreWrapper: the forwarding base of ObjectStore decorators (as RocksDB's
// FileSystemWrapper and LevelDB's EnvWrapper). Every method forwards to the target store, so a
// decorator (retries, fault injection, test hooks) overrides only the calls it changes. Thread
// safety is the target's. A method added to the port is forwarded unchanged by every decorator
// that does not override it: review the decorators whenever the port grows.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/object_store.h"

namespace pixfleet {

class ObjectStoreWrapper : public ObjectStore {
 public:
  // Owns `target`.
  explicit ObjectStoreWrapper(std::unique_ptr<ObjectStore> target)
      : owned_(std::move(target)), target_(*owned_) {}
  // Borrows `target`, which must outlive the wrapper.
  explicit ObjectStoreWrapper(ObjectStore& target) : target_(target) {}

  // ObjectStore
  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override {
    return target_.Get(key, max_bytes);
  }
  Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes = UINT64_MAX) override {
    return target_.Fetch(key, max_bytes);
  }
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override {
    return target_.Put(key, bytes, content_type);
  }
  Result<std::optional<ObjectInfo>> Head(std::string_view key) override {
    return target_.Head(key);
  }
  Status Delete(std::string_view key) override { return target_.Delete(key); }
  Status List(std::string_view prefix,
              const std::function<Status(const ObjectInfo&)>& visit) override {
    return target_.List(prefix, visit);
  }
  Status ListReportingSkips(std::string_view prefix,
                            const std::function<Status(const ObjectInfo&)>& visit,
                            const std::function<void(const SkippedEntry&)>& skipped) override {
    return target_.ListReportingSkips(prefix, visit, skipped);
  }
  Status CheckWritable() override { return target_.CheckWritable(); }

 protected:
  ObjectStore& Target() const { return target_; }

 private:
  const std::unique_ptr<ObjectStore> owned_;  // null when borrowed
  ObjectStore& target_;
};

}  // namespace pixfleet
