#include "tests/integration/e2e/distributed_harness.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "queue/rabbitmq/rabbitmq_task_queue.h"
#include "testing/test_images.h"

namespace pixfleet::e2e {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): no setenv races
  return value == nullptr ? std::string() : std::string(value);
}

std::string SkipReason(std::initializer_list<const char*> more) {
  std::vector<const char*> names = {"PIXFLEET_TEST_PGBOUNCER_URL", "PIXFLEET_TEST_POSTGRES_URL",
                                    "PIXFLEET_TEST_AMQP_URL",      "PIXFLEET_TEST_S3_ENDPOINT",
                                    "PIXFLEET_TEST_S3_BUCKET",     "AWS_ACCESS_KEY_ID",
                                    "AWS_SECRET_ACCESS_KEY",       "PIXFLEET_TEST_RABBITMQ_API"};
  names.insert(names.end(), more.begin(), more.end());
  for (const char* name : names) {
    if (Env(name).empty()) {
      return std::string(name) +
             " is not set: run tools/services/up.sh, then `. build/services/env.sh`";
    }
  }
  return "";
}

std::string Std3() { return SourceRoot() + "/recipes/std3.yaml"; }

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

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

namespace {

// Writes one generated image under `dir` and returns its Input (key empty on failure).
Input WriteImage(const fs::path& dir, const std::string& key, const TestImageSpec& spec) {
  auto bytes = MakeTestImage(spec);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return {};
  Input input;
  input.key = key;
  input.orientation = spec.orientation;
  const bool sideways = spec.orientation >= 5;
  input.upright_width = sideways ? spec.height : spec.width;
  input.upright_height = sideways ? spec.width : spec.height;
  WriteFileForTest(dir / input.key, *bytes);
  return input;
}

}  // namespace

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
    Input input = WriteImage(dir,
                             std::string(i % 2 == 0 ? "set-a" : "set-b") + "/img-" +
                                 std::to_string(1000 + i) + "." + TestFormatExtension(spec.format),
                             spec);
    if (input.key.empty()) return {};
    inputs.push_back(input);
  }
  return inputs;
}

std::vector<Input> WriteTinyInputs(const fs::path& dir, int count) {
  std::vector<Input> inputs;
  for (int i = 0; i < count; ++i) {
    TestImageSpec spec;
    spec.width = 24 + i % 32;
    spec.height = 16 + (i * 7) % 32;
    spec.seed = static_cast<uint32_t>(5000 + i);
    spec.format = TestFormat::kJpeg;
    spec.quality = 80;
    Input input = WriteImage(dir, "tiny/t-" + std::to_string(10000 + i) + ".jpg", spec);
    if (input.key.empty()) return {};
    inputs.push_back(input);
  }
  return inputs;
}

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

bool HasExited(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return true;
  }
  return info.si_pid == pid;
}

double RunShellCommand(const std::string& command, const std::string& scratch_dir,
                       std::chrono::seconds limit) {
  const auto started = SteadyClock::now();
  ChildProcess shell("/bin/sh", {"-c", command}, scratch_dir);
  const ProcessOutcome outcome = shell.Wait(limit);
  EXPECT_EQ(outcome.exit_code, 0) << command << "\n" << outcome.out << outcome.err;
  return SecondsSince(started);
}

void DistributedTest::SetUp() {
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
  const std::string direct = Env("PIXFLEET_TEST_POSTGRES_URL");
  auto store =
      PostgresResultStore::Open(direct + (direct.find('?') == std::string::npos ? "?" : "&") +
                                    "application_name=" + kChecksApplicationName,
                                {}, RealClock::Instance());
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

void DistributedTest::TearDown() {
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

std::string DistributedTest::Submit(size_t input_count, const std::string& recipe) {
  const auto submitted = RunPixfleet({"submit", source_.string(), "--recipe", recipe, "--queue",
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

void DistributedTest::StartWorker(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"worker", "--queue", queue_url_, "--db", db_url_};
  args.insert(args.end(), extra.begin(), extra.end());
  workers_.push_back(std::make_unique<ChildProcess>(PixfleetBinary(), args, scratch_.string()));
}

std::unique_ptr<RabbitMqTaskQueue> DistributedTest::OpenQueue() {
  RabbitMqOptions options;
  options.queue_name = name_;
  auto queue =
      RabbitMqTaskQueue::Open(Env("PIXFLEET_TEST_AMQP_URL"), options, RealClock::Instance());
  EXPECT_TRUE(queue.ok()) << queue.status().ToString();
  return queue.ok() ? std::move(*queue) : nullptr;
}

int64_t DistributedTest::FinishedRows(const std::string& batch) {
  auto counts = results_->CountResults(batch);
  // A PostgreSQL restart cuts the fixture's own connection too; the store fails the call in
  // progress (kUnavailable) and replaces the connection on the next one.
  for (int retries = 0; !counts.ok() && counts.error().IsRetryable() && retries < 3; ++retries) {
    counts = results_->CountResults(batch);
  }
  EXPECT_TRUE(counts.ok()) << counts.status().ToString();
  return counts.ok() ? counts->succeeded + counts->failed : -1;
}

void DistributedTest::ExpectWorkersExitCleanly(SteadyClock::time_point deadline) {
  for (auto& worker : workers_) {
    const auto left = std::chrono::duration_cast<seconds>(deadline - SteadyClock::now());
    const ProcessOutcome outcome = worker->Wait(std::max(left, seconds(1)));
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  }
  workers_.clear();
}

std::vector<TaskResult> DistributedTest::ExpectEveryInputDoneOnce(const std::string& batch,
                                                                  const std::vector<Input>& inputs,
                                                                  const Expected& expected) {
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
    if (expected.failed_keys.contains(input.key)) {
      EXPECT_EQ(row.outcome, TaskOutcome::kFailed);
      EXPECT_TRUE(row.outputs.empty());
      continue;
    }
    EXPECT_EQ(row.outcome, TaskOutcome::kSucceeded) << row.error_message;
    EXPECT_EQ(row.analysis.width, input.upright_width);
    EXPECT_EQ(row.analysis.height, input.upright_height);
    EXPECT_EQ(row.analysis.orientation, input.orientation);
    EXPECT_EQ(row.outputs.size(), expected.outputs_per_input);
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

void DistributedTest::ExpectStatusAllDone(const std::string& batch, size_t input_count,
                                          size_t failed, size_t dead) {
  const std::string n = std::to_string(input_count);
  const std::string queue_line =
      "queue " + name_ + ": ready 0  in flight 0  delayed 0  dead-letter " + std::to_string(dead);
  // With the management API, so that "in flight" counts the whole fleet's unacked deliveries.
  // The API refreshes its queue counters every 5 s (collect_statistics_interval), so right after
  // the last ack it may still show deliveries in flight: ask again, for up to 15 s.
  const auto deadline = SteadyClock::now() + seconds(15);
  ProcessOutcome status;
  while (true) {
    status = RunPixfleet({"status", "--db", db_url_, "--queue", queue_url_, "--queue-api",
                          Env("PIXFLEET_TEST_RABBITMQ_API"), "--batch", batch},
                         scratch_.string());
    ASSERT_EQ(status.exit_code, 0) << status.out << status.err;
    if (status.out.find(queue_line) != std::string::npos || SteadyClock::now() > deadline) break;
    std::this_thread::sleep_for(milliseconds(500));
  }
  EXPECT_NE(status.out.find("batch " + batch), std::string::npos) << status.out;
  EXPECT_NE(
      status.out.find("done " + n + "/" + n + " (100.0%)  succeeded " +
                      std::to_string(input_count - failed) + "  failed " + std::to_string(failed)),
      std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find(queue_line), std::string::npos) << status.out;
}

}  // namespace pixfleet::e2e
