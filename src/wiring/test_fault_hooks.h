// Test-only fault hooks: NOT a feature. They let end-to-end tests make a real worker process
// fail in ways that cannot be injected from outside, here a crash on one input (a poison message,
// as a decoder bug would make). Off unless the environment asks for them:
//
//   PIXFLEET_FAULT_CRASH_ON_INPUT=<substring>   every Get() of an object whose key contains
//                                               <substring> calls std::abort() (SIGABRT)
//
// The composition root (MakeObjectStore) wraps every object store it builds with
// WithTestFaultHooks, which reads the environment once per process; with the variable unset or
// empty it returns the store unchanged, so production pays nothing.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/object_store.h"

namespace pixfleet {

inline constexpr const char* kCrashOnInputEnv = "PIXFLEET_FAULT_CRASH_ON_INPUT";

// A decorator whose Get() calls `crash` (std::abort unless a test passes another action) before
// reading a key that contains `needle`. Every other call, and Get() of other keys, goes straight
// to the wrapped store.
class CrashOnInputObjectStore final : public ObjectStore {
 public:
  CrashOnInputObjectStore(
      std::unique_ptr<ObjectStore> base, std::string needle,
      std::function<void()> crash = [] { std::abort(); });

  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  Result<std::optional<ObjectInfo>> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Status List(std::string_view prefix,
              const std::function<Status(const ObjectInfo&)>& visit) override;
  Status ListReportingSkips(std::string_view prefix,
                            const std::function<Status(const ObjectInfo&)>& visit,
                            const std::function<void(const SkippedEntry&)>& skipped) override;

 private:
  const std::unique_ptr<ObjectStore> base_;
  const std::string needle_;
  const std::function<void()> crash_;
};

// `store` wrapped in the hooks that `crash_on_input` (the value of PIXFLEET_FAULT_CRASH_ON_INPUT)
// turns on; `store` itself when it is empty.
std::unique_ptr<ObjectStore> WithTestFaultHooks(std::unique_ptr<ObjectStore> store,
                                                const std::string& crash_on_input);
// The same, with the value read from the environment (once per process).
std::unique_ptr<ObjectStore> WithTestFaultHooks(std::unique_ptr<ObjectStore> store);

}  // namespace pixfleet
