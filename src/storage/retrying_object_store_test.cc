// RetryingObjectStore: which errors are retried, how often, how long it sleeps (on a FakeClock),
// that a Fetch is retried as a Get is, and that a List retried part-way shows each key once.
#include "storage/retrying_object_store.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/fault_injecting_object_store.h"
#include "storage/memory/in_memory_object_store.h"
#include "storage/object_store_wrapper.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

using std::chrono::milliseconds;

constexpr BackoffPolicy kPolicy{
    .base = milliseconds(100), .cap = milliseconds(1000), .max_attempts = 5};

class RetryingObjectStoreTest : public ::testing::Test {
 protected:
  RetryingObjectStoreTest() {
    auto faults =
        std::make_unique<FaultInjectingObjectStore>(std::make_unique<InMemoryObjectStore>());
    faults_ = faults.get();
    store_ = std::make_unique<RetryingObjectStore>(
        std::move(faults), clock_, RetryOptions{.backoff = kPolicy, .jitter_seed = 42});
  }

  milliseconds Slept() const {
    return std::chrono::duration_cast<milliseconds>(clock_.MonotonicNow() - start_);
  }

  mutable FakeClock clock_;
  const std::chrono::steady_clock::time_point start_ = clock_.MonotonicNow();
  FaultInjectingObjectStore* faults_ = nullptr;  // owned by store_
  std::unique_ptr<RetryingObjectStore> store_;
};

TEST_F(RetryingObjectStoreTest, RetriesUnavailableUntilItSucceeds) {
  faults_->FailNext(ObjectOperation::kPut, 3, Unavailable("bucket throttled"));
  ASSERT_TRUE(store_->Put("k", "v", "").ok());
  EXPECT_EQ(faults_->Calls(ObjectOperation::kPut), 4);
  EXPECT_EQ(*store_->Get("k"), "v");
  // Three sleeps, each at least 1 ms and at most the backoff ceiling for its attempt.
  EXPECT_GE(Slept(), milliseconds(3));
  EXPECT_LE(Slept(), milliseconds(100 + 200 + 400));
}

TEST(RetryingObjectStoreCancelTest, ACancelEndsTheBackoffAndTheCall) {
  FakeClock clock;
  std::stop_source cancel;
  auto faults =
      std::make_unique<FaultInjectingObjectStore>(std::make_unique<InMemoryObjectStore>());
  FaultInjectingObjectStore& injected = *faults;
  RetryingObjectStore store(std::move(faults), clock,
                            RetryOptions{.backoff = kPolicy, .jitter_seed = 42},
                            cancel.get_token());
  injected.FailNext(ObjectOperation::kGet, 5, Unavailable("bucket throttled"));
  cancel.request_stop();  // as a worker's grace period runs out
  const auto start = clock.MonotonicNow();
  auto got = store.Get("k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCancelled) << got.status().ToString();
  EXPECT_EQ(injected.Calls(ObjectOperation::kGet), 1);  // no second attempt
  EXPECT_EQ(clock.MonotonicNow(), start);               // and no wait
}

TEST(RetryingObjectStoreFetchTest, FetchIsRetriedAsGetIs) {
  TempDir copies;
  FakeClock clock;
  auto faults = std::make_unique<FaultInjectingObjectStore>(
      std::make_unique<InMemoryObjectStore>(copies.path()));
  FaultInjectingObjectStore& injected = *faults;
  RetryingObjectStore store(std::move(faults), clock,
                            RetryOptions{.backoff = kPolicy, .jitter_seed = 42});
  ASSERT_TRUE(store.Put("in/a.jpg", "pixels", "").ok());
  injected.FailNext(ObjectOperation::kFetch, 2, Unavailable("connection reset"));
  auto fetched = store.Fetch("in/a.jpg");
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(ReadFileForTest(fetched->Path()), "pixels");
  EXPECT_EQ(injected.Calls(ObjectOperation::kFetch), 3);
  EXPECT_EQ(injected.Calls(ObjectOperation::kGet), 0);  // fetched, never read into memory
  // Up to max_attempts, then the last error with the count.
  injected.FailNext(ObjectOperation::kFetch, 5, Unavailable("bucket down"));
  const Status exhausted = store.Fetch("in/a.jpg").status();
  EXPECT_EQ(exhausted.code(), StatusCode::kUnavailable);
  EXPECT_NE(exhausted.message().find("fetch in/a.jpg failed after 5 attempts"), std::string::npos)
      << exhausted.ToString();
  EXPECT_EQ(injected.Calls(ObjectOperation::kFetch), 8);
  // A permanent error returns at once.
  injected.FailNext(ObjectOperation::kFetch, 1, FailedPrecondition("no room for copies"));
  EXPECT_EQ(store.Fetch("in/a.jpg").status(), FailedPrecondition("no room for copies"));
  EXPECT_EQ(store.Fetch("absent").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(injected.Calls(ObjectOperation::kFetch), 10);
}

TEST_F(RetryingObjectStoreTest, RetriesDeadlineExceeded) {
  faults_->FailNext(ObjectOperation::kHead, 1, DeadlineExceeded("timed out"));
  auto head = store_->Head("k");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(faults_->Calls(ObjectOperation::kHead), 2);
}

TEST_F(RetryingObjectStoreTest, PermanentErrorsReturnAtOnce) {
  faults_->FailNext(ObjectOperation::kPut, 1, FailedPrecondition("disk full"));
  EXPECT_EQ(store_->Put("k", "v", ""), FailedPrecondition("disk full"));
  EXPECT_EQ(faults_->Calls(ObjectOperation::kPut), 1);
  faults_->FailNext(ObjectOperation::kGet, 1, InvalidArgument("corrupt request"));
  auto got = store_->Get("k");
  EXPECT_EQ(got.status(), InvalidArgument("corrupt request"));
  EXPECT_EQ(faults_->Calls(ObjectOperation::kGet), 1);
  EXPECT_EQ(Slept(), milliseconds(0));
  // A missing object is an answer, not a failure to retry.
  EXPECT_EQ(store_->Get("absent").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(faults_->Calls(ObjectOperation::kGet), 2);
}

TEST_F(RetryingObjectStoreTest, TheWriteProbeIsRetriedOnlyWhileTheStoreIsUnreachable) {
  faults_->FailNext(ObjectOperation::kCheckWritable, 2, Unavailable("connection refused"));
  ASSERT_TRUE(store_->CheckWritable().ok());
  EXPECT_EQ(faults_->Calls(ObjectOperation::kCheckWritable), 3);
  const milliseconds slept = Slept();
  faults_->FailNext(ObjectOperation::kCheckWritable, 1, FailedPrecondition("no such bucket"));
  EXPECT_EQ(store_->CheckWritable(), FailedPrecondition("no such bucket"));
  EXPECT_EQ(faults_->Calls(ObjectOperation::kCheckWritable), 4);
  EXPECT_EQ(Slept(), slept);
}

TEST_F(RetryingObjectStoreTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  faults_->FailAll(Unavailable("disk full"));
  const Status status = store_->Put("k", "v", "");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("after 5 attempts"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("disk full"), std::string::npos);
  EXPECT_NE(status.message().find("put k"), std::string::npos);
  EXPECT_EQ(faults_->Calls(ObjectOperation::kPut), 5);
  EXPECT_LE(Slept(), milliseconds(100 + 200 + 400 + 800));
  faults_->Heal();
  EXPECT_TRUE(store_->Put("k", "v", "").ok());
}

TEST_F(RetryingObjectStoreTest, TheSameSeedReplaysTheSameDelays) {
  FakeClock other_clock;
  auto other_faults =
      std::make_unique<FaultInjectingObjectStore>(std::make_unique<InMemoryObjectStore>());
  other_faults->FailAll(Unavailable("down"));
  RetryingObjectStore other(std::move(other_faults), other_clock,
                            RetryOptions{.backoff = kPolicy, .jitter_seed = 42});
  const auto other_start = other_clock.MonotonicNow();
  faults_->FailAll(Unavailable("down"));
  EXPECT_FALSE(store_->Delete("k").ok());
  EXPECT_FALSE(other.Delete("k").ok());
  EXPECT_EQ(Slept(), other_clock.MonotonicNow() - other_start);
}

// Fails the first List after visiting `fail_after` keys, as a connection dropping mid-listing.
class FlakyListStore final : public ObjectStoreWrapper {
 public:
  explicit FlakyListStore(int fail_after)
      : ObjectStoreWrapper(std::make_unique<InMemoryObjectStore>()), fail_after_(fail_after) {}
  ObjectStore& Inner() { return Target(); }
  int Lists() const { return lists_; }

  Status List(std::string_view prefix,
              const std::function<Status(const ObjectInfo&)>& visit) override {
    ++lists_;
    int visited = 0;
    const bool fail = lists_ == 1;
    return Target().List(prefix, [&](const ObjectInfo& info) {
      if (fail && visited == fail_after_) return Unavailable("connection reset");
      ++visited;
      return visit(info);
    });
  }

 private:
  const int fail_after_;
  int lists_ = 0;
};

TEST(RetryingObjectStoreListTest, ARetriedListingVisitsEachKeyOnce) {
  FakeClock clock;
  auto flaky = std::make_unique<FlakyListStore>(2);
  FlakyListStore* raw = flaky.get();
  for (const char* key : {"a", "b", "c", "d"}) ASSERT_TRUE(raw->Inner().Put(key, "x", "").ok());
  RetryingObjectStore store(std::move(flaky), clock,
                            RetryOptions{.backoff = kPolicy, .jitter_seed = 7});
  std::vector<std::string> seen;
  const Status status = store.List("", [&](const ObjectInfo& info) {
    seen.push_back(info.key);
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(raw->Lists(), 2);
}

TEST_F(RetryingObjectStoreTest, TheVisitorsOwnErrorIsNeverRetried) {
  ASSERT_TRUE(store_->Put("a", "x", "").ok());
  const Status status =
      store_->List("", [](const ObjectInfo&) { return Unavailable("downstream queue is down"); });
  EXPECT_EQ(status, Unavailable("downstream queue is down"));
  EXPECT_EQ(faults_->Calls(ObjectOperation::kList), 1);
  EXPECT_EQ(Slept(), milliseconds(0));
}

}  // namespace
}  // namespace pixfleet
