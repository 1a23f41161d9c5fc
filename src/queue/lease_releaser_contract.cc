// The LeaseReleaser contract (lease_releaser.h), for the backends that claim the capability: a
// dead consumer's leases come back at once, in their place, still counted.
#include <string>
#include <vector>

#include "queue/task_queue_contract.h"

namespace pixfleet::contract {

// Binaries for backends without the capability (RabbitMQ's) link the suite but do not run it.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(LeaseReleaserContractTest);

void LeaseReleaserContractTest::SetUp() {
  TaskQueueContractTest::SetUp();
  if (IsSkipped()) return;
  ASSERT_TRUE(Open());
  ASSERT_NE(Handle().AsLeaseReleaser(), nullptr) << GetParam().name << " lacks LeaseReleaser";
}

TEST_P(LeaseReleaserContractTest, ReleasesTheLeasesOfOneConsumer) {
  ASSERT_TRUE(Queue().Publish(MakeTasks(2)).ok());
  std::optional<Lease> a = LeaseReady();
  std::optional<Lease> b = LeaseReady();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(Releaser().ReleaseLeases("host/2").ok());
  EXPECT_EQ(CurrentDepth(), Depth(0, 0, 2, 0)) << "another consumer's leases are not touched";

  ASSERT_TRUE(Releaser().ReleaseLeases(DefaultOptions().consumer_id).ok());
  EXPECT_EQ(CurrentDepth(), Depth(2, 0, 0, 0));
  EXPECT_EQ(Queue().Ack(*a).code(), StatusCode::kAborted);
  std::optional<Lease> again = LeaseReady();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->task, a->task) << "a released task keeps its place in the order";
  EXPECT_EQ(again->attempt, 2) << "the lost delivery still counts";
}

TEST_P(LeaseReleaserContractTest, AnEmptyConsumerIdReleasesEveryConsumersLeases) {
  ASSERT_TRUE(Queue().Publish(MakeTasks(1)).ok());
  std::optional<Lease> mine = LeaseReady();
  ASSERT_TRUE(mine.has_value());
  ASSERT_TRUE(Releaser().ReleaseLeases("").ok());
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0));
  ASSERT_TRUE(Releaser().ReleaseLeases("").ok()) << "nothing left to release is fine";
  EXPECT_EQ(CurrentDepth(), Depth(1, 0, 0, 0));
}

}  // namespace pixfleet::contract
