#include "wiring/worker_assembly.h"

#include <thread>

#include <gtest/gtest.h>

#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

using std::chrono::seconds;

// A worker on SQLite queue and results in `dir`.
WorkerSettings SqliteWorker(const TempDir& dir) {
  WorkerSettings settings;
  settings.queue_url = "sqlite://" + dir.Join("queue.db");
  settings.db_url = "sqlite://" + dir.Join("results.db");
  return settings;
}

TEST(WorkerAssemblyTest, AssemblesAWorkerFromUrls) {
  TempDir dir;
  FakeClock clock;
  WorkerSettings settings = SqliteWorker(dir);
  settings.exit_when_idle = true;
  auto assembled = AssembleWorker(settings, clock, std::stop_token());
  ASSERT_TRUE(assembled.ok()) << assembled.error().ToString();
  EXPECT_TRUE((*assembled)->Run(std::stop_token()).ok());  // an empty queue: idle at once
  EXPECT_EQ(
      (*assembled)->Totals(),
      "0 succeeded, 0 failed, 0 retried, 0 handed back, 0 interrupted; 0 results recorded in 0 "
      "database writes");
}

// Saturation is busy slots over slots: the worker publishes how many slots it runs (its
// concurrency) from the start, and none busy before it has taken a task.
TEST(WorkerAssemblyTest, PublishesItsSlotsAndNoneBusyBeforeItRuns) {
  TempDir dir;
  FakeClock clock;
  WorkerSettings settings = SqliteWorker(dir);
  settings.concurrency = 3;
  auto assembled = AssembleWorker(settings, clock, std::stop_token());
  ASSERT_TRUE(assembled.ok()) << assembled.error().ToString();
  const std::string text = (*assembled)->Metrics().RenderText();
  EXPECT_NE(text.find("\npixfleet_worker_slots 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\npixfleet_tasks_in_flight 0\n"), std::string::npos) << text;
}

// A queue URL whose open fails with a retryable error: a broker address where nothing listens
// (port 1 on loopback refuses the connection at once), as while RabbitMQ is still starting.
WorkerSettings UnreachableQueue(const TempDir& dir) {
  WorkerSettings settings;
  settings.queue_url = "amqp://guest:guest@127.0.0.1:1/%2f";
  settings.db_url = "sqlite://" + dir.Join("results.db");
  return settings;
}

TEST(WorkerAssemblyTest, WaitsForAnUnreachableQueueUpToItsPatience) {
  TempDir dir;
  FakeClock clock;  // sleeps move time
  const auto start = clock.MonotonicNow();
  auto assembled = AssembleWorker(UnreachableQueue(dir), clock, std::stop_token());
  ASSERT_FALSE(assembled.ok());
  EXPECT_EQ(assembled.error().code(), StatusCode::kUnavailable) << assembled.error().ToString();
  EXPECT_GE(clock.MonotonicNow() - start, seconds(60));
}

TEST(WorkerAssemblyTest, AStopRequestEndsTheWaitForTheQueueAtOnce) {
  TempDir dir;
  FakeClock clock(FakeClock::Mode::kBlockUntilAdvanced);
  const auto start = clock.MonotonicNow();
  std::stop_source stop;
  Status opened = Internal("did not return");
  std::thread assembling(
      [&] { opened = AssembleWorker(UnreachableQueue(dir), clock, stop.get_token()).status(); });
  ASSERT_TRUE(clock.WaitForSleepers(1));  // backing off after the first failed open
  stop.request_stop();                    // as SIGTERM does through the CLI
  assembling.join();
  EXPECT_EQ(opened.code(), StatusCode::kCancelled) << opened.ToString();
  EXPECT_EQ(clock.MonotonicNow(), start);
}

}  // namespace
}  // namespace pixfleet
