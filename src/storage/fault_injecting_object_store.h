// FaultInjectingObjectStore: a decorator for tests that makes chosen calls fail before they
// reach the wrapped store, and counts calls per operation. Scripts: "fail the next N Puts with
// kUnavailable" (FailNext), or "fail every call while the disk is full" (FailAll ... Heal).
// CheckWritable is an operation of its own: the wrapped store probes through its own Put, not
// through this decorator's. So is Fetch (kFetch): failing Gets leaves Fetches alone, and the
// other way round; FailAll fails both.
// Thread-safe, so it can sit under a multi-threaded worker.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "storage/object_store_wrapper.h"

namespace pixfleet {

enum class ObjectOperation { kGet, kPut, kHead, kDelete, kList, kCheckWritable, kFetch };

class FaultInjectingObjectStore final : public ObjectStoreWrapper {
 public:
  explicit FaultInjectingObjectStore(std::unique_ptr<ObjectStore> base);

  // The next `count` calls of `operation` fail with `status` (added to any already scripted).
  void FailNext(ObjectOperation operation, int count, Status status);
  // Every call of every operation fails with `status` until Heal().
  void FailAll(Status status);
  // Clears FailAll and every scripted failure.
  void Heal();

  // Calls of `operation` so far, failed or not.
  int64_t Calls(ObjectOperation operation) const;
  // Calls failed by injection so far.
  int64_t InjectedFailures() const;

  // ObjectStore
  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  Result<std::optional<ObjectInfo>> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Status List(std::string_view prefix,
              const std::function<Status(const ObjectInfo&)>& visit) override;
  Status CheckWritable() override;
  Status ListReportingSkips(std::string_view prefix,
                            const std::function<Status(const ObjectInfo&)>& visit,
                            const std::function<void(const SkippedEntry&)>& skipped) override;

 private:
  static constexpr size_t kOperations = 7;

  struct Script {
    int remaining = 0;
    Status status;
  };

  // Counts the call and returns the injected failure for it, or OK to let it through.
  Status Intercept(ObjectOperation operation);

  mutable std::mutex mutex_;
  std::array<Script, kOperations> next_failures_;  // guarded by mutex_
  std::optional<Status> fail_all_;                 // guarded by mutex_
  std::array<int64_t, kOperations> calls_{};       // guarded by mutex_
  int64_t injected_failures_ = 0;                  // guarded by mutex_
};

}  // namespace pixfleet
