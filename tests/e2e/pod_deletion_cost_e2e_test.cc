// `pixfleet worker --pod-deletion-cost` as a real process in a made-up pod: the Kubernetes
// variables point at an in-process HTTPS API server (testing/recording_https_server.h) whose CA
// is the service account's ca.crt. One task kept in flight for 10 s by the test-only hook
// PIXFLEET_FAULT_SLOW_INPUT (wiring/test_fault_hooks.h) gives the worker one idle → busy → idle
// round; the PATCHes must follow the contract of kube/deletion_cost_keeper.h: idle (-1000) at
// start, busy (1000) held until 5 s after it, idle again once the task is done (and 5 s after
// the busy one), nothing after SIGTERM, and at least 5 s between two PATCHes. Outside a pod the
// flag is refused at start (exit 2). Costs about 11 s.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "model/task.h"
#include "queue/sqlite/sqlite_task_queue.h"
#include "results/sqlite/sqlite_result_store.h"
#include "testing/recording_https_server.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"
#include "tests/e2e/pixfleet_process.h"

namespace pixfleet::e2e {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// The environment of a pod, set for the children this test starts and removed afterwards.
class PodEnvironment {
 public:
  PodEnvironment(int api_port, const fs::path& service_account_dir) {
    Set("KUBERNETES_SERVICE_HOST", "127.0.0.1");
    Set("KUBERNETES_SERVICE_PORT", std::to_string(api_port));
    Set("PIXFLEET_SERVICE_ACCOUNT_DIR", service_account_dir.string());
    Set("POD_NAME", "pixfleet-worker-5d8c7-x2x9q");
    Set("POD_NAMESPACE", "images");
  }
  ~PodEnvironment() {
    for (const std::string& name : set_) unsetenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
  }
  PodEnvironment(const PodEnvironment&) = delete;
  PodEnvironment& operator=(const PodEnvironment&) = delete;

 private:
  void Set(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
    set_.push_back(name);
  }
  std::vector<std::string> set_;
};

// The pod-deletion-cost value of each PATCH body ("?" when it has none).
std::vector<std::string> Costs(const std::vector<RecordedRequest>& requests) {
  std::vector<std::string> costs;
  for (const RecordedRequest& request : requests) {
    const auto patch = nlohmann::json::parse(request.body, nullptr, false);
    const auto annotations = patch.is_object() ? patch.value("metadata", nlohmann::json::object())
                                                     .value("annotations", nlohmann::json::object())
                                               : nlohmann::json::object();
    costs.push_back(annotations.value("controller.kubernetes.io/pod-deletion-cost", "?"));
  }
  return costs;
}

class PodDeletionCostE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestImageSpec spec;
    auto bytes = MakeTestImage(spec);
    ASSERT_TRUE(bytes.ok());
    WriteFileForTest(dir_.path() / "in" / "slow-0.jpg", *bytes);
    Batch batch;
    batch.id = "b-cost";
    batch.source_url = "file://" + (dir_.path() / "in").string();
    batch.output_url = "file://" + (dir_.path() / "out").string();
    batch.recipe_yaml = ReadFileForTest(SourceRoot() + "/recipes/std3.yaml");
    auto results = SqliteResultStore::Open(db_path_, RealClock::Instance());
    ASSERT_TRUE(results.ok());
    ASSERT_TRUE((*results)->PutBatch(batch).ok());
    auto queue =
        SqliteTaskQueue::Open(queue_path_, SqliteTaskQueueOptions{}, RealClock::Instance());
    ASSERT_TRUE(queue.ok());
    ASSERT_TRUE((*queue)->Publish(MakeTasks(batch.id, {"slow-0.jpg"})).ok());
  }

  std::vector<std::string> WorkerArgs() const {
    return {"worker",
            "--queue",
            "sqlite://" + queue_path_,
            "--db",
            "sqlite://" + db_path_,
            "--pod-deletion-cost"};
  }

  TempDir dir_;
  std::string queue_path_ = dir_.Join("queue.db");
  std::string db_path_ = dir_.Join("results.db");
};

TEST_F(PodDeletionCostE2eTest, IdleBusyIdleThroughTheApiServer) {
  const TestCertificates certs = MakeTestCertificates();
  const fs::path account = dir_.path() / "serviceaccount";
  WriteFileForTest(account / "token", "worker-token\n");
  WriteFileForTest(account / "ca.crt", certs.ca_pem);
  RecordingHttpsServer api(certs, dir_.path());
  const PodEnvironment pod(api.Port(), account);
  setenv("PIXFLEET_FAULT_SLOW_INPUT", "slow:10000", 1);  // NOLINT(concurrency-mt-unsafe)
  ChildProcess worker(PixfleetBinary(), WorkerArgs(), dir_.path().string());
  unsetenv("PIXFLEET_FAULT_SLOW_INPUT");  // NOLINT(concurrency-mt-unsafe)

  // Until busy and then idle again were written; the bound, far above the ~10 s this takes, only
  // keeps a broken run from hanging.
  const auto give_up = std::chrono::steady_clock::now() + seconds(90);
  std::vector<std::string> costs;
  while (std::chrono::steady_clock::now() < give_up) {
    costs = Costs(api.Seen());
    if (costs.size() >= 2 && costs[costs.size() - 2] == "1000" && costs.back() == "-1000") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  worker.Signal(SIGTERM);
  const ProcessOutcome outcome = worker.Wait(seconds(60));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;

  const std::vector<RecordedRequest> seen = api.Seen();
  for (const RecordedRequest& request : seen) {
    EXPECT_EQ(request.method, "PATCH");
    EXPECT_EQ(request.path, "/api/v1/namespaces/images/pods/pixfleet-worker-5d8c7-x2x9q");
    EXPECT_EQ(request.content_type, "application/merge-patch+json");
    EXPECT_EQ(request.authorization, "Bearer worker-token");
  }
  // Idle at start, unless the task was leased before the keeper's thread read that first state
  // (the latest state wins); then busy and idle once each, and nothing after the stop.
  costs = Costs(seen);
  if (!costs.empty() && costs.front() == "-1000") costs.erase(costs.begin());
  EXPECT_EQ(costs, (std::vector<std::string>{"1000", "-1000"})) << outcome.err;
  // The pace, a correctness bound with a wide margin: at least 5 s between two writes.
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GE(seen[i].at - seen[i - 1].at, seconds(4)) << "PATCH " << i;
  }
}

TEST_F(PodDeletionCostE2eTest, OutsideAPodTheFlagIsRefusedAtStart) {
  unsetenv("KUBERNETES_SERVICE_HOST");  // NOLINT(concurrency-mt-unsafe)
  const ProcessOutcome outcome = RunPixfleet(WorkerArgs(), dir_.path().string());
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("--pod-deletion-cost needs to run in a Kubernetes pod: "
                             "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set"),
            std::string::npos)
      << outcome.err;
}

}  // namespace
}  // namespace pixfleet::e2e
