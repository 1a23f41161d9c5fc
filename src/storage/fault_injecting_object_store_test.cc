// FaultInjectingObjectStore: scripted failures hit the right operation the right number of
// times, FailAll lasts until Heal, and calls are counted whether they fail or not.
#include "storage/fault_injecting_object_store.h"

#include <memory>

#include <gtest/gtest.h>

#include "storage/memory/in_memory_object_store.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

TEST(FaultInjectingObjectStoreTest, FailNextFailsOnlyThatOperationNTimes) {
  FaultInjectingObjectStore store(std::make_unique<InMemoryObjectStore>());
  store.FailNext(ObjectOperation::kPut, 2, Unavailable("injected"));
  EXPECT_EQ(store.Put("k", "v", ""), Unavailable("injected"));
  EXPECT_TRUE(store.Head("k").ok());  // other operations pass through
  EXPECT_EQ(store.Put("k", "v", ""), Unavailable("injected"));
  EXPECT_TRUE(store.Put("k", "v", "").ok());
  EXPECT_EQ(*store.Get("k"), "v");
  EXPECT_EQ(store.Calls(ObjectOperation::kPut), 3);
  EXPECT_EQ(store.Calls(ObjectOperation::kHead), 1);
  EXPECT_EQ(store.Calls(ObjectOperation::kGet), 1);
  EXPECT_EQ(store.InjectedFailures(), 2);
}

TEST(FaultInjectingObjectStoreTest, FailAllLastsUntilHeal) {
  FaultInjectingObjectStore store(std::make_unique<InMemoryObjectStore>());
  ASSERT_TRUE(store.Put("k", "v", "").ok());
  store.FailAll(Unavailable("disk gone"));
  EXPECT_EQ(store.Get("k").status(), Unavailable("disk gone"));
  EXPECT_EQ(store.Delete("k"), Unavailable("disk gone"));
  EXPECT_EQ(store.List("", [](const ObjectInfo&) { return Status::Ok(); }),
            Unavailable("disk gone"));
  store.Heal();
  EXPECT_EQ(*store.Get("k"), "v");  // the failed Delete never reached the store
  EXPECT_EQ(store.Calls(ObjectOperation::kList), 1);
  EXPECT_EQ(store.InjectedFailures(), 3);
}

TEST(FaultInjectingObjectStoreTest, HealClearsScriptedFailures) {
  FaultInjectingObjectStore store(std::make_unique<InMemoryObjectStore>());
  store.FailNext(ObjectOperation::kGet, 10, DeadlineExceeded("slow"));
  store.Heal();
  EXPECT_EQ(store.Get("k").status().code(), StatusCode::kNotFound);
}

TEST(FaultInjectingObjectStoreTest, TheWriteProbeIsAnOperationOfItsOwn) {
  FaultInjectingObjectStore store(std::make_unique<InMemoryObjectStore>());
  store.FailNext(ObjectOperation::kCheckWritable, 1, FailedPrecondition("bucket gone"));
  EXPECT_TRUE(store.Put("k", "v", "").ok());
  EXPECT_EQ(store.CheckWritable(), FailedPrecondition("bucket gone"));
  EXPECT_TRUE(store.CheckWritable().ok());
  EXPECT_EQ(store.Calls(ObjectOperation::kCheckWritable), 2);
  // The wrapped store probes through its own Put, not through this decorator's.
  EXPECT_EQ(store.Calls(ObjectOperation::kPut), 1);
  store.FailAll(FailedPrecondition("disk full"));
  EXPECT_EQ(store.CheckWritable(), FailedPrecondition("disk full"));
}

TEST(FaultInjectingObjectStoreTest, FetchIsAnOperationOfItsOwn) {
  TempDir copies;
  FaultInjectingObjectStore store(std::make_unique<InMemoryObjectStore>(copies.path()));
  ASSERT_TRUE(store.Put("k", "v", "").ok());
  store.FailNext(ObjectOperation::kGet, 1, Unavailable("get fails"));
  auto fetched = store.Fetch("k");  // a scripted Get failure leaves Fetch alone
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(ReadFileForTest(fetched->Path()), "v");
  store.FailNext(ObjectOperation::kFetch, 1, DeadlineExceeded("slow"));
  EXPECT_EQ(store.Fetch("k").status(), DeadlineExceeded("slow"));
  EXPECT_EQ(store.Get("k").status(), Unavailable("get fails"));  // and the other way round
  EXPECT_TRUE(store.Fetch("k").ok());
  store.FailAll(Unavailable("disk gone"));
  EXPECT_EQ(store.Fetch("k").status(), Unavailable("disk gone"));
  EXPECT_EQ(store.Calls(ObjectOperation::kFetch), 4);
  EXPECT_EQ(store.Calls(ObjectOperation::kGet), 1);
  EXPECT_EQ(store.InjectedFailures(), 3);
}

}  // namespace
}  // namespace pixfleet
