// The worker under a scaler, as real processes on the embedded SQLite queue: busy workers
// SIGTERMed with a short --grace-period say not-ready at once (/readyz), hand their unfinished
// tasks straight back (measured: SIGTERM to the tasks being deliverable again, far below the
// lease that would otherwise have had to lapse) and exit 0; another worker then finishes the
// batch with exactly one succeeded row per task, none failed, each at attempt 1 (the handed-back
// deliveries did not count). The tasks are kept in flight by the test-only hook
// PIXFLEET_FAULT_SLOW_INPUT (wiring/test_fault_hooks.h), whose wait the grace deadline ends.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "model/task.h"
#include "queue/sqlite/sqlite_task_queue.h"
#include "results/sqlite/sqlite_result_store.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"
#include "tests/e2e/pixfleet_process.h"

namespace pixfleet::e2e {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

constexpr int kTasks = 4;
constexpr int64_t kLeaseMs = 60'000;  // what a lost task would wait for without the hand-back

// A loopback port nothing listens on right now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  (void)bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  (void)getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

class DrainE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(source_);
    std::vector<std::string> keys;
    for (int i = 0; i < kTasks; ++i) {
      TestImageSpec spec;
      spec.seed = static_cast<uint32_t>(i + 1);
      auto bytes = MakeTestImage(spec);
      ASSERT_TRUE(bytes.ok());
      keys.push_back("slow-" + std::to_string(i) + ".jpg");
      WriteFileForTest(source_ / keys.back(), *bytes);
    }
    batch_.id = "b-drain";
    batch_.source_url = "file://" + source_.string();
    batch_.output_url = "file://" + (dir_.path() / "out").string();
    batch_.recipe_yaml = ReadFileForTest(SourceRoot() + "/recipes/std3.yaml");
    auto results = SqliteResultStore::Open(db_path_, RealClock::Instance());
    ASSERT_TRUE(results.ok());
    ASSERT_TRUE((*results)->PutBatch(batch_).ok());
    auto queue = Queue();
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Publish(MakeTasks(batch_.id, keys)).ok());
  }

  std::unique_ptr<SqliteTaskQueue> Queue() {
    auto queue =
        SqliteTaskQueue::Open(queue_path_, SqliteTaskQueueOptions{}, RealClock::Instance());
    EXPECT_TRUE(queue.ok());
    return queue.ok() ? std::move(*queue) : nullptr;
  }

  QueueDepth Depth() {
    auto depth = Queue()->Depth();
    EXPECT_TRUE(depth.ok());
    return depth.ok() ? *depth : QueueDepth{};
  }

  std::vector<std::string> WorkerArgs(const std::vector<std::string>& extra) const {
    std::vector<std::string> args = {"worker",
                                     "--queue",
                                     "sqlite://" + queue_path_,
                                     "--db",
                                     "sqlite://" + db_path_,
                                     "--lease-ms",
                                     std::to_string(kLeaseMs)};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  TempDir dir_;
  fs::path source_ = dir_.path() / "in";
  std::string queue_path_ = dir_.Join("queue.db");
  std::string db_path_ = dir_.Join("results.db");
  Batch batch_;
};

TEST_F(DrainE2eTest, SigtermedBusyWorkersHandTheirTasksBackAtOnceAndNothingIsLost) {
  // Each fetch of the first workers waits ten minutes: they stay busy until stopped.
  setenv("PIXFLEET_FAULT_SLOW_INPUT", "slow:600000", 1);  // NOLINT(concurrency-mt-unsafe)
  const int port = FreePort();
  ChildProcess first(PixfleetBinary(),
                     WorkerArgs({"--concurrency", "2", "--grace-period", "1s", "--listen",
                                 "127.0.0.1:" + std::to_string(port)}),
                     dir_.path().string());
  ChildProcess second(PixfleetBinary(), WorkerArgs({"--concurrency", "2", "--grace-period", "1s"}),
                      dir_.path().string());
  unsetenv("PIXFLEET_FAULT_SLOW_INPUT");  // NOLINT(concurrency-mt-unsafe)
  const auto busy_by = SteadyClock::now() + seconds(60);
  while (Depth().leased < kTasks && SteadyClock::now() < busy_by) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_EQ(Depth().leased, kTasks) << "the workers did not take every task";
  httplib::Client probe("127.0.0.1", port);
  auto ready = probe.Get("/readyz");
  ASSERT_TRUE(ready) << "no /readyz";
  EXPECT_EQ(ready->status, 200);

  const auto sigterm_at = SteadyClock::now();
  first.Signal(SIGTERM);
  second.Signal(SIGTERM);
  // Not ready at once: well before the grace period (1 s) ends. The signal reaches the worker's
  // signal thread a moment after kill() returns, so asked until it answers otherwise.
  ready = probe.Get("/readyz");
  while (ready && ready->status == 200 && SteadyClock::now() - sigterm_at < seconds(1)) {
    std::this_thread::sleep_for(milliseconds(5));
    ready = probe.Get("/readyz");
  }
  const double not_ready_after_s =
      std::chrono::duration<double>(SteadyClock::now() - sigterm_at).count();
  ASSERT_TRUE(ready) << "no /readyz during the grace period";
  EXPECT_EQ(ready->status, 503);
  EXPECT_LT(not_ready_after_s, 0.9);
  // Redelivery: every task deliverable again, none leased.
  const auto give_up = SteadyClock::now() + milliseconds(kLeaseMs);
  QueueDepth depth = Depth();
  while ((depth.ready < kTasks || depth.leased > 0) && SteadyClock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(10));
    depth = Depth();
  }
  const double redelivered_after_s =
      std::chrono::duration<double>(SteadyClock::now() - sigterm_at).count();
  RecordProperty("sigterm_to_redelivery_ms", static_cast<int>(redelivered_after_s * 1000));
  std::cerr << "SIGTERM -> all " << kTasks << " tasks deliverable again: " << redelivered_after_s
            << " s (grace period 1 s, lease " << kLeaseMs / 1000 << " s)\n";
  EXPECT_EQ(depth.ready, kTasks);
  EXPECT_EQ(depth.leased, 0);
  // The correctness bound: the hand-back, not a lapse, brought them back (with a wide margin).
  EXPECT_LT(redelivered_after_s, static_cast<double>(kLeaseMs) / 1000 / 4);

  const ProcessOutcome first_outcome = first.Wait(seconds(60));
  const ProcessOutcome second_outcome = second.Wait(seconds(60));
  EXPECT_EQ(first_outcome.exit_code, 0) << first_outcome.err;
  EXPECT_EQ(second_outcome.exit_code, 0) << second_outcome.err;
  EXPECT_NE(first_outcome.err.find("2 interrupted"), std::string::npos) << first_outcome.err;

  // Another worker drains the queue at normal speed.
  const ProcessOutcome drained =
      RunPixfleet(WorkerArgs({"--exit-when-idle"}), dir_.path().string());
  EXPECT_EQ(drained.exit_code, 0) << drained.err;
  auto results = SqliteResultStore::Open(db_path_, RealClock::Instance());
  ASSERT_TRUE(results.ok());
  auto rows = (*results)->ListResults(batch_.id, std::nullopt);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), static_cast<size_t>(kTasks));  // one row per task (keyed by task id)
  for (const TaskResult& row : *rows) {
    EXPECT_EQ(row.outcome, TaskOutcome::kSucceeded) << row.input_key << ": " << row.error_message;
    EXPECT_EQ(row.attempts, 1) << row.input_key << ": the handed-back delivery counted";
  }
  EXPECT_EQ(Depth(), (QueueDepth{.ready = 0, .delayed = 0, .leased = 0, .dead = 0}));
}

TEST_F(DrainE2eTest, MaxTasksExitsZeroAfterThatManyAndLeavesTheRest) {
  const ProcessOutcome outcome =
      RunPixfleet(WorkerArgs({"--concurrency", "2", "--max-tasks", "3"}), dir_.path().string());
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  auto results = SqliteResultStore::Open(db_path_, RealClock::Instance());
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)->ListResults(batch_.id, std::nullopt)->size(), 3U);
  EXPECT_EQ(Depth(), (QueueDepth{.ready = 1, .delayed = 0, .leased = 0, .dead = 0}));
}

}  // namespace
}  // namespace pixfleet::e2e
