// End-to-end tests of distributed mode (harness: distributed_harness.h): `pixfleet submit` of a
// folder of generated images, several `pixfleet worker --exit-when-idle` processes, then
// `pixfleet status`; one succeeded row per input in PostgreSQL, every output it names present in
// S3 with the recorded size. A second test SIGKILLs random workers while results arrive and
// checks that no task is lost or done twice. Other faults: distributed_fault_test.cc.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/e2e/distributed_harness.h"

namespace pixfleet::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using DistributedE2eTest = DistributedTest;

TEST_F(DistributedE2eTest, SubmitFourWorkersFindEverythingInS3AndPostgres) {
  const std::vector<Input> inputs = WriteInputs(source_, 200);
  ASSERT_EQ(inputs.size(), 200u);
  const std::string batch = Submit(inputs.size());
  ASSERT_FALSE(batch.empty());

  const auto started = SteadyClock::now();
  for (int i = 0; i < 4; ++i) {
    StartWorker();
  }
  ExpectWorkersExitCleanly(started + seconds(90));
  std::cout << "[ info ] 4 workers drained " << inputs.size() << " tasks in "
            << SecondsSince(started) << " s\n";

  ExpectEveryInputDoneOnce(batch, inputs);
  ExpectStatusAllDone(batch, inputs.size());
}

TEST_F(DistributedE2eTest, KillNineOfRandomWorkersRepeatedly) {
  const std::vector<Input> inputs = WriteInputs(source_, 150);
  ASSERT_EQ(inputs.size(), 150u);
  const std::string batch = Submit(inputs.size());
  ASSERT_FALSE(batch.empty());
  const auto total = static_cast<int64_t>(inputs.size());

  const auto started = SteadyClock::now();
  const auto deadline = started + seconds(180);
  for (int i = 0; i < 3; ++i) {
    StartWorker();
  }
  // Kills start once results arrive.
  while (FinishedRows(batch) < 1 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_LT(SteadyClock::now(), deadline) << "no result within 180 s";
  const double first_result_s = SecondsSince(started);

  const auto seed = static_cast<uint32_t>(std::random_device{}());
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::mt19937 random(seed);
  int kills = 0;
  int started_workers = 3;
  int64_t rows_at_last_kill = 0;
  while (SteadyClock::now() < deadline) {
    // About one kill a second; the first five a little faster, so that they happen even when
    // the machine is idle and the batch takes only a few seconds.
    const auto pause = kills < 5 ? std::uniform_int_distribution<int>(450, 800)(random)
                                 : std::uniform_int_distribution<int>(800, 1200)(random);
    std::this_thread::sleep_for(milliseconds(pause));
    // Workers that exited on their own (queue idle) must have exited cleanly.
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (HasExited((*it)->Pid())) {
        const ProcessOutcome outcome = (*it)->Wait(seconds(5));
        EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    const int64_t rows = FinishedRows(batch);
    if (rows >= total) {
      break;
    }
    if (!workers_.empty()) {
      const size_t victim = std::uniform_int_distribution<size_t>(0, workers_.size() - 1)(random);
      workers_[victim]->Signal(SIGKILL);
      const ProcessOutcome outcome = workers_[victim]->Wait(seconds(10));
      // 0: it had just exited idle on its own (the others held the last deliveries).
      EXPECT_TRUE(outcome.exit_code == 128 + SIGKILL || outcome.exit_code == 0)
          << outcome.exit_code << "\n"
          << outcome.err;
      workers_.erase(workers_.begin() + static_cast<std::ptrdiff_t>(victim));
      if (outcome.exit_code == 128 + SIGKILL) {
        ++kills;
        rows_at_last_kill = rows;
      }
    }
    // A replacement for the victim; and while rows are missing, never fewer than one worker
    // (the others may have exited idle while the victim's delivery was not yet requeued).
    StartWorker();
    ++started_workers;
  }
  // The queue drains: the workers left exit on their own.
  ExpectWorkersExitCleanly(deadline);
  std::cout << "[ info ] seed " << seed << ": first result after " << first_result_s << " s, "
            << kills << " workers killed with SIGKILL (the last at " << rows_at_last_kill << "/"
            << total << " rows), " << started_workers << " started, drained in "
            << SecondsSince(started) << " s\n";
  EXPECT_GE(kills, 5);

  const std::vector<TaskResult> rows = ExpectEveryInputDoneOnce(batch, inputs);
  const auto redone = std::count_if(rows.begin(), rows.end(),
                                    [](const TaskResult& row) { return row.attempts > 1; });
  std::cout << "[ info ] " << redone << " rows needed more than one delivery\n";
  ExpectStatusAllDone(batch, inputs.size());
}

}  // namespace
}  // namespace pixfleet::e2e
