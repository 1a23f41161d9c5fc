#include "wiring/test_fault_hooks.h"

#include <cstdlib>
#include <utility>

namespace pixfleet {

CrashOnInputObjectStore::CrashOnInputObjectStore(std::unique_ptr<ObjectStore> base,
                                                 std::string needle, std::function<void()> crash)
    : base_(std::move(base)), needle_(std::move(needle)), crash_(std::move(crash)) {}

Result<std::string> CrashOnInputObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  if (key.find(needle_) != std::string_view::npos) crash_();
  return base_->Get(key, max_bytes);
}

Status CrashOnInputObjectStore::Put(std::string_view key, std::string_view bytes,
                                    std::string_view content_type) {
  return base_->Put(key, bytes, content_type);
}

Result<std::optional<ObjectInfo>> CrashOnInputObjectStore::Head(std::string_view key) {
  return base_->Head(key);
}

Status CrashOnInputObjectStore::Delete(std::string_view key) { return base_->Delete(key); }

Status CrashOnInputObjectStore::List(std::string_view prefix,
                                     const std::function<Status(const ObjectInfo&)>& visit) {
  return base_->List(prefix, visit);
}

Status CrashOnInputObjectStore::ListReportingSkips(
    std::string_view prefix, const std::function<Status(const ObjectInfo&)>& visit,
    const std::function<void(const SkippedEntry&)>& skipped) {
  return base_->ListReportingSkips(prefix, visit, skipped);
}

std::unique_ptr<ObjectStore> WithTestFaultHooks(std::unique_ptr<ObjectStore> store,
                                                const std::string& crash_on_input) {
  if (crash_on_input.empty()) return store;
  return std::make_unique<CrashOnInputObjectStore>(std::move(store), crash_on_input);
}

std::unique_ptr<ObjectStore> WithTestFaultHooks(std::unique_ptr<ObjectStore> store) {
  // Read once: the environment does not change under a running worker, and getenv is not safe
  // against a concurrent setenv.
  static const std::string crash_on_input = [] {
    const char* value = std::getenv(kCrashOnInputEnv);  // NOLINT(concurrency-mt-unsafe)
    return value == nullptr ? std::string() : std::string(value);
  }();
  return WithTestFaultHooks(std::move(store), crash_on_input);
}

}  // namespace pixfleet
