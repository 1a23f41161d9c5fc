// End-to-end tests of how `pixfleet run` and `pixfleet worker` start and stop, with the real
// binary: an output folder on a full or read-only file system stops them with a message and exit
// 3, losing nothing, and the same command finishes the job once it is fixed; workers die with a
// run killed by kill -9 and never write beside a newer run; a worker waiting for an unreachable
// queue or database stops at once on SIGTERM.
//
// The full and read-only file systems are real: a 3 MB tmpfs, a read-only bind mount, mounted in
// a private mount namespace of this test process (seen only by it and its children, gone with
// it). Where mounting is not permitted at all, those tests are skipped, saying why.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vips/vips8>

#include "core/clock.h"
#include "model/task.h"
#include "queue/sqlite/sqlite_task_queue.h"
#include "results/sqlite/sqlite_result_store.h"
#include "testing/processes.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"
#include "tests/e2e/pixfleet_process.h"

namespace pixfleet::e2e {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

std::string Std3() { return SourceRoot() + "/recipes/std3.yaml"; }

// errno in words (strerror's buffer is shared between threads; this is not).
std::string ErrnoText() { return std::generic_category().message(errno); }

// Makes this process's mounts private to it and its children. Needs to run while the process has
// one thread (a user namespace requires it). Returns why not, where mounting is not permitted.
std::string EnterPrivateMountNamespace() {
  if (unshare(CLONE_NEWNS) == 0) {
    return mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0
               ? ""
               : std::string("mount --make-rprivate /: ") + ErrnoText();
  }
  // Not privileged: a user namespace in which this process is root, where the kernel allows it.
  const std::string uid_map = "0 " + std::to_string(getuid()) + " 1";
  const std::string gid_map = "0 " + std::to_string(getgid()) + " 1";
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
    return std::string("unshare(CLONE_NEWUSER | CLONE_NEWNS): ") + ErrnoText();
  }
  std::ofstream("/proc/self/setgroups") << "deny";
  std::ofstream("/proc/self/uid_map") << uid_map;
  std::ofstream("/proc/self/gid_map") << gid_map;
  return mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0
             ? ""
             : std::string("mount --make-rprivate / in a user namespace: ") + ErrnoText();
}

std::string g_cannot_mount;  // why mounting is not possible here; empty when it is

// All result rows in OUT/.pixfleet/results.db, by input key.
std::map<std::string, TaskResult> ResultRows(const fs::path& out) {
  std::map<std::string, TaskResult> rows;
  auto store =
      SqliteResultStore::Open((out / ".pixfleet" / "results.db").string(), RealClock::Instance());
  if (!store.ok()) return rows;
  auto batches = (*store)->ListBatches();
  EXPECT_TRUE(batches.ok());
  if (!batches.ok()) return rows;
  for (const Batch& batch : *batches) {
    auto listed = (*store)->ListResults(batch.id, std::nullopt);
    EXPECT_TRUE(listed.ok());
    if (listed.ok()) {
      for (TaskResult& row : *listed) rows[row.input_key] = std::move(row);
    }
  }
  return rows;
}

size_t CountWithOutcome(const std::map<std::string, TaskResult>& rows, TaskOutcome outcome) {
  return static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [&](const auto& entry) {
    return entry.second.outcome == outcome;
  }));
}

// Waits until at least `count` result rows exist (or 120 s pass).
void WaitForRows(const fs::path& out, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(out / ".pixfleet" / "results.db") && ResultRows(out).size() >= count) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL() << "fewer than " << count << " results after 120 s";
}

// Every output a succeeded row names exists and decodes to the size the row records.
void ExpectOutputsOf(const fs::path& out, const TaskResult& row) {
  ASSERT_EQ(row.outcome, TaskOutcome::kSucceeded) << row.input_key << ": " << row.error_message;
  for (const OutputRecord& output : row.outputs) {
    const fs::path path = out / output.key;
    ASSERT_TRUE(fs::exists(path)) << path;
    vips::VImage image = vips::VImage::new_from_file(path.c_str());
    EXPECT_EQ(image.width(), output.width) << path;
    EXPECT_EQ(image.height(), output.height) << path;
    EXPECT_GE(image.avg(), 0.0) << path;  // every pixel readable: the file is whole
  }
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class LifecycleE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g_cannot_mount = EnterPrivateMountNamespace();  // first: while there is one thread
    ASSERT_EQ(VIPS_INIT("lifecycle_e2e_test"), 0);
  }
  void TearDown() override {
    for (const fs::path& point : mounted_) umount2(point.c_str(), MNT_DETACH);
  }

  // Mounts a tmpfs of `size` ("3m") at `point`.
  void MountTmpfs(const fs::path& point, const std::string& size) {
    fs::create_directories(point);
    ASSERT_EQ(mount("tmpfs", point.c_str(), "tmpfs", 0, ("size=" + size).c_str()), 0)
        << ErrnoText();
    mounted_.push_back(point);
  }

  std::vector<std::string> Run(const fs::path& recipe = Std3()) const {
    return {"run",   source_.string(), "--recipe",  recipe.string(),
            "--out", out_.string(),    "--workers", "2"};
  }

  // Runs the same command again: it exits 0 with `images` rows, each output whole.
  void ExpectTheSameCommandFinishesEveryImage(size_t images) {
    const auto rerun = RunPixfleet(Run(), dir_.path().string());
    EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
    const auto rows = ResultRows(out_);
    ASSERT_EQ(rows.size(), images);
    for (const auto& [key, row] : rows) {
      SCOPED_TRACE(key);
      ExpectOutputsOf(out_, row);
    }
  }

  TempDir dir_;
  fs::path source_ = dir_.path() / "in";
  fs::path out_ = dir_.path() / "out";
  std::vector<fs::path> mounted_;
};

#define SKIP_UNLESS_MOUNT_IS_PERMITTED() \
  if (!g_cannot_mount.empty()) GTEST_SKIP() << "cannot mount here: " << g_cannot_mount

TEST_F(LifecycleE2eTest, AFullDiskStopsTheRunWithExit3AndTheSameCommandFinishesItOnceFreed) {
  SKIP_UNLESS_MOUNT_IS_PERMITTED();
  ASSERT_TRUE(WriteSampleSet(source_, "demo").ok());  // 24 images, several camera-sized
  MountTmpfs(out_, "3m");

  const auto full = RunPixfleet(Run(), dir_.path().string());
  EXPECT_EQ(full.exit_code, 3) << full.out << full.err;
  const std::vector<std::string> err = Lines(full.err);
  ASSERT_GE(err.size(), 2u) << full.err;
  EXPECT_TRUE(err[err.size() - 2].starts_with("pixfleet run: stopped: ")) << full.err;
  EXPECT_NE(err[err.size() - 2].find("No space left on device"), std::string::npos) << full.err;
  EXPECT_EQ(err.back(), "pixfleet run: nothing lost: fix it and run the same command again");
  EXPECT_NE(full.out.find("pixfleet run stopped"), std::string::npos) << full.out;
  EXPECT_NE(full.out.find("unfinished: "), std::string::npos) << full.out;
  const auto stopped_rows = ResultRows(out_);
  EXPECT_EQ(CountWithOutcome(stopped_rows, TaskOutcome::kFailed), 0u);  // nothing failed for it
  EXPECT_LT(stopped_rows.size(), 24u);

  // Space is freed: the same command finishes every image.
  ASSERT_EQ(mount(nullptr, out_.c_str(), nullptr, MS_REMOUNT, "size=512m"), 0) << ErrnoText();
  ExpectTheSameCommandFinishesEveryImage(24);
}

TEST_F(LifecycleE2eTest, AReadOnlyOutputStopsTheRunWithExit3AndTheSameCommandFinishesIt) {
  SKIP_UNLESS_MOUNT_IS_PERMITTED();
  ASSERT_TRUE(WriteSampleSet(source_ / "photos", "demo").ok());
  // Outputs go to OUT/photos/; the run's state in OUT/.pixfleet stays writable.
  const fs::path outputs = out_ / "photos";
  fs::create_directories(outputs);
  ASSERT_EQ(mount(outputs.c_str(), outputs.c_str(), nullptr, MS_BIND, nullptr), 0) << ErrnoText();
  mounted_.push_back(outputs);
  ChildProcess run(PixfleetBinary(), Run(), dir_.path().string());
  WaitForRows(out_, 2);
  // The output folder turns read-only mid-run (the kernel refuses while a file is open for
  // writing there, so try again until the workers are between two writes).
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  int remounted = -1;
  do {
    remounted = mount(nullptr, outputs.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr);
  } while (remounted != 0 && errno == EBUSY && std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(remounted, 0) << ErrnoText();
  const auto stopped = run.Wait(seconds(300));
  EXPECT_EQ(stopped.exit_code, 3) << stopped.out << stopped.err;
  EXPECT_NE(stopped.err.find("Read-only file system"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("nothing lost"), std::string::npos) << stopped.err;
  EXPECT_EQ(CountWithOutcome(ResultRows(out_), TaskOutcome::kFailed), 0u);

  ASSERT_EQ(mount(nullptr, outputs.c_str(), nullptr, MS_REMOUNT | MS_BIND, nullptr), 0)
      << ErrnoText();
  ExpectTheSameCommandFinishesEveryImage(24);
}

TEST_F(LifecycleE2eTest, AWorkerOnAFullDiskHandsItsTaskBackAndExits3NamingTheReason) {
  SKIP_UNLESS_MOUNT_IS_PERMITTED();
  ASSERT_TRUE(WriteSampleSet(source_, "demo").ok());
  MountTmpfs(out_, "1m");
  // A batch set up directly in the embedded stores, on a disk with room; only OUT is full.
  const std::string queue_path = dir_.Join("queue.db");
  const std::string db_path = dir_.Join("results.db");
  Batch batch;
  batch.id = "b-full";
  batch.source_url = "file://" + source_.string();
  batch.output_url = "file://" + out_.string();
  batch.recipe_yaml = ReadFileForTest(Std3());
  std::vector<std::string> keys;
  for (const auto& entry : fs::recursive_directory_iterator(source_)) {
    if (entry.is_regular_file()) keys.push_back(fs::relative(entry.path(), source_).string());
  }
  {
    auto results = SqliteResultStore::Open(db_path, RealClock::Instance());
    ASSERT_TRUE(results.ok());
    ASSERT_TRUE((*results)->PutBatch(batch).ok());
    auto queue = SqliteTaskQueue::Open(queue_path, SqliteTaskQueueOptions{}, RealClock::Instance());
    ASSERT_TRUE(queue.ok());
    ASSERT_TRUE((*queue)->Publish(MakeTasks(batch.id, keys)).ok());
  }
  ChildProcess worker(PixfleetBinary(),
                      {"worker", "--queue", "sqlite://" + queue_path, "--db", "sqlite://" + db_path,
                       "--concurrency", "2", "--exit-when-idle"},
                      dir_.path().string());
  const auto outcome = worker.Wait(seconds(300));
  EXPECT_EQ(outcome.exit_code, 3) << outcome.err;
  const std::vector<std::string> err = Lines(outcome.err);
  ASSERT_FALSE(err.empty());
  EXPECT_TRUE(err.back().starts_with("pixfleet worker: stopped: ")) << outcome.err;
  EXPECT_NE(err.back().find("No space left on device"), std::string::npos) << outcome.err;
  // Nothing failed and nothing is held: what is not done is deliverable again.
  auto results = SqliteResultStore::Open(db_path, RealClock::Instance());
  ASSERT_TRUE(results.ok());
  auto counts = (*results)->CountResults(batch.id);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->failed, 0);
  auto queue = SqliteTaskQueue::Open(queue_path, SqliteTaskQueueOptions{}, RealClock::Instance());
  ASSERT_TRUE(queue.ok());
  auto depth = (*queue)->Depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth->dead, 0);
  EXPECT_EQ(depth->leased, 0);
  EXPECT_EQ(depth->ready + depth->delayed + counts->succeeded, static_cast<int64_t>(keys.size()));
}

TEST_F(LifecycleE2eTest, WorkersDieWithARunKilledByKillNineAndNeverWriteBesideANewerRun) {
  ASSERT_TRUE(WriteSampleSet(source_, "demo").ok());
  ChildProcess killed(PixfleetBinary(), Run(), dir_.path().string());
  WaitForRows(out_, 2);
  const std::vector<pid_t> workers = killed.Children();
  ASSERT_FALSE(workers.empty());
  kill(killed.Pid(), SIGKILL);  // the run alone, not its process group
  (void)killed.Wait();
  const size_t rows_at_kill = ResultRows(out_).size();

  // At once, a newer run with another recipe: the same output names, smaller sizes.
  std::string recipe = ReadFileForTest(Std3());
  const std::string box = "width: 1600, height: 1600";
  ASSERT_NE(recipe.find(box), std::string::npos);
  recipe.replace(recipe.find(box), box.size(), "width: 300, height: 300");
  const fs::path smaller = dir_.path() / "smaller.yaml";
  WriteFileForTest(smaller, recipe);
  const auto newer = RunPixfleet(Run(smaller), dir_.path().string());
  EXPECT_EQ(newer.exit_code, 0) << newer.out << newer.err;

  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  for (pid_t worker : workers) {
    while (!ProcessIsDead(worker) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(ProcessIsDead(worker)) << "worker " << worker << " outlived its run";
    if (!ProcessIsDead(worker)) kill(worker, SIGKILL);
  }
  // The killed run's workers finished at most the images they held when it died.
  auto store =
      SqliteResultStore::Open((out_ / ".pixfleet" / "results.db").string(), RealClock::Instance());
  ASSERT_TRUE(store.ok());
  size_t killed_runs_rows = 0;
  for (const Batch& batch : *(*store)->ListBatches()) {
    if (batch.recipe_yaml.find(box) == std::string::npos) continue;
    killed_runs_rows = (*(*store)->ListResults(batch.id, std::nullopt)).size();
  }
  EXPECT_LE(killed_runs_rows, rows_at_kill + workers.size());
  // Every large.jpg is the newer run's: nothing of the killed run's recipe was written beside it.
  size_t checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out_)) {
    if (entry.path().filename() != "large.jpg") continue;
    vips::VImage large = vips::VImage::new_from_file(entry.path().c_str());
    EXPECT_LE(std::max(large.width(), large.height()), 300) << entry.path();
    ++checked;
  }
  EXPECT_EQ(checked, 24u);
}

// A port on loopback where nothing listens.
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  close(fd);
  return ntohs(address.sin_port);
}

TEST_F(LifecycleE2eTest, AWorkerWaitingForAnUnreachableQueueOrDatabaseStopsAtOnceOnSigterm) {
  const std::string port = std::to_string(UnusedPort());
  const std::string sqlite_queue = "sqlite://" + dir_.Join("queue.db");
  for (const auto& [queue, db] : std::vector<std::pair<std::string, std::string>>{
           {"amqp://guest:guest@127.0.0.1:" + port + "/", "sqlite://" + dir_.Join("r.db")},
           {sqlite_queue, "postgresql://pixfleet@127.0.0.1:" + port + "/pixfleet"}}) {
    SCOPED_TRACE(std::string(queue).append(" ").append(db));
    // A scratch folder of its own, so that its only .err file is this worker's stderr.
    const fs::path scratch = dir_.path() / ("scratch-" + std::to_string(getpid()) + "-" + port +
                                            (queue == sqlite_queue ? "-db" : "-queue"));
    fs::create_directories(scratch);
    ChildProcess worker(PixfleetBinary(), {"worker", "--queue", queue, "--db", db},
                        scratch.string());
    // Wait until it says it is waiting (then its signal handling is up).
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    bool waiting = false;
    while (!waiting && std::chrono::steady_clock::now() < deadline) {
      for (const auto& entry : fs::directory_iterator(scratch)) {
        if (entry.path().extension() == ".err" &&
            ReadFileForTest(entry.path()).find("not reachable yet") != std::string::npos) {
          waiting = true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(waiting) << "the worker never said it was waiting";
    worker.Signal(SIGTERM);
    // Without the stop, it would wait out its minute of patience, then exit 2.
    const auto outcome = worker.Wait(seconds(120));
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  }
}

}  // namespace
}  // namespace pixfleet::e2e
