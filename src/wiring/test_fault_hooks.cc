#include "wiring/test_fault_hooks.h"

#include <cstdlib>
#include <utility>

namespace pixfleet {

CrashOnInputObjectStore::CrashOnInputObjectStore(std::unique_ptr<ObjectStore> base,
                                                 std::string needle, std::function<void()> crash)
    : ObjectStoreWrapper(std::move(base)), needle_(std::move(needle)), crash_(std::move(crash)) {}

Result<std::string> CrashOnInputObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  if (key.find(needle_) != std::string_view::npos) crash_();
  return ObjectStoreWrapper::Get(key, max_bytes);
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
