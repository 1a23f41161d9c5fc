// Test-only fault hooks: NOT a feature. They let end-to-end tests make a real worker process
// fail or dawdle in ways that cannot be injected from outside: a crash on one input (a poison
// message, as a decoder bug would make), or a task that stays in flight long enough to be caught
// by a stop. Off unless the environment asks for them:
//
//   PIXFLEET_FAULT_CRASH_ON_INPUT=<substring>   every Get() or Fetch() of an object whose key
//                                               contains <substring> calls std::abort() (SIGABRT)
//   PIXFLEET_FAULT_SLOW_INPUT=<substring>:<ms>  every Get() or Fetch() of an object whose key
//                                               contains <substring> first waits <ms>
//                                               milliseconds on the store's Clock, a wait the
//                                               store's cancel token ends (then the call is
//                                               kCancelled)
//
// The composition root (MakeObjectStore) wraps every object store it builds with
// WithTestFaultHooks, which reads the environment once per process; with the variables unset or
// empty it returns the store unchanged, so production pays nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "storage/object_store_wrapper.h"

namespace pixfleet {

inline constexpr const char* kCrashOnInputEnv = "PIXFLEET_FAULT_CRASH_ON_INPUT";
inline constexpr const char* kSlowInputEnv = "PIXFLEET_FAULT_SLOW_INPUT";

// The hooks' settings, as the environment gives them.
struct TestFaultHooks {
  std::string crash_on_input;  // PIXFLEET_FAULT_CRASH_ON_INPUT
  std::string slow_input;      // PIXFLEET_FAULT_SLOW_INPUT, "<substring>:<ms>"
};

// A decorator whose Get() and Fetch() call `crash` (std::abort unless a test passes another
// action) before reading a key that contains `needle`. Every other call, and reads of other keys,
// go straight to the wrapped store.
class CrashOnInputObjectStore final : public ObjectStoreWrapper {
 public:
  CrashOnInputObjectStore(
      std::unique_ptr<ObjectStore> base, std::string needle,
      std::function<void()> crash = [] { std::abort(); });

  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;

 private:
  // Crashes if `key` is one to crash on.
  void BeforeRead(std::string_view key) const;

  const std::string needle_;
  const std::function<void()> crash_;
};

// A decorator whose Get() and Fetch() of a key that contains `needle` first wait `delay` on
// `clock`, or until `cancel` is requested (then kCancelled, nothing read).
class SlowInputObjectStore final : public ObjectStoreWrapper {
 public:
  SlowInputObjectStore(std::unique_ptr<ObjectStore> base, std::string needle,
                       std::chrono::milliseconds delay, Clock& clock, std::stop_token cancel);

  Result<std::string> Get(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;
  Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes = UINT64_MAX) override;

 private:
  // Waits if `key` is a slow one: OK, or kCancelled when cancelled meanwhile.
  Status BeforeRead(std::string_view key) const;

  const std::string needle_;
  const std::chrono::milliseconds delay_;
  Clock& clock_;
  const std::stop_token cancel_;
};

// `store` wrapped in the hooks that `hooks` turns on; `store` itself when none is. `clock` and
// `cancel` are the slow input's.
std::unique_ptr<ObjectStore> WithTestFaultHooks(std::unique_ptr<ObjectStore> store,
                                                const TestFaultHooks& hooks, Clock& clock,
                                                std::stop_token cancel = {});
// The same, with the hooks read from the environment (once per process).
std::unique_ptr<ObjectStore> WithTestFaultHooks(std::unique_ptr<ObjectStore> store, Clock& clock,
                                                std::stop_token cancel = {});

}  // namespace pixfleet
