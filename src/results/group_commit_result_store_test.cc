// GroupCommitResultStore: calls that arrive while a write is in progress are merged into the
// next write; a permanent error fails only the call whose row caused it; a retryable one fails
// the whole group; max_rows bounds a write. The inner store is the in-memory fake behind a gate
// that holds the first write until the test has queued the others.
#include "results/group_commit_result_store.h"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "results/memory/in_memory_result_store.h"
#include "results/result_store_wrapper.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

// Forwards to an in-memory store; records the row count of every write; can hold the first
// write until Open() and fail writes with a chosen status.
// The store it forwards to, as a base constructed before the wrapper (base-from-member).
struct MemoryHolder {
  explicit MemoryHolder(Clock& clock) : memory(clock) {}
  InMemoryResultStore memory;
};

class GatedStore final : private MemoryHolder, public ResultStoreWrapper {
 public:
  explicit GatedStore(Clock& clock) : MemoryHolder(clock), ResultStoreWrapper(memory) {}

  Status RecordResults(std::span<const TaskResult> rows) override {
    std::unique_lock lock(mutex_);
    write_sizes_.push_back(rows.size());
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    if (!fail_with_.ok()) return fail_with_;
    lock.unlock();
    return ResultStoreWrapper::RecordResults(rows);
  }

  void WaitForWrites(size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return write_sizes_.size() >= n; });
  }
  void Open(Status fail_with = Status::Ok()) {
    std::lock_guard lock(mutex_);
    open_ = true;
    fail_with_ = std::move(fail_with);
    changed_.notify_all();
  }
  std::vector<size_t> WriteSizes() {
    std::lock_guard lock(mutex_);
    return write_sizes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  Status fail_with_;
  std::vector<size_t> write_sizes_;
};

TaskResult Row(const std::string& id, const std::string& batch = "b1") {
  TaskResult row;
  row.task_id = id;
  row.batch_id = batch;  // empty: a permanent error (ValidateResult)
  row.input_key = id + ".jpg";
  row.attempts = 1;
  return row;
}

class GroupCommitTest : public ::testing::Test {
 protected:
  // Starts a call for the first entry and waits until it is inside the (held) inner write, then
  // starts one call per other entry and waits until all of them are queued behind it.
  void StartHeldWriteThenQueue(std::vector<std::vector<TaskResult>> first_and_queued) {
    calls_ = std::move(first_and_queued);
    statuses_.resize(calls_.size());
    threads_.emplace_back([this] { statuses_[0] = store_.RecordResults(calls_[0]); });
    gated_.WaitForWrites(1);
    // One at a time, each queued before the next starts, so that the queue's order is the
    // order of `first_and_queued`.
    for (size_t i = 1; i < calls_.size(); ++i) {
      threads_.emplace_back([this, i] { statuses_[i] = store_.RecordResults(calls_[i]); });
      while (store_.Stats().calls < static_cast<int64_t>(i + 1)) std::this_thread::yield();
    }
  }
  void JoinAll() {
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  FakeClock clock_;
  GatedStore gated_{clock_};
  GroupCommitResultStore store_{gated_, GroupCommitOptions{.max_rows = 4}};
  std::vector<std::vector<TaskResult>> calls_;
  std::vector<Status> statuses_;
  std::vector<std::thread> threads_;
};

TEST_F(GroupCommitTest, CallsArrivingDuringAWriteShareTheNextOne) {
  StartHeldWriteThenQueue({{Row("t0")}, {Row("t1")}, {Row("t2")}, {Row("t3")}});
  gated_.Open();
  JoinAll();
  for (const Status& status : statuses_) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(gated_.WriteSizes(), (std::vector<size_t>{1, 3}));
  for (const char* id : {"t0", "t1", "t2", "t3"}) {
    const Result<std::optional<TaskResult>> row = store_.GetResult(id);
    ASSERT_TRUE(row.ok());
    EXPECT_TRUE(row->has_value()) << id;
  }
  EXPECT_EQ(store_.Stats().calls, 4);
  EXPECT_EQ(store_.Stats().writes, 2);
}

TEST_F(GroupCommitTest, APermanentErrorFailsOnlyTheCallWhoseRowCausedIt) {
  StartHeldWriteThenQueue({{Row("t0")}, {Row("t1")}, {Row("bad", "")}, {Row("t3")}});
  gated_.Open();
  JoinAll();
  EXPECT_TRUE(statuses_[0].ok());
  EXPECT_TRUE(statuses_[1].ok()) << statuses_[1].ToString();
  EXPECT_EQ(statuses_[2].code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(statuses_[3].ok()) << statuses_[3].ToString();
  // The merged write of 3 failed, then each of its calls was written alone.
  EXPECT_EQ(gated_.WriteSizes(), (std::vector<size_t>{1, 3, 1, 1, 1}));
  const Result<std::optional<TaskResult>> t3 = store_.GetResult("t3");
  ASSERT_TRUE(t3.ok());
  EXPECT_TRUE(t3->has_value());
}

TEST_F(GroupCommitTest, ARetryableErrorFailsTheWholeGroupWithoutRewriting) {
  StartHeldWriteThenQueue({{Row("t0")}, {Row("t1")}, {Row("t2")}});
  gated_.Open(Unavailable("connection lost"));
  JoinAll();
  for (const Status& status : statuses_) EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(gated_.WriteSizes(), (std::vector<size_t>{1, 2}));
}

TEST_F(GroupCommitTest, AWriteHoldsAtMostMaxRowsUnlessOneCallHasMore) {
  StartHeldWriteThenQueue({{Row("t0")},
                           {Row("a1"), Row("a2")},
                           {Row("b1"), Row("b2")},
                           {Row("c1")},
                           {Row("d1"), Row("d2"), Row("d3"), Row("d4"), Row("d5")}});
  gated_.Open();
  JoinAll();
  for (const Status& status : statuses_) EXPECT_TRUE(status.ok()) << status.ToString();
  // FIFO: a1+a2+b1+b2 fill 4; c1 cannot join d's five, which go alone.
  EXPECT_EQ(gated_.WriteSizes(), (std::vector<size_t>{1, 4, 1, 5}));
}

TEST(GroupCommitStandaloneTest, ASingleCallerWritesAtOnce) {
  InMemoryResultStore inner;
  GroupCommitResultStore store(inner);
  const std::vector<TaskResult> rows = {Row("t0"), Row("t1")};
  ASSERT_TRUE(store.RecordResults(rows).ok());
  EXPECT_EQ(store.Stats().writes, 1);
  const Result<std::optional<TaskResult>> row = inner.GetResult("t1");
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(row->has_value());
}

}  // namespace
}  // namespace pixfleet
