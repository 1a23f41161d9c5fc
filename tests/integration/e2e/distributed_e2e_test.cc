// End-to-end tests of distributed mode: the real pixfleet binary against the services of
// tools/services/up.sh. `pixfleet db migrate` (idempotent), `pixfleet submit` of a folder of
// generated images to a RabbitMQ queue of the test's own (URL suffix ?queue=NAME) with outputs
// under an S3 prefix of its own, several `pixfleet worker --exit-when-idle` processes, then
// `pixfleet status`. Checks read PostgreSQL (the public schema: the binary has no schema option;
// rows are told apart by the batch id that `submit` prints) and S3 directly: one succeeded row
// per input, every output it names present in S3 with the recorded size. A second test SIGKILLs
// random workers while results arrive and checks that no task is lost or done twice.
// Configuration: PIXFLEET_TEST_PGBOUNCER_URL, PIXFLEET_TEST_POSTGRES_URL, PIXFLEET_TEST_AMQP_URL,
// PIXFLEET_TEST_S3_ENDPOINT, PIXFLEET_TEST_S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// (from build/services/env.sh); unset: skipped. The children get AWS_ENDPOINT_URL (= the S3
// endpoint) through this process's environment. Queues and S3 objects are deleted afterwards;
// the result rows stay (in the public schema, under the test's batch id).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "model/result.h"
#include "queue/rabbitmq/rabbitmq_task_queue.h"
#include "results/postgres/postgres_result_store.h"
#include "storage/s3/s3_object_store.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"
#include "tests/e2e/pixfleet_process.h"

namespace pixfleet::e2e {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

std::string Env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): no setenv races
  return value == nullptr ? std::string() : std::string(value);
}

std::string SkipReason() {
  for (const char* name :
       {"PIXFLEET_TEST_PGBOUNCER_URL", "PIXFLEET_TEST_POSTGRES_URL", "PIXFLEET_TEST_AMQP_URL",
        "PIXFLEET_TEST_S3_ENDPOINT", "PIXFLEET_TEST_S3_BUCKET", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY"}) {
    if (Env(name).empty()) {
      return std::string(name) +
             " is not set: run tools/services/up.sh, then `. build/services/env.sh`";
    }
  }
  return "";
}

std::string Std3() { return SourceRoot() + "/recipes/std3.yaml"; }

// "pfe2e-<pid>-<ms>-<test name>": unique per process, run and test; valid as a RabbitMQ queue
// name and as an S3 key segment.
std::string UniqueName() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  std::string name =
      "pfe2e-" + std::to_string(getpid()) + "-" +
      std::to_string(std::chrono::duration_cast<milliseconds>(now).count() % 1'000'000'000);
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    name += "-";
    for (const char c : std::string(info->name())) {
      name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
    }
  }
  return name.substr(0, 120);
}

// One generated input: its key under the source folder and the upright size pixfleet should
// report for it.
struct Input {
  std::string key;
  int upright_width = 0;
  int upright_height = 0;
  int orientation = 1;
};

// `count` small photos (320x240 .. 640x480, different seeds), JPEG and PNG in two sub-folders,
// every 20th JPEG with EXIF orientation 6 (stored sideways).
std::vector<Input> WriteInputs(const fs::path& dir, int count) {
  std::vector<Input> inputs;
  for (int i = 0; i < count; ++i) {
    TestImageSpec spec;
    spec.width = 320 + (i * 37) % 321;
    spec.height = 240 + (i * 53) % 241;
    spec.seed = static_cast<uint32_t>(1000 + i);
    spec.format = i % 3 == 2 ? TestFormat::kPng : TestFormat::kJpeg;
    if (spec.format == TestFormat::kJpeg && i % 20 == 0) {
      spec.orientation = 6;
    }
    spec.quality = 85;
    auto bytes = MakeTestImage(spec);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    if (!bytes.ok()) {
      return {};
    }
    Input input;
    input.key = std::string(i % 2 == 0 ? "set-a" : "set-b") + "/img-" + std::to_string(1000 + i) +
                "." + TestFormatExtension(spec.format);
    input.orientation = spec.orientation;
    const bool sideways = spec.orientation >= 5;
    input.upright_width = sideways ? spec.height : spec.width;
    input.upright_height = sideways ? spec.width : spec.height;
    WriteFileForTest(dir / input.key, *bytes);
    inputs.push_back(input);
  }
  return inputs;
}

// The batch id in `submit`'s first line: batch <id> "<name>": ...
std::string BatchIdFrom(const std::string& submit_out) {
  const std::string marker = "batch ";
  const size_t start = submit_out.find(marker);
  if (start == std::string::npos) {
    return "";
  }
  const size_t begin = start + marker.size();
  const size_t end = submit_out.find(' ', begin);
  return end == std::string::npos ? "" : submit_out.substr(begin, end - begin);
}

// True once `pid` (a child) has exited; leaves it to be reaped by ChildProcess::Wait.
bool HasExited(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return true;
  }
  return info.si_pid == pid;
}

class DistributedE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = SkipReason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    // The workers build their S3 client from the environment.
    // NOLINTNEXTLINE(concurrency-mt-unsafe): no other thread runs yet
    ASSERT_EQ(setenv("AWS_ENDPOINT_URL", Env("PIXFLEET_TEST_S3_ENDPOINT").c_str(), 1), 0);
    name_ = UniqueName();
    db_url_ = Env("PIXFLEET_TEST_PGBOUNCER_URL");
    queue_url_ = Env("PIXFLEET_TEST_AMQP_URL") + "?queue=" + name_;
    prefix_ = "pixfleet-e2e/" + name_;
    out_url_ = "s3://" + Env("PIXFLEET_TEST_S3_BUCKET") + "/" + prefix_;
    fs::create_directories(scratch_);
    const auto migrated = RunPixfleet({"db", "migrate", "--db", db_url_}, scratch_.string());
    ASSERT_EQ(migrated.exit_code, 0) << migrated.out << migrated.err;

    // Checks read PostgreSQL directly, not through pgbouncer.
    auto store =
        PostgresResultStore::Open(Env("PIXFLEET_TEST_POSTGRES_URL"), {}, RealClock::Instance());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    results_ = std::move(*store);
    auto s3_options = S3OptionsFromEnvironment();
    ASSERT_TRUE(s3_options.ok()) << s3_options.status().ToString();
    s3_options->endpoint = Env("PIXFLEET_TEST_S3_ENDPOINT");
    s3_options->addressing = S3Addressing::kPathStyle;
    auto outputs = S3ObjectStore::Open(out_url_, *s3_options);
    ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
    outputs_ = std::move(*outputs);
  }

  void TearDown() override {
    workers_.clear();  // kills any worker still running
    if (name_.empty()) {
      return;
    }
    RabbitMqOptions options;
    options.queue_name = name_;
    auto queue =
        RabbitMqTaskQueue::Open(Env("PIXFLEET_TEST_AMQP_URL"), options, RealClock::Instance());
    EXPECT_TRUE(queue.ok()) << queue.status().ToString();
    if (queue.ok()) {
      const Status deleted = (*queue)->DeleteQueues();
      EXPECT_TRUE(deleted.ok()) << deleted.ToString();
    }
    if (outputs_ != nullptr) {
      std::vector<std::string> keys;
      const Status listed = outputs_->List("", [&](const ObjectInfo& info) {
        keys.push_back(info.key);
        return Status();
      });
      EXPECT_TRUE(listed.ok()) << listed.ToString();
      for (const std::string& key : keys) {
        const Status deleted = outputs_->Delete(key);
        EXPECT_TRUE(deleted.ok()) << key << ": " << deleted.ToString();
      }
    }
  }

  // Submits the source folder; returns the batch id (empty after a failed assertion).
  std::string Submit(size_t input_count) {
    const auto submitted = RunPixfleet({"submit", source_.string(), "--recipe", Std3(), "--queue",
                                        queue_url_, "--db", db_url_, "--out", out_url_},
                                       scratch_.string());
    EXPECT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
    const std::string n = std::to_string(input_count);
    EXPECT_NE(submitted.out.find(n + " inputs, 0 already finished, " + n + " tasks published"),
              std::string::npos)
        << submitted.out;
    std::string batch = BatchIdFrom(submitted.out);
    EXPECT_FALSE(batch.empty()) << submitted.out;
    return batch;
  }

  void StartWorker() {
    workers_.push_back(std::make_unique<ChildProcess>(
        PixfleetBinary(),
        std::vector<std::string>{"worker", "--queue", queue_url_, "--db", db_url_,
                                 "--exit-when-idle"},
        scratch_.string()));
  }

  int64_t FinishedRows(const std::string& batch) {
    auto counts = results_->CountResults(batch);
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    return counts.ok() ? counts->succeeded + counts->failed : -1;
  }

  // Exactly one succeeded row per input, with the upright size, and its three outputs in S3
  // with the recorded sizes. Returns the rows.
  std::vector<TaskResult> ExpectEveryInputDoneOnce(const std::string& batch,
                                                   const std::vector<Input>& inputs) {
    auto listed = results_->ListResults(batch, std::nullopt);
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    if (!listed.ok()) {
      return {};
    }
    EXPECT_EQ(listed->size(), inputs.size());
    std::map<std::string, const TaskResult*> by_key;
    for (const TaskResult& row : *listed) {
      EXPECT_TRUE(by_key.emplace(row.input_key, &row).second) << "two rows for " << row.input_key;
    }
    std::set<std::string> output_keys;
    for (const Input& input : inputs) {
      SCOPED_TRACE(input.key);
      const auto found = by_key.find(input.key);
      if (found == by_key.end()) {
        ADD_FAILURE() << "no result row";
        continue;
      }
      const TaskResult& row = *found->second;
      EXPECT_EQ(row.batch_id, batch);
      EXPECT_EQ(row.outcome, TaskOutcome::kSucceeded) << row.error_message;
      EXPECT_EQ(row.analysis.width, input.upright_width);
      EXPECT_EQ(row.analysis.height, input.upright_height);
      EXPECT_EQ(row.analysis.orientation, input.orientation);
      EXPECT_EQ(row.outputs.size(), 3u);
      for (const OutputRecord& output : row.outputs) {
        EXPECT_TRUE(output_keys.insert(output.key).second) << "output key twice: " << output.key;
        auto head = outputs_->Head(output.key);
        if (!head.ok() || !head->has_value()) {
          ADD_FAILURE() << output.key << " is not in S3: "
                        << (head.ok() ? "no such object" : head.status().ToString());
          continue;
        }
        EXPECT_GT(output.bytes, 0u) << output.key;
        EXPECT_EQ((*head)->size, output.bytes) << output.key;
      }
    }
    return *listed;
  }

  // `pixfleet status` for the batch: everything done, nothing left in the queue.
  void ExpectStatusAllDone(const std::string& batch, size_t input_count) {
    const auto status = RunPixfleet(
        {"status", "--db", db_url_, "--queue", queue_url_, "--batch", batch}, scratch_.string());
    ASSERT_EQ(status.exit_code, 0) << status.out << status.err;
    const std::string n = std::to_string(input_count);
    EXPECT_NE(status.out.find("batch " + batch), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("done " + n + "/" + n + " (100.0%)  succeeded " + n + "  failed 0"),
              std::string::npos)
        << status.out;
    EXPECT_NE(status.out.find("queue: ready 0  in flight 0  delayed 0  dead-letter 0"),
              std::string::npos)
        << status.out;
  }

  TempDir dir_;
  fs::path source_ = dir_.path() / "in";
  fs::path scratch_ = dir_.path() / "scratch";
  std::string name_;
  std::string db_url_;
  std::string queue_url_;
  std::string prefix_;
  std::string out_url_;
  std::unique_ptr<PostgresResultStore> results_;
  std::unique_ptr<S3ObjectStore> outputs_;
  std::vector<std::unique_ptr<ChildProcess>> workers_;  // destroyed (killed) before dir_
};

TEST_F(DistributedE2eTest, SubmitFourWorkersFindEverythingInS3AndPostgres) {
  const std::vector<Input> inputs = WriteInputs(source_, 200);
  ASSERT_EQ(inputs.size(), 200u);
  const std::string batch = Submit(inputs.size());
  ASSERT_FALSE(batch.empty());

  const auto started = SteadyClock::now();
  for (int i = 0; i < 4; ++i) {
    StartWorker();
  }
  const auto deadline = started + seconds(90);
  for (auto& worker : workers_) {
    const auto left = std::chrono::duration_cast<seconds>(deadline - SteadyClock::now());
    const ProcessOutcome outcome = worker->Wait(std::max(left, seconds(1)));
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  }
  workers_.clear();
  std::cout << "[ info ] 4 workers drained " << inputs.size() << " tasks in "
            << std::chrono::duration<double>(SteadyClock::now() - started).count() << " s\n";

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
  const double first_result_s = std::chrono::duration<double>(SteadyClock::now() - started).count();

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
      if (HasExited((*it)->pid())) {
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
  for (auto& worker : workers_) {
    const auto left = std::chrono::duration_cast<seconds>(deadline - SteadyClock::now());
    const ProcessOutcome outcome = worker->Wait(std::max(left, seconds(1)));
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  }
  workers_.clear();
  std::cout << "[ info ] seed " << seed << ": first result after " << first_result_s << " s, "
            << kills << " workers killed with SIGKILL (the last at " << rows_at_last_kill << "/"
            << total << " rows), " << started_workers << " started, drained in "
            << std::chrono::duration<double>(SteadyClock::now() - started).count() << " s\n";
  EXPECT_GE(kills, 5);

  const std::vector<TaskResult> rows = ExpectEveryInputDoneOnce(batch, inputs);
  const auto redone = std::count_if(rows.begin(), rows.end(),
                                    [](const TaskResult& row) { return row.attempts > 1; });
  std::cout << "[ info ] " << redone << " rows needed more than one delivery\n";
  ExpectStatusAllDone(batch, inputs.size());
}

}  // namespace
}  // namespace pixfleet::e2e
