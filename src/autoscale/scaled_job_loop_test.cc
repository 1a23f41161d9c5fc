// ScaledJobLoop with a fake pool and queue: one process per job, never stopped, never replaced.
#include "autoscale/scaled_job_loop.h"

#include <chrono>

#include <gtest/gtest.h>

#include "autoscale/fake_replica_pool.h"

namespace pixfleet {
namespace {

using std::chrono::seconds;

ScaledJobSpec JobSpec() {
  ScaledJobSpec spec;
  spec.name = "thumbs";
  spec.polling_interval = seconds(5);
  spec.max_replica_count = 10;
  spec.successful_jobs_history_limit = 2;
  spec.failed_jobs_history_limit = 1;
  RabbitMqTrigger trigger;
  trigger.host = "amqp://localhost/";
  trigger.queue_name = "tasks";
  trigger.protocol = RabbitMqProtocol::kAmqp;
  trigger.value = 1;  // one job per message
  spec.triggers.push_back(trigger);
  return spec;
}

TEST(ScaledJobLoopTest, StartsOneJobPerMessageCountingThoseRunning) {
  FakeMetricSource queue;
  FakeReplicaPool pool;
  ScaledJobLoop loop(JobSpec(), {RabbitMqProtocol::kAmqp}, {&queue}, pool, ScaleTime(0));

  queue.next = QueueSample{.ready = 3};
  // default strategy: maxScale = ceil(min(3 / 1, 10)) = 3, 0 running: 3 jobs.
  auto decision = loop.Tick(ScaleTime(0));
  ASSERT_TRUE(decision.has_value());
  EXPECT_EQ(decision->create, 3);
  EXPECT_EQ(pool.starts, 3);

  // Not due yet: nothing polled.
  EXPECT_FALSE(loop.Tick(seconds(4)).has_value());

  // The 3 jobs still running, still 3 messages: maxScale 3 - 3 running = 0 more.
  decision = loop.Tick(seconds(5));
  ASSERT_TRUE(decision.has_value());
  EXPECT_EQ(decision->create, 0);

  // Two finish (one completed, one failed): not replaced by themselves.
  pool.Exit(1, 0);
  pool.Exit(2, 1);
  EXPECT_FALSE(loop.Tick(seconds(6)).has_value());
  EXPECT_EQ(pool.Live(), 1);

  // 4 messages, 1 running: maxScale 4 - 1 = 3 more.
  queue.next = QueueSample{.ready = 4};
  decision = loop.Tick(seconds(10));
  ASSERT_TRUE(decision.has_value());
  EXPECT_EQ(decision->create, 3);
  EXPECT_EQ(pool.Live(), 4);
  EXPECT_TRUE(pool.stopped.empty());  // the scaler never stops a job
}

TEST(ScaledJobLoopTest, AnEmptyQueueStopsNothingAndStartsNothing) {
  FakeMetricSource queue;
  FakeReplicaPool pool;
  ScaledJobLoop loop(JobSpec(), {RabbitMqProtocol::kAmqp}, {&queue}, pool, ScaleTime(0));
  queue.next = QueueSample{.ready = 2};
  loop.Tick(ScaleTime(0));
  ASSERT_EQ(pool.Live(), 2);
  queue.next = QueueSample{.ready = 0};
  const auto decision = loop.Tick(seconds(5));
  ASSERT_TRUE(decision.has_value());
  EXPECT_EQ(decision->create, 0);
  EXPECT_EQ(pool.Live(), 2);
  EXPECT_TRUE(pool.stopped.empty());
}

TEST(ScaledJobLoopTest, AFailedQueryStartsNothing) {
  FakeMetricSource queue;
  FakeReplicaPool pool;
  ScaledJobLoop loop(JobSpec(), {RabbitMqProtocol::kAmqp}, {&queue}, pool, ScaleTime(0));
  queue.next = Unavailable("broker down");
  const auto decision = loop.Tick(ScaleTime(0));
  ASSERT_TRUE(decision.has_value());
  EXPECT_EQ(decision->create, 0);
  EXPECT_EQ(pool.starts, 0);
}

TEST(ScaledJobLoopTest, HistoryLimitsBoundWhatIsRemembered) {
  FakeMetricSource queue;
  FakeReplicaPool pool;
  ScaledJobLoop loop(JobSpec(), {RabbitMqProtocol::kAmqp}, {&queue}, pool, ScaleTime(0));
  queue.next = QueueSample{.ready = 5};
  loop.Tick(ScaleTime(0));
  ASSERT_EQ(pool.Live(), 5);
  for (int id : {1, 2, 3}) pool.Exit(id, 0);
  for (int id : {4, 5}) pool.Exit(id, 2);
  loop.Tick(seconds(1));
  // successfulJobsHistoryLimit 2, failedJobsHistoryLimit 1: the newest ones.
  ASSERT_EQ(loop.CompletedJobs().size(), 2u);
  EXPECT_EQ(loop.CompletedJobs()[0].id, 2);
  EXPECT_EQ(loop.CompletedJobs()[1].id, 3);
  ASSERT_EQ(loop.FailedJobs().size(), 1u);
  EXPECT_EQ(loop.FailedJobs()[0].id, 5);
}

}  // namespace
}  // namespace pixfleet
