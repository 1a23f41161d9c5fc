// The DeduplicatingPublish contract (deduplicating_publish.h), for the backends that claim the
// capability: one copy per task id whatever its state, and dead tasks revived in place.
#include <string>
#include <vector>

#include "queue/task_queue_contract.h"

namespace pixfleet::contract {

// Binaries for backends without the capability (RabbitMQ's) link the suite but do not run it.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DeduplicatingPublishContractTest);

using std::chrono::seconds;

void DeduplicatingPublishContractTest::SetUp() {
  TaskQueueContractTest::SetUp();
  if (IsSkipped()) return;
  ASSERT_TRUE(Open());
  ASSERT_NE(Handle().AsDeduplicatingPublish(), nullptr)
      << GetParam().name << " lacks DeduplicatingPublish";
}

TEST_P(DeduplicatingPublishContractTest, PublishingAgainChangesNothing) {
  const std::vector<TaskSpec> tasks = MakeTasks(3);
  ASSERT_TRUE(Publisher().PublishDeduplicated(tasks).ok());
  ASSERT_TRUE(Publisher().PublishDeduplicated(tasks).ok());
  EXPECT_EQ(CurrentDepth(), Depth(3, 0, 0, 0));

  // Publishing again leaves leased and delayed tasks as they are.
  std::optional<Lease> leased = LeaseReady();
  std::optional<Lease> delayed = LeaseReady();
  ASSERT_TRUE(leased && delayed);
  ASSERT_TRUE(Queue().Retry(*delayed, seconds(60), "later").ok());
  ASSERT_TRUE(Publisher().PublishDeduplicated(tasks).ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 1, 1, 0));
  EXPECT_TRUE(Queue().Ack(*leased).ok()) << "re-publishing must not break a lease";
  fake_clock_.Advance(seconds(60));
  for (int i = 0; i < 2; ++i) {  // t2, then the retried t1
    std::optional<Lease> lease = LeaseReady();
    ASSERT_TRUE(lease.has_value());
    if (lease->task == delayed->task) {
      EXPECT_EQ(lease->attempt, 2) << "re-publishing must not reset an attempt count";
    }
    ASSERT_TRUE(Queue().Ack(*lease).ok());
  }

  // Duplicates inside one call are one task too.
  const std::vector<TaskSpec> twice = {MakeTasks(1, "d")[0], MakeTasks(1, "d")[0]};
  ASSERT_TRUE(Publisher().PublishDeduplicated(twice).ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0));
}

TEST_P(DeduplicatingPublishContractTest, RepublishingRevivesADeadTaskInPlace) {
  const std::vector<TaskSpec> tasks = MakeTasks(1);
  ASSERT_TRUE(Publisher().PublishDeduplicated(tasks).ok());
  std::optional<Lease> lease = LeaseReady();
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(Queue().DeadLetter(*lease, "unsupported format").ok());
  ASSERT_TRUE(Publisher().PublishDeduplicated(tasks).ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0));
  EXPECT_TRUE(ListDead().empty()) << "the revived task left the dead letters";
  std::optional<Lease> revived = LeaseReady();
  ASSERT_TRUE(revived.has_value());
  EXPECT_EQ(revived->attempt, 1) << "a revived task starts a fresh attempt count";
}

}  // namespace pixfleet::contract
