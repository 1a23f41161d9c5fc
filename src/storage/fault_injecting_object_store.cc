// FaultInjectingObjectStore: see the header.
#include "storage/fault_injecting_object_store.h"

#include <utility>

namespace pixfleet {
namespace {

size_t IndexOf(ObjectOperation operation) { return static_cast<size_t>(operation); }
static_assert(static_cast<size_t>(ObjectOperation::kFetch) + 1 == 7, "update kOperations");

}  // namespace

FaultInjectingObjectStore::FaultInjectingObjectStore(std::unique_ptr<ObjectStore> base)
    : ObjectStoreWrapper(std::move(base)) {}

void FaultInjectingObjectStore::FailNext(ObjectOperation operation, int count, Status status) {
  std::lock_guard lock(mutex_);
  Script& script = next_failures_[IndexOf(operation)];
  script.remaining += count;
  script.status = std::move(status);
}

void FaultInjectingObjectStore::FailAll(Status status) {
  std::lock_guard lock(mutex_);
  fail_all_ = std::move(status);
}

void FaultInjectingObjectStore::Heal() {
  std::lock_guard lock(mutex_);
  fail_all_.reset();
  next_failures_ = {};
}

int64_t FaultInjectingObjectStore::Calls(ObjectOperation operation) const {
  std::lock_guard lock(mutex_);
  return calls_[IndexOf(operation)];
}

int64_t FaultInjectingObjectStore::InjectedFailures() const {
  std::lock_guard lock(mutex_);
  return injected_failures_;
}

Status FaultInjectingObjectStore::Intercept(ObjectOperation operation) {
  std::lock_guard lock(mutex_);
  ++calls_[IndexOf(operation)];
  if (fail_all_.has_value()) {
    ++injected_failures_;
    return *fail_all_;
  }
  Script& script = next_failures_[IndexOf(operation)];
  if (script.remaining > 0) {
    --script.remaining;
    ++injected_failures_;
    return script.status;
  }
  return Status::Ok();
}

Result<std::string> FaultInjectingObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_RETURN_IF_ERROR(Intercept(ObjectOperation::kGet));
  return Target().Get(key, max_bytes);
}

Result<LocalObject> FaultInjectingObjectStore::Fetch(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_RETURN_IF_ERROR(Intercept(ObjectOperation::kFetch));
  return Target().Fetch(key, max_bytes);
}

Status FaultInjectingObjectStore::Put(std::string_view key, std::string_view bytes,
                                      std::string_view content_type) {
  PIXFLEET_RETURN_IF_ERROR(Intercept(ObjectOperation::kPut));
  return Target().Put(key, bytes, content_type);
}

Result<std::optional<ObjectInfo>> FaultInjectingObjectStore::Head(std::string_view key) {
  PIXFLEET_RETURN_IF_ERROR(Intercept(ObjectOperation::kHead));
  return Target().Head(key);
}

Status FaultInjectingObjectStore::Delete(std::string_view key) {
  PIXFLEET_RETURN_IF_ERROR(Intercept(ObjectOperation::kDelete));
  return Target().Delete(key);
}

Status FaultInjectingObjectStore::List(std::string_view prefix,
                                       const std::function<Status(const ObjectInfo&)>& visit) {
  PIXFLEET_RETURN_IF_ERROR(Intercept(ObjectOperation::kList));
  return Target().List(prefix, visit);
}

Status FaultInjectingObjectStore::CheckWritable() {
  PIXFLEET_RETURN_IF_ERROR(Intercept(ObjectOperation::kCheckWritable));
  return Target().CheckWritable();
}

Status FaultInjectingObjectStore::ListReportingSkips(
    std::string_view prefix, const std::function<Status(const ObjectInfo&)>& visit,
    const std::function<void(const SkippedEntry&)>& skipped) {
  PIXFLEET_RETURN_IF_ERROR(Intercept(ObjectOperation::kList));
  return Target().ListReportingSkips(prefix, visit, skipped);
}

}  // namespace pixfleet
