// The container image as a fleet runs it (labels needs-service, needs-podman): tools/image.sh
// builds the image, or reuses it when its inputs are unchanged (or PIXFLEET_TEST_IMAGE names
// one), and podman (tools/podman.sh) runs it on the host network against the test services, with
// a read-only root filesystem and a tmpfs at /tmp as the Kubernetes manifests run it.
//  - The image runs as pixfleet (10001:10001), not root, and its --version matches its OCI
//    version label; with the installed std3 recipe, by name, it processes a generated photo (so
//    the root filesystem holds every library pixfleet and libvips load).
//  - Two worker containers share a real batch; `podman stop` sends one of them SIGTERM while it
//    holds a task (every task is slow there: PIXFLEET_FAULT_SLOW_INPUT, wiring/test_fault_hooks.h).
//    It drains as the worker does: finishes that task within its --grace-period, hands back what
//    it had not started, and exits 0 before podman's stop timeout would SIGKILL it. Every task
//    ends with exactly one succeeded row, at attempt 1, checked in PostgreSQL and S3 by the
//    distributed tests' harness.
// Skips, saying why, without the services (build/services/env.sh) or without podman.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/e2e/distributed_harness.h"

namespace pixfleet::e2e {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kTasks = 16;
// How long each task takes in the container that is stopped: long enough to be caught holding
// one, far shorter than its grace period.
constexpr int kSlowMs = 4000;
constexpr const char* kGracePeriod = "20s";
// podman stop's wait before SIGKILL: well beyond the grace period.
constexpr const char* kStopTimeoutS = "60";

// `tools/podman.sh args...`, run to completion within `limit`.
ProcessOutcome Podman(const std::vector<std::string>& args, const std::string& scratch,
                      seconds limit = seconds(120)) {
  std::vector<std::string> argv{SourceRoot() + "/tools/podman.sh"};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess podman("/bin/bash", argv, scratch);
  return podman.Wait(limit);
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Every file and folder under `dir` readable by anyone: the container's user (10001) reads the
// inputs through a bind mount.
void MakeReadableByAll(const fs::path& dir) {
  fs::permissions(dir, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    fs::permissions(entry.path(),
                    entry.is_directory() ? fs::perms::others_read | fs::perms::others_exec
                                         : fs::perms::others_read,
                    fs::perm_options::add);
  }
}

class ContainerWorkerTest : public DistributedTest {
 protected:
  void SetUp() override {
    if (std::system("command -v podman >/dev/null 2>&1") != 0) {  // NOLINT(cert-env33-c)
      GTEST_SKIP() << "podman is not installed: tools/install-deps.sh --image";
    }
    DistributedTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    image_ = Image(scratch_.string());
    ASSERT_FALSE(image_.empty());
  }

  void TearDown() override {
    // A container outlives a killed `podman run`: remove ours, whatever state they are in.
    for (const std::string& name : containers_)
      Podman({"rm", "--force", "--ignore", name}, scratch_.string());
    DistributedTest::TearDown();
  }

  // PIXFLEET_TEST_IMAGE when set (tools/dev.sh test builds the image first and sets it), else
  // the image's name from tools/image.sh (its last line), built once per test process.
  static std::string Image(const std::string& scratch) {
    static std::string image = Env("PIXFLEET_TEST_IMAGE");
    if (!image.empty()) return image;
    ChildProcess build("/bin/bash", {SourceRoot() + "/tools/image.sh"}, scratch);
    const ProcessOutcome built = build.Wait(seconds(1080));
    EXPECT_EQ(built.exit_code, 0) << built.out << built.err;
    std::cerr << built.err;
    if (built.exit_code != 0) return "";
    const std::string out = Trimmed(built.out);
    image = out.substr(out.find_last_of('\n') + 1);
    return image;
  }

  std::string Label(const std::string& name) {
    const ProcessOutcome inspected =
        Podman({"image", "inspect", "--format", "{{index .Labels \"" + name + "\"}}", image_},
               scratch_.string());
    EXPECT_EQ(inspected.exit_code, 0) << inspected.err;
    return Trimmed(inspected.out);
  }

  // `podman run` of the image, as a pod runs it: host network, read-only root, tmpfs /tmp.
  std::vector<std::string> RunArgs(const std::string& name) {
    containers_.push_back(name);
    return {"run", "--rm", "--name", name, "--network", "host", "--read-only", "--tmpfs", "/tmp"};
  }

  // Starts a worker container `name` on the test's queue, in the background.
  std::unique_ptr<ChildProcess> StartWorkerContainer(const std::string& name,
                                                     const std::vector<std::string>& env,
                                                     const std::vector<std::string>& flags) {
    std::vector<std::string> argv = RunArgs(name);
    // The inputs, read-only at the path `submit` recorded.
    argv.insert(argv.end(), {"--volume", source_.string() + ":" + source_.string() + ":ro"});
    for (const char* variable :
         {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL"}) {
      argv.insert(argv.end(), {"--env", variable});  // the value of this process's
    }
    for (const std::string& assignment : env) argv.insert(argv.end(), {"--env", assignment});
    argv.insert(argv.end(), {image_, "worker", "--queue", queue_url_, "--db", db_url_});
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.begin(), SourceRoot() + "/tools/podman.sh");
    return std::make_unique<ChildProcess>("/bin/bash", argv, scratch_.string());
  }

  int64_t Ready() {
    auto queue = OpenQueue();
    if (queue == nullptr) return -1;
    auto depth = queue->Depth();
    return depth.ok() ? depth->ready : -1;
  }

  std::string image_;
  std::vector<std::string> containers_;
};

TEST_F(ContainerWorkerTest, RunsAsPixfleetNotRootAndItsVersionMatchesItsLabel) {
  const ProcessOutcome user =
      Podman({"image", "inspect", "--format", "{{.Config.User}}", image_}, scratch_.string());
  EXPECT_EQ(Trimmed(user.out), "10001:10001");
  std::vector<std::string> id = RunArgs(name_ + "-id");
  id.insert(id.end(), {"--entrypoint", "/usr/bin/id", image_});
  const ProcessOutcome who = Podman(id, scratch_.string());
  EXPECT_EQ(who.exit_code, 0) << who.err;
  EXPECT_EQ(Trimmed(who.out), "uid=10001(pixfleet) gid=10001(pixfleet) groups=10001(pixfleet)");

  // ENTRYPOINT is pixfleet: the arguments are its own.
  std::vector<std::string> version = RunArgs(name_ + "-version");
  version.insert(version.end(), {image_, "--version"});
  const ProcessOutcome printed = Podman(version, scratch_.string());
  EXPECT_EQ(printed.exit_code, 0) << printed.err;
  const std::string label = Label("org.opencontainers.image.version");
  ASSERT_FALSE(label.empty());
  EXPECT_EQ(printed.out.rfind("pixfleet " + label + " (", 0), 0u) << printed.out;
  EXPECT_EQ(Label("org.opencontainers.image.title"), "pixfleet");
  EXPECT_FALSE(Label("org.opencontainers.image.revision").empty());
}

TEST_F(ContainerWorkerTest, ProcessesAPhotoWithTheInstalledRecipeOnAReadOnlyRoot) {
  const std::vector<Input> inputs = WriteInputs(source_, 1);
  ASSERT_EQ(inputs.size(), 1u);
  MakeReadableByAll(source_);
  const std::string photo = (source_ / inputs[0].key).string();
  std::vector<std::string> process = RunArgs(name_ + "-process");
  process.insert(process.end(), {"--volume", photo + ":/in/photo.jpg:ro", image_, "process",
                                 "/in/photo.jpg", "--recipe", "std3", "--out", "/tmp/out"});
  const ProcessOutcome processed = Podman(process, scratch_.string());
  EXPECT_EQ(processed.exit_code, 0) << processed.out << processed.err;
  // std3's three renditions (recipes/std3.yaml), named in the JSON it prints.
  for (const char* output : {"large.jpg", "small.webp", "square.jpg"}) {
    EXPECT_NE(processed.out.find(output), std::string::npos) << output << "\n" << processed.out;
  }
}

TEST_F(ContainerWorkerTest, OneOfTwoWorkerContainersStoppedMidBatchDrainsAndEachTaskEndsOnce) {
  const std::vector<Input> inputs = WriteInputs(source_, kTasks);
  ASSERT_EQ(inputs.size(), static_cast<size_t>(kTasks));
  MakeReadableByAll(source_);
  const std::string batch = Submit(inputs.size());
  ASSERT_FALSE(batch.empty());

  // The container to be stopped goes first, alone, so that it surely holds a task.
  const std::string stopped_name = name_ + "-stopped";
  auto stopped = StartWorkerContainer(stopped_name,
                                      {"PIXFLEET_FAULT_SLOW_INPUT=img-:" + std::to_string(kSlowMs)},
                                      {"--concurrency", "1", "--grace-period", kGracePeriod});
  const auto leased_by = SteadyClock::now() + seconds(120);
  while (Ready() == kTasks && SteadyClock::now() < leased_by) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_LT(Ready(), kTasks) << "the first container took no task";
  auto other = StartWorkerContainer(
      name_ + "-other", {},
      {"--concurrency", "2", "--exit-when-idle", "--grace-period", kGracePeriod});
  // Its first task has a second or more of its slow fetch to go.
  std::this_thread::sleep_for(milliseconds(kSlowMs / 4));

  const auto stop_at = SteadyClock::now();
  const ProcessOutcome stop =
      Podman({"stop", "--time", kStopTimeoutS, stopped_name}, scratch_.string());
  const double stop_s = SecondsSince(stop_at);
  EXPECT_EQ(stop.exit_code, 0) << stop.out << stop.err;
  const ProcessOutcome drained = stopped->Wait(seconds(90));
  std::cerr << "podman stop took " << stop_s << " s (grace period " << kGracePeriod
            << "); the stopped container's log:\n"
            << drained.err;
  RecordProperty("podman_stop_ms", static_cast<int>(stop_s * 1000));
  // 0, not 137 (SIGKILL after the stop timeout) nor 143 (SIGTERM unhandled).
  EXPECT_EQ(drained.exit_code, 0) << drained.out << drained.err;

  const ProcessOutcome finished = other->Wait(seconds(180));
  EXPECT_EQ(finished.exit_code, 0) << finished.out << finished.err;
  const std::vector<TaskResult> rows = ExpectEveryInputDoneOnce(batch, inputs);
  int slow_rows = 0;
  for (const TaskResult& row : rows) {
    EXPECT_EQ(row.outcome, TaskOutcome::kSucceeded) << row.input_key;
    EXPECT_EQ(row.attempts, 1) << row.input_key << ": the stop cost an attempt";
    if (row.process_ms >= kSlowMs) ++slow_rows;
  }
  // The task it held when stopped was finished there, in the drain, not abandoned.
  EXPECT_GE(slow_rows, 1);
  ExpectStatusAllDone(batch, inputs.size());
}

}  // namespace
}  // namespace pixfleet::e2e
