#include "wiring/test_fault_hooks.h"

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "storage/memory/in_memory_object_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"
#include "wiring/backends.h"

namespace pixfleet {
namespace {

std::unique_ptr<ObjectStore> StoreWith(std::initializer_list<std::string> keys) {
  auto store = std::make_unique<InMemoryObjectStore>();
  for (const std::string& key : keys) EXPECT_TRUE(store->Put(key, "bytes of " + key, "").ok());
  return store;
}

TEST(TestFaultHooksTest, UnsetLeavesTheStoreAsItIs) {
  auto store = StoreWith({"a/poison.jpg"});
  ObjectStore* const raw = store.get();
  EXPECT_EQ(WithTestFaultHooks(std::move(store), TestFaultHooks{}, RealClock::Instance()).get(),
            raw);
}

TEST(TestFaultHooksTest, CrashesOnGetOfAMatchingKeyOnly) {
  int crashes = 0;
  CrashOnInputObjectStore store(StoreWith({"a/poison-1.jpg", "a/fine.jpg"}), "poison",
                                [&crashes] { ++crashes; });
  auto fine = store.Get("a/fine.jpg");
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(*fine, "bytes of a/fine.jpg");
  EXPECT_EQ(crashes, 0);
  // Head, List and Put of the key pass: only reading the input crashes, as a decoder would.
  auto head = store.Head("a/poison-1.jpg");
  ASSERT_TRUE(head.ok());
  EXPECT_TRUE(head->has_value());
  int listed = 0;
  EXPECT_TRUE(store
                  .List("a/",
                        [&listed](const ObjectInfo&) {
                          ++listed;
                          return Status::Ok();
                        })
                  .ok());
  EXPECT_EQ(listed, 2);
  EXPECT_TRUE(store.Put("a/poison-2.jpg", "x", "").ok());
  EXPECT_EQ(crashes, 0);
  // The action here returns, so the read then proceeds; the real one never returns.
  EXPECT_TRUE(store.Get("a/poison-1.jpg").ok());
  EXPECT_EQ(crashes, 1);
  // A worker fetches its input as a file: that crashes too.
  EXPECT_TRUE(store.Fetch("a/fine.jpg").ok());
  EXPECT_EQ(crashes, 1);
  EXPECT_TRUE(store.Fetch("a/poison-1.jpg").ok());
  EXPECT_EQ(crashes, 2);
}

TEST(TestFaultHooksTest, SlowInputWaitsOnTheClockForMatchingKeysOnly) {
  FakeClock clock;  // advances on each wait by the wait's length
  auto store = WithTestFaultHooks(StoreWith({"in/slow-1.jpg", "in/fine.jpg"}),
                                  TestFaultHooks{"", "slow:1500"}, clock);
  const auto start = clock.MonotonicNow();
  EXPECT_TRUE(store->Get("in/fine.jpg").ok());
  EXPECT_EQ(clock.MonotonicNow() - start, std::chrono::milliseconds(0));
  auto slow = store->Get("in/slow-1.jpg");
  ASSERT_TRUE(slow.ok()) << slow.status().ToString();
  EXPECT_EQ(*slow, "bytes of in/slow-1.jpg");
  EXPECT_EQ(clock.MonotonicNow() - start, std::chrono::milliseconds(1500));
  // Fetch, as a worker reads its input, waits the same.
  EXPECT_TRUE(store->Fetch("in/fine.jpg").ok());
  EXPECT_EQ(clock.MonotonicNow() - start, std::chrono::milliseconds(1500));
  auto fetched = store->Fetch("in/slow-1.jpg");
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(ReadFileForTest(fetched->Path()), "bytes of in/slow-1.jpg");
  EXPECT_EQ(clock.MonotonicNow() - start, std::chrono::milliseconds(3000));
}

TEST(TestFaultHooksTest, SlowInputEndsAtOnceWhenCancelled) {
  FakeClock clock;
  std::stop_source cancel;
  cancel.request_stop();
  auto store = WithTestFaultHooks(StoreWith({"in/slow.jpg"}), TestFaultHooks{"", "slow:60000"},
                                  clock, cancel.get_token());
  const auto start = clock.MonotonicNow();
  EXPECT_EQ(store->Get("in/slow.jpg").status().code(), StatusCode::kCancelled);
  EXPECT_EQ(store->Fetch("in/slow.jpg").status().code(), StatusCode::kCancelled);
  EXPECT_EQ(clock.MonotonicNow(), start);
}

TEST(TestFaultHooksTest, ASlowInputValueWithoutAValidDelayTurnsNothingOn) {
  for (const char* value : {"slow", "slow:", "slow:x", ":500", "slow:0", "slow:-5", "slow:5ms"}) {
    auto store = StoreWith({});
    ObjectStore* const raw = store.get();
    EXPECT_EQ(WithTestFaultHooks(std::move(store), TestFaultHooks{"", value}, RealClock::Instance())
                  .get(),
              raw)
        << value;
  }
}

TEST(TestFaultHooksDeathTest, TheDefaultActionAbortsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        auto store = WithTestFaultHooks(StoreWith({"in/poison.png"}), TestFaultHooks{"poison", ""},
                                        RealClock::Instance());
        (void)store->Get("in/poison.png");
      },
      ::testing::KilledBySignal(SIGABRT), "");
}

TEST(TestFaultHooksDeathTest, MakeObjectStoreReadsTheEnvironment) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  TempDir dir;
  WriteFileForTest(dir.path() / "poison.png", "not really a png");
  // A child process of its own: the variable is read once per process. The child runs this test
  // again up to here ("threadsafe" death tests re-execute the binary), so it has a TempDir of
  // its own, which its abort would leave behind: it removes it once the store is made (the hook
  // fires before any read, and a Get that reads instead finds nothing and fails the test too).
  EXPECT_EXIT(
      {
        setenv(kCrashOnInputEnv, "poison", 1);  // NOLINT(concurrency-mt-unsafe): one thread
        auto store = MakeObjectStore("file://" + dir.path().string(), /*create=*/false,
                                     RealClock::Instance());
        std::filesystem::remove_all(dir.path());
        if (store.ok()) (void)(*store)->Get("poison.png");
        std::exit(0);  // NOLINT(concurrency-mt-unsafe): the death test's child has one thread
      },
      ::testing::KilledBySignal(SIGABRT), "");
  // This process never set it: the same store reads the file.
  auto store =
      MakeObjectStore("file://" + dir.path().string(), /*create=*/false, RealClock::Instance());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto bytes = (*store)->Get("poison.png");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, "not really a png");
}

}  // namespace
}  // namespace pixfleet
