// The harness of the distributed-mode end-to-end tests: the real pixfleet binary against the
// services of tools/services/up.sh. A DistributedTest fixture runs `pixfleet db migrate`
// (idempotent), gives each test a RabbitMQ queue of its own (URL suffix ?queue=NAME) and an S3
// prefix of its own, submits a folder of generated images with `pixfleet submit`, starts
// `pixfleet worker` processes, and checks the outcome where it lives: PostgreSQL, read directly
// (not through pgbouncer; rows are told apart by the batch id that `submit` prints) and S3 (every
// output a row names is there, with the recorded size), plus `pixfleet status`.
// Configuration: PIXFLEET_TEST_PGBOUNCER_URL, PIXFLEET_TEST_POSTGRES_URL, PIXFLEET_TEST_AMQP_URL,
// PIXFLEET_TEST_RABBITMQ_API (for `status --queue-api`), PIXFLEET_TEST_S3_ENDPOINT,
// PIXFLEET_TEST_S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (from build/services/env.sh); a
// test skips, saying why, when one is unset. The workers get AWS_ENDPOINT_URL (= the S3 endpoint)
// through this process's environment. TearDown kills the workers still running and deletes the
// test's queues and S3 objects; the result rows stay (in the public schema, under the test's batch
// id).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/types.h>

#include "model/result.h"
#include "queue/rabbitmq/rabbitmq_task_queue.h"
#include "results/postgres/postgres_result_store.h"
#include "storage/s3/s3_object_store.h"
#include "testing/temp_dir.h"
#include "tests/e2e/pixfleet_process.h"

namespace pixfleet::e2e {

using SteadyClock = std::chrono::steady_clock;

// The application_name of the fixture's own (direct) PostgreSQL connection, so that a test
// counting PostgreSQL backends can leave it out.
inline constexpr const char* kChecksApplicationName = "pixfleet-e2e-checks";

// The value of an environment variable, empty when unset.
std::string Env(const char* name);

// Why the services cannot be used (a variable among the standard ones or `more` is unset), or
// empty when they can.
std::string SkipReason(std::initializer_list<const char*> more = {});

// recipes/std3.yaml of the source tree: three outputs per input.
std::string Std3();

// "pfe2e-<pid>-<ms>-<test name>": unique per process, run and test; valid as a RabbitMQ queue
// name and as an S3 key segment.
std::string UniqueName();

double SecondsSince(SteadyClock::time_point start);

// One generated input: its key under the source folder and the upright size pixfleet should
// report for it.
struct Input {
  std::string key;
  int upright_width = 0;
  int upright_height = 0;
  int orientation = 1;
};

// `count` small photos (320x240 .. 640x480, different seeds), JPEG and PNG in two sub-folders,
// every 20th JPEG with EXIF orientation 6 (stored sideways). Keys: set-a|set-b/img-<1000+i>.ext.
std::vector<Input> WriteInputs(const std::filesystem::path& dir, int count);

// `count` tiny JPEGs (24x16 .. 55x47), upright, under tiny/: for tests of the pipeline, not of
// the imaging.
std::vector<Input> WriteTinyInputs(const std::filesystem::path& dir, int count);

// The batch id in `submit`'s first line: batch <id> "<name>": ...
std::string BatchIdFrom(const std::string& submit_out);

// True once `pid` (a child) has exited; leaves it to be reaped by ChildProcess::Wait.
bool HasExited(pid_t pid);

// Runs `command` with /bin/sh, waiting at most `limit`; a failure (non-zero exit) is a test
// failure showing its output. Returns how long it took.
double RunShellCommand(const std::string& command, const std::string& scratch_dir,
                       std::chrono::seconds limit = std::chrono::seconds(120));

// What ExpectEveryInputDoneOnce checks beyond "one row per input".
struct Expected {
  size_t outputs_per_input = 3;
  // Inputs that must have a failed row (and no outputs) instead of a succeeded one.
  std::set<std::string> failed_keys;
};

class DistributedTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Submits the source folder with `recipe`; returns the batch id (empty after a failed
  // assertion).
  std::string Submit(size_t input_count, const std::string& recipe = Std3());

  // Starts `pixfleet worker --queue Q --db D <extra...>` (by default --exit-when-idle).
  void StartWorker(const std::vector<std::string>& extra = {"--exit-when-idle"});

  // The test's queue, for looking at it directly (depth, dead letters); null after a failed
  // assertion.
  std::unique_ptr<RabbitMqTaskQueue> OpenQueue();

  // Rows recorded so far for the batch, succeeded or failed (-1 on a read error).
  int64_t FinishedRows(const std::string& batch);

  // Waits for every worker to exit on its own by `deadline` (then kills it), expecting exit
  // code 0 from each, and forgets them.
  void ExpectWorkersExitCleanly(SteadyClock::time_point deadline);

  // Exactly one row per input, none for anything else: succeeded with the upright size and
  // `expected.outputs_per_input` outputs, each in S3 with the recorded size (failed, without
  // outputs, for expected.failed_keys). Returns the rows.
  std::vector<TaskResult> ExpectEveryInputDoneOnce(const std::string& batch,
                                                   const std::vector<Input>& inputs,
                                                   const Expected& expected = {});

  // `pixfleet status` for the batch: every task finished (`failed` of them failed), nothing
  // ready, in flight or delayed in the queue, `dead` tasks in its dead-letter queue.
  void ExpectStatusAllDone(const std::string& batch, size_t input_count, size_t failed = 0,
                           size_t dead = 0);

  TempDir dir_;
  std::filesystem::path source_ = dir_.path() / "in";
  std::filesystem::path scratch_ = dir_.path() / "scratch";
  std::string name_;
  std::string db_url_;     // through pgbouncer, as the workers use it
  std::string queue_url_;  // the test's own queue
  std::string prefix_;
  std::string out_url_;
  std::unique_ptr<PostgresResultStore> results_;        // direct to PostgreSQL, for the checks
  std::unique_ptr<S3ObjectStore> outputs_;              // the test's S3 prefix, for the checks
  std::vector<std::unique_ptr<ChildProcess>> workers_;  // destroyed (killed) before dir_
};

}  // namespace pixfleet::e2e
