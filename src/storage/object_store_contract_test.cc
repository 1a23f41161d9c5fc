// The ObjectStore contract (object_store_contract.h) run against the in-process backends: the
// in-memory fake, the local folder, and the decorators (the retrying one and the fault injector
// over the fake, the forwarding base every decorator builds on over the local folder).
// Backend-specific behaviour is tested beside each backend; S3 runs the same suite in
// tests/integration/storage.
#include "storage/object_store_contract.h"

#include <memory>

#include "storage/fault_injecting_object_store.h"
#include "storage/local/local_object_store.h"
#include "storage/memory/in_memory_object_store.h"
#include "storage/object_store_wrapper.h"
#include "storage/retrying_object_store.h"

namespace pixfleet {
namespace {

Result<std::unique_ptr<ObjectStore>> MakeMemory(const ObjectStoreContractContext& context) {
  return std::unique_ptr<ObjectStore>(
      std::make_unique<InMemoryObjectStore>(context.fetch_temp_folder));
}

Result<std::unique_ptr<ObjectStore>> MakeLocal(const ObjectStoreContractContext& context) {
  PIXFLEET_ASSIGN_OR_RETURN(
      auto local,
      LocalObjectStore::Open(context.dir.Join("root"), {.create_root = true, .fsync = false}));
  return std::unique_ptr<ObjectStore>(std::move(local));
}

Result<std::unique_ptr<ObjectStore>> MakeRetryingMemory(const ObjectStoreContractContext& context) {
  return std::unique_ptr<ObjectStore>(std::make_unique<RetryingObjectStore>(
      std::make_unique<InMemoryObjectStore>(context.fetch_temp_folder), context.clock,
      RetryOptions{.backoff = {}, .jitter_seed = 1}));
}

Result<std::unique_ptr<ObjectStore>> MakeFaultInjectingMemory(
    const ObjectStoreContractContext& context) {
  return std::unique_ptr<ObjectStore>(std::make_unique<FaultInjectingObjectStore>(
      std::make_unique<InMemoryObjectStore>(context.fetch_temp_folder)));
}

Result<std::unique_ptr<ObjectStore>> MakeForwardingLocal(
    const ObjectStoreContractContext& context) {
  PIXFLEET_ASSIGN_OR_RETURN(auto local, MakeLocal(context));
  return std::unique_ptr<ObjectStore>(std::make_unique<ObjectStoreWrapper>(std::move(local)));
}

INSTANTIATE_TEST_SUITE_P(
    Backends, ObjectStoreContractTest,
    ::testing::Values(ObjectStoreContractBackend{"memory", MakeMemory},
                      ObjectStoreContractBackend{"local", MakeLocal},
                      ObjectStoreContractBackend{"retrying(memory)", MakeRetryingMemory},
                      ObjectStoreContractBackend{"faultinjecting(memory)",
                                                 MakeFaultInjectingMemory},
                      ObjectStoreContractBackend{"forwarding(local)", MakeForwardingLocal}),
    ObjectStoreContractTestName);

}  // namespace
}  // namespace pixfleet
