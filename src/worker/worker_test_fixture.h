// A worker wired to in-memory fakes: FakeClock, InMemoryTaskQueue, InMemoryResultStore, and
// fault-injecting in-memory object stores for a batch's inputs (fetched as temporary copies in
// input_copies_, so that a test sees them come and go) and outputs; and forwarding queue and
// result store wrappers whose calls a test can make fail.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "imaging/engine.h"
#include "queue/memory/in_memory_task_queue.h"
#include "results/memory/in_memory_result_store.h"
#include "results/result_store_wrapper.h"
#include "storage/fault_injecting_object_store.h"
#include "storage/memory/in_memory_object_store.h"
#include "storage/object_store_wrapper.h"
#include "testing/fake_clock.h"
#include "testing/scripted_task_queue.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"
#include "worker/task_processor.h"

namespace pixfleet {

// Forwards to a store owned elsewhere, so the test keeps its fault injector while the catalog
// owns what the factory returned. `before_get`, when set, runs before each Get or Fetch (a slow
// fetch).
class ForwardingObjectStore final : public ObjectStoreWrapper {
 public:
  explicit ForwardingObjectStore(ObjectStore& target,
                                 std::function<void(std::string_view key)> before_get = {})
      : ObjectStoreWrapper(target), before_get_(std::move(before_get)) {}
  Result<std::string> Get(std::string_view key, uint64_t max_bytes) override {
    if (before_get_) before_get_(key);
    return ObjectStoreWrapper::Get(key, max_bytes);
  }
  Result<LocalObject> Fetch(std::string_view key, uint64_t max_bytes) override {
    if (before_get_) before_get_(key);
    return ObjectStoreWrapper::Fetch(key, max_bytes);
  }

 private:
  std::function<void(std::string_view key)> before_get_;
};

// Forwards to another result store, except that RecordResults fails with `record_error` once set.
class ScriptedResultStore final : public ResultStoreWrapper {
 public:
  explicit ScriptedResultStore(ResultStore& inner) : ResultStoreWrapper(inner) {}
  void SetRecordError(Status error) {
    std::lock_guard lock(mutex_);
    record_error_ = std::move(error);
  }

  Status RecordResults(std::span<const TaskResult> results) override {
    {
      std::lock_guard lock(mutex_);
      if (!record_error_.ok()) return record_error_;
    }
    return ResultStoreWrapper::RecordResults(results);
  }

 private:
  std::mutex mutex_;
  Status record_error_;  // guarded by mutex_
};

inline constexpr const char* kTestRecipe = R"(name: test
outputs:
  - name: large
    ops: [auto-rotate, srgb, {resize: {fit: inside, width: 64, height: 64}}]
    format: jpeg
  - name: thumb
    ops: [auto-rotate, {resize: {fit: cover, width: 16, height: 16, gravity: attention}}]
    format: webp
analyses: [width, height, dhash, sha256]
)";

class WorkerFixture : public ::testing::Test {
 protected:
  static constexpr const char* kBatchId = "b-test";

  // Tests of one step let sleeps move time (kAdvanceOnSleep); tests of a Worker's threads use
  // kBlockUntilAdvanced and move time themselves, since an idle slot sleeping on a clock that
  // advances on sleep would move time (and lapse leases) for everyone.
  explicit WorkerFixture(FakeClock::Mode mode = FakeClock::Mode::kAdvanceOnSleep) : clock_(mode) {}

  void SetUp() override {
    ASSERT_TRUE(InitImageEngine(EngineOptions{}).ok());
    Batch batch;
    batch.id = kBatchId;
    batch.source_url = "mem://in";
    batch.output_url = "mem://out";
    batch.recipe_yaml = kTestRecipe;
    ASSERT_TRUE(results_.PutBatch(batch).ok());
  }

  TaskQueueOptions QueueOptions() {
    TaskQueueOptions options;
    options.lease_duration = std::chrono::seconds(30);
    options.delivery_limit = 10;
    return options;
  }

  // Puts a generated JPEG at `key` and publishes its task; returns the task id.
  std::string AddImage(const std::string& key, uint32_t seed = 1) {
    TestImageSpec spec;
    spec.width = 120;
    spec.height = 90;
    spec.seed = seed;
    auto bytes = MakeTestImage(spec);
    EXPECT_TRUE(bytes.ok());
    return AddInput(key, bytes.ok() ? *bytes : std::string());
  }

  std::string AddInput(const std::string& key, const std::string& bytes) {
    EXPECT_TRUE(inputs_.Put(key, bytes, "image/jpeg").ok());
    const TaskSpec task{MakeTaskId(kBatchId, key), kBatchId, key};
    EXPECT_TRUE(queue_.Publish({&task, 1}).ok());
    return task.task_id;
  }

  Lease LeaseOne() {
    auto lease = queue_.LeaseNext(std::chrono::milliseconds(0));
    EXPECT_TRUE(lease.ok() && lease->has_value());
    return lease.ok() && lease->has_value() ? **lease : Lease{};
  }

  std::optional<TaskResult> Row(const std::string& task_id) {
    auto row = results_.GetResult(task_id);
    EXPECT_TRUE(row.ok());
    return row.ok() ? *row : std::nullopt;
  }

  FakeClock clock_;
  InMemoryTaskQueue queue_{clock_, QueueOptions()};
  InMemoryResultStore results_{clock_};
  TempDir input_copies_;  // where fetching an input writes its temporary copy
  FaultInjectingObjectStore inputs_{std::make_unique<InMemoryObjectStore>(input_copies_.path())};
  FaultInjectingObjectStore outputs_{std::make_unique<InMemoryObjectStore>()};
  // Runs before every fetch of an input (set it before the first task runs).
  std::function<void(std::string_view key)> before_input_get_;
  // What opening the batch's output store returns, when not OK (set before the first task).
  Status output_store_error_;
  BatchCatalog catalog_{
      results_, [this](std::string_view url) -> Result<std::unique_ptr<ObjectStore>> {
        if (url == "mem://in") {
          return std::unique_ptr<ObjectStore>(
              std::make_unique<ForwardingObjectStore>(inputs_, [this](std::string_view key) {
                if (before_input_get_) before_input_get_(key);
              }));
        }
        if (!output_store_error_.ok()) return output_store_error_;
        return std::unique_ptr<ObjectStore>(std::make_unique<ForwardingObjectStore>(outputs_));
      }};
  TaskProcessorOptions ProcessorOptions() {
    TaskProcessorOptions options;
    options.retry.base = std::chrono::milliseconds(100);
    options.retry.cap = std::chrono::milliseconds(1000);
    options.retry.max_attempts = 3;
    return options;
  }
  TaskProcessor processor_{queue_, results_, catalog_, clock_, ProcessorOptions()};
};

}  // namespace pixfleet
