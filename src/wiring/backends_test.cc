#include "wiring/backends.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

TEST(BackendsTest, BuildsEmbeddedBackendsFromUrls) {
  TempDir dir;
  FakeClock clock;
  auto queue = MakeTaskQueue("sqlite://" + dir.Join("q.db"), TaskQueueOptions{}, clock);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  const TaskSpec task{"t1", "b1", "a.jpg"};
  ASSERT_TRUE((*queue)->Publish({&task, 1}).ok());
  auto depth = (*queue)->Depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth->ready, 1);
  // The embedded queue has every capability beyond the port; `pixfleet run` relies on them.
  EXPECT_NE(queue->AsExpiringLeases(), nullptr);
  EXPECT_NE(queue->AsLeaseReleaser(), nullptr);
  EXPECT_NE(queue->AsDeduplicatingPublish(), nullptr);

  auto results = MakeResultStore("sqlite://" + dir.Join("r.db"), clock);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  auto objects = MakeObjectStore("file://" + dir.Join("out"), /*create=*/true, clock);
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  ASSERT_TRUE((*objects)->Put("x/y.txt", "hello", "text/plain").ok());
  EXPECT_EQ(ReadFileForTest(dir.path() / "out/x/y.txt"), "hello");
}

TEST(BackendsTest, UnknownSchemesNameTheSupportedOnes) {
  FakeClock clock;
  auto queue = MakeTaskQueue("kafka://broker/topic", TaskQueueOptions{}, clock);
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(queue.error().message().find("sqlite://"), std::string::npos);
  EXPECT_FALSE(MakeResultStore("mysql://x", clock).ok());
  EXPECT_FALSE(MakeObjectStore("ftp://x", false, clock).ok());
}

TEST(BackendsTest, UnsupportedUrlsAreNamedWithoutTheirPassword) {
  FakeClock clock;
  const Result<std::unique_ptr<ResultStore>> results =
      MakeResultStore("mysql://app:hunter2@db/pixfleet", clock);
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.error().message().find("hunter2"), std::string::npos);
  EXPECT_NE(results.error().message().find("db/pixfleet"), std::string::npos);
  const Result<std::unique_ptr<ObjectStore>> objects =
      MakeObjectStore("ftp://me:hunter2@files/in", false, clock);
  ASSERT_FALSE(objects.ok());
  EXPECT_EQ(objects.error().message().find("hunter2"), std::string::npos);
}

TEST(BackendsTest, MissingInputFolderIsNotCreated) {
  TempDir dir;
  FakeClock clock;
  auto inputs = MakeObjectStore("file://" + dir.Join("missing"), /*create=*/false, clock);
  ASSERT_FALSE(inputs.ok());
  EXPECT_EQ(inputs.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace pixfleet
