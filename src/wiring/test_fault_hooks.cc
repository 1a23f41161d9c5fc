#include "wiring/test_fault_hooks.h"

#include <cstdlib>
#include <utility>

namespace pixfleet {

CrashOnInputObjectStore::CrashOnInputObjectStore(std::unique_ptr<ObjectStore> base,
                                                 std::string needle, std::function<void()> crash)
    : ObjectStoreWrapper(std::move(base)), needle_(std::move(needle)), crash_(std::move(crash)) {}

void CrashOnInputObjectStore::BeforeRead(std::string_view key) const {
  if (key.find(needle_) != std::string_view::npos) crash_();
}

Result<std::string> CrashOnInputObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  BeforeRead(key);
  return ObjectStoreWrapper::Get(key, max_bytes);
}

Result<LocalObject> CrashOnInputObjectStore::Fetch(std::string_view key, uint64_t max_bytes) {
  BeforeRead(key);
  return ObjectStoreWrapper::Fetch(key, max_bytes);
}

SlowInputObjectStore::SlowInputObjectStore(std::unique_ptr<ObjectStore> base, std::string needle,
                                           std::chrono::milliseconds delay, Clock& clock,
                                           std::stop_token cancel)
    : ObjectStoreWrapper(std::move(base)),
      needle_(std::move(needle)),
      delay_(delay),
      clock_(clock),
      cancel_(std::move(cancel)) {}

Status SlowInputObjectStore::BeforeRead(std::string_view key) const {
  if (key.find(needle_) != std::string_view::npos && !clock_.WaitFor(delay_, cancel_)) {
    return Cancelled("reading " + std::string(key) + " was cancelled");
  }
  return Status::Ok();
}

Result<std::string> SlowInputObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_RETURN_IF_ERROR(BeforeRead(key));
  return ObjectStoreWrapper::Get(key, max_bytes);
}

Result<LocalObject> SlowInputObjectStore::Fetch(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_RETURN_IF_ERROR(BeforeRead(key));
  return ObjectStoreWrapper::Fetch(key, max_bytes);
}

std::unique_ptr<ObjectStore> WithTestFaultHooks(std::unique_ptr<ObjectStore> store,
                                                const TestFaultHooks& hooks, Clock& clock,
                                                std::stop_token cancel) {
  if (!hooks.crash_on_input.empty()) {
    store = std::make_unique<CrashOnInputObjectStore>(std::move(store), hooks.crash_on_input);
  }
  // "<substring>:<ms>"; a value without a valid delay turns nothing on.
  const size_t colon = hooks.slow_input.rfind(':');
  if (colon != std::string::npos && colon > 0) {
    char* end = nullptr;
    const long long ms = std::strtoll(hooks.slow_input.c_str() + colon + 1, &end, 10);
    if (*end == '\0' && ms > 0) {
      store = std::make_unique<SlowInputObjectStore>(
          std::move(store), hooks.slow_input.substr(0, colon), std::chrono::milliseconds(ms), clock,
          std::move(cancel));
    }
  }
  return store;
}

std::unique_ptr<ObjectStore> WithTestFaultHooks(std::unique_ptr<ObjectStore> store, Clock& clock,
                                                std::stop_token cancel) {
  // Read once: the environment does not change under a running worker, and getenv is not safe
  // against a concurrent setenv.
  static const TestFaultHooks hooks = [] {
    auto read = [](const char* name) {
      const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
      return value == nullptr ? std::string() : std::string(value);
    };
    return TestFaultHooks{read(kCrashOnInputEnv), read(kSlowInputEnv)};
  }();
  return WithTestFaultHooks(std::move(store), hooks, clock, std::move(cancel));
}

}  // namespace pixfleet
