// End-to-end tests of the pixfleet binary: `run` over generated images in every supported format
// and kind, broken inputs failing alone, resume after a finished run, after Ctrl-C and after
// kill -9 of a worker, `process` on one image, and --help everywhere.
#include <csignal>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <vips/vips8>

#include "core/clock.h"
#include "queue/sqlite/sqlite_task_queue.h"
#include "results/sqlite/sqlite_result_store.h"
#include "submit/input_selection.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"
#include "tests/e2e/pixfleet_process.h"

namespace pixfleet::e2e {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using vips::VImage;

std::string Std3() { return SourceRoot() + "/recipes/std3.yaml"; }

std::vector<std::string> ImageKeysUnder(const fs::path& root) {
  std::vector<std::string> keys;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string key = fs::relative(entry.path(), root).generic_string();
    if (entry.is_regular_file() && HasImageExtension(key)) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

// All result rows of the single batch in OUT/.pixfleet/results.db, by input key.
std::map<std::string, TaskResult> ResultRows(const fs::path& out) {
  auto store =
      SqliteResultStore::Open((out / ".pixfleet" / "results.db").string(), RealClock::Instance());
  EXPECT_TRUE(store.ok());
  std::map<std::string, TaskResult> rows;
  if (!store.ok()) return rows;
  auto batches = (*store)->ListBatches();
  EXPECT_TRUE(batches.ok());
  for (const Batch& batch : *batches) {
    auto listed = (*store)->ListResults(batch.id, std::nullopt);
    EXPECT_TRUE(listed.ok());
    for (TaskResult& row : *listed) rows[row.input_key] = std::move(row);
  }
  return rows;
}

// Expected size of a "fit inside box" output of a w x h image (no enlargement).
std::pair<int, int> FitInside(int w, int h, int box) {
  const double scale = std::min({1.0, static_cast<double>(box) / w, static_cast<double>(box) / h});
  return {std::max(1, static_cast<int>(std::lround(w * scale))),
          std::max(1, static_cast<int>(std::lround(h * scale)))};
}

void ExpectImageFile(const fs::path& path, const std::string& loader_prefix,
                     std::pair<int, int> size) {
  ASSERT_TRUE(fs::exists(path)) << path;
  VImage image = VImage::new_from_file(path.c_str());
  EXPECT_NEAR(image.width(), size.first, 1) << path;
  EXPECT_NEAR(image.height(), size.second, 1) << path;
  EXPECT_EQ(image.format(), VIPS_FORMAT_UCHAR) << path;
  const char* loader = nullptr;
  ASSERT_EQ(vips_image_get_string(image.get_image(), "vips-loader", &loader), 0);
  EXPECT_TRUE(std::string(loader).starts_with(loader_prefix)) << path << " " << loader;
  // Reading every pixel proves the file is complete and valid.
  EXPECT_GE(image.avg(), 0.0) << path;
}

// Where an input's outputs go: OUT/<key without extension>/, or OUT/<key>/ when another input
// differs from it only by extension (a.jpg and a.png would otherwise share a.../large.jpg).
std::string OutputDir(const std::string& key, const std::vector<std::string>& all_keys) {
  const std::string stem = fs::path(key).replace_extension().generic_string();
  const auto same_stem = std::count_if(all_keys.begin(), all_keys.end(), [&](const std::string& k) {
    return fs::path(k).replace_extension().generic_string() == stem;
  });
  return same_stem > 1 ? key : stem;
}

// Checks the three std3 outputs of a succeeded row against its upright input size.
void ExpectStd3Outputs(const fs::path& out, const TaskResult& row, const std::string& stem) {
  ASSERT_EQ(row.outcome, TaskOutcome::kSucceeded) << row.input_key << ": " << row.error_message;
  ASSERT_TRUE(row.analysis.width && row.analysis.height) << row.input_key;
  const int w = *row.analysis.width;
  const int h = *row.analysis.height;
  ExpectImageFile(out / stem / "large.jpg", "jpeg", FitInside(w, h, 1600));
  ExpectImageFile(out / stem / "small.webp", "webp", FitInside(w, h, 512));
  const double cover = std::min(1.0, std::max(256.0 / w, 256.0 / h));
  ExpectImageFile(out / stem / "square.jpg", "jpeg",
                  {std::min(256, static_cast<int>(std::lround(w * cover))),
                   std::min(256, static_cast<int>(std::lround(h * cover)))});
  EXPECT_EQ(row.outputs.size(), 3u);
  EXPECT_TRUE(row.analysis.dhash.has_value());
  EXPECT_TRUE(row.analysis.mean_colour.has_value());
}

class RunE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(VIPS_INIT("run_e2e_test"), 0); }
  TempDir dir_;
  fs::path source_ = dir_.path() / "in";
  fs::path out_ = dir_.path() / "out";
};

TEST_F(RunE2eTest, EveryFormatSucceedsBrokenFilesFailAloneAndARerunRedoesNothing) {
  ASSERT_TRUE(WriteSampleSet(source_ / "good", "formats").ok());
  ASSERT_TRUE(WriteSampleSet(source_ / "broken", "broken").ok());
  const auto good = ImageKeysUnder(source_ / "good");
  const auto broken = ImageKeysUnder(source_ / "broken");
  ASSERT_GE(good.size(), 15u);
  ASSERT_GE(broken.size(), 5u);

  const auto first = RunPixfleet(
      {"run", source_.string(), "--recipe", Std3(), "--out", out_.string(), "--workers", "2"},
      dir_.path().string());
  EXPECT_EQ(first.exit_code, 1) << first.out << first.err;
  auto rows = ResultRows(out_);
  EXPECT_EQ(rows.size(), good.size() + broken.size());
  for (const std::string& key : good) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(rows.contains("good/" + key));
    ExpectStd3Outputs(out_, rows["good/" + key], "good/" + OutputDir(key, good));
  }
  for (const std::string& key : broken) {
    SCOPED_TRACE(key);
    const TaskResult& row = rows["broken/" + key];
    EXPECT_EQ(row.outcome, TaskOutcome::kFailed);
    EXPECT_NE(row.error_message.find(key), std::string::npos) << row.error_message;
    EXPECT_TRUE(row.error_code == StatusCode::kInvalidArgument ||
                row.error_code == StatusCode::kResourceExhausted)
        << StatusCodeName(row.error_code);
    EXPECT_FALSE(fs::exists(out_ / "broken" / fs::path(key).replace_extension() / "large.jpg"));
    // The summary lists every failed input with its reason.
    EXPECT_NE(first.out.find("broken/" + key), std::string::npos) << first.out;
  }
  EXPECT_NE(first.out.find("failed:     " + std::to_string(broken.size())), std::string::npos)
      << first.out;

  // The same command again: nothing is redone, no output is rewritten.
  const fs::path probe = out_ / "good" / OutputDir(good.front(), good) / "large.jpg";
  const auto written_at = fs::last_write_time(probe);
  const auto second = RunPixfleet(
      {"run", source_.string(), "--recipe", Std3(), "--out", out_.string(), "--workers", "2"},
      dir_.path().string());
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(
      second.err.find(std::to_string(good.size() + broken.size()) + " already done, 0 to process"),
      std::string::npos)
      << second.err;
  EXPECT_EQ(fs::last_write_time(probe), written_at);
  EXPECT_EQ(ResultRows(out_).size(), rows.size());
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

TEST_F(RunE2eTest, KillNineOfWorkersMidBatchStillDoesEveryImageOnce) {
  ASSERT_TRUE(WriteSampleSet(source_, "demo").ok());
  const auto keys = ImageKeysUnder(source_);
  ChildProcess run(
      PixfleetBinary(),
      {"run", source_.string(), "--recipe", Std3(), "--out", out_.string(), "--workers", "2"},
      dir_.path().string());
  int kills = 0;
  for (size_t target : {2u, 6u, 10u}) {
    WaitForRows(out_, target);
    const auto workers = run.Children();
    if (workers.empty()) break;
    kill(workers.front(), SIGKILL);
    ++kills;
  }
  ASSERT_GE(kills, 1);
  const auto outcome = run.Wait();
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_NE(outcome.err.find("killed by signal 9"), std::string::npos) << outcome.err;
  auto rows = ResultRows(out_);
  ASSERT_EQ(rows.size(), keys.size());
  for (const std::string& key : keys) {
    SCOPED_TRACE(key);
    ExpectStd3Outputs(out_, rows[key], OutputDir(key, keys));
  }
  // Every output above is whole. A worker killed while writing leaves its temp file (hidden, and
  // named after it: ".pixfleet-tmp-<pid>-..."; local_object_store.h), which the run removes once
  // its workers have exited: none is left, whenever the kills landed.
  for (const auto& entry : fs::recursive_directory_iterator(out_)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".pixfleet-tmp-")) << entry.path();
  }
}

TEST_F(RunE2eTest, CtrlCStopsCleanlyAndTheNextRunFinishesTheRest) {
  ASSERT_TRUE(WriteSampleSet(source_, "demo").ok());
  const auto keys = ImageKeysUnder(source_);
  ChildProcess run(
      PixfleetBinary(),
      {"run", source_.string(), "--recipe", Std3(), "--out", out_.string(), "--workers", "1"},
      dir_.path().string());
  WaitForRows(out_, 2);
  kill(-run.Pid(), SIGINT);  // the whole job, as a terminal's Ctrl-C does
  const auto stopped = run.Wait();
  EXPECT_EQ(stopped.exit_code, 130) << stopped.out << stopped.err;
  EXPECT_NE(stopped.out.find("interrupted"), std::string::npos) << stopped.out;
  const size_t done_before = ResultRows(out_).size();
  EXPECT_LT(done_before, keys.size());

  const auto resumed = RunPixfleet(
      {"run", source_.string(), "--recipe", Std3(), "--out", out_.string(), "--workers", "2"},
      dir_.path().string());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.err.find(std::to_string(done_before) + " already done"), std::string::npos)
      << resumed.err;
  auto rows = ResultRows(out_);
  ASSERT_EQ(rows.size(), keys.size());
  for (const auto& [key, row] : rows) EXPECT_EQ(row.outcome, TaskOutcome::kSucceeded) << key;
}

TEST_F(RunE2eTest, ProcessWritesOneImagesOutputsAndPrintsJson) {
  TestImageSpec spec;
  spec.width = 900;
  spec.height = 600;
  spec.orientation = 6;
  auto bytes = MakeTestImage(spec);
  ASSERT_TRUE(bytes.ok());
  const fs::path input = source_ / "phone photo.jpg";
  WriteFileForTest(input, *bytes);
  const auto outcome =
      RunPixfleet({"process", input.string(), "--recipe", Std3(), "--out", out_.string()},
                  dir_.path().string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("\"outputs\""), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("\"dhash\""), std::string::npos) << outcome.out;
  const std::string stem = input.stem().string();
  VImage large = VImage::new_from_file((out_ / stem / "large.jpg").c_str());
  EXPECT_EQ(large.width(), 600);  // upright: orientation 6 turns 900x600 into 600x900
  EXPECT_EQ(large.height(), 900);
  EXPECT_TRUE(fs::exists(out_ / stem / "small.webp"));
  EXPECT_TRUE(fs::exists(out_ / stem / "square.jpg"));
}

TEST_F(RunE2eTest, BadRecipeIsRejectedWithItsLineBeforeAnyWork) {
  WriteFileForTest(source_ / "a.jpg", "not even decoded");
  const std::string recipe = dir_.Join("bad.yaml");
  WriteFileForTest(recipe,
                   "name: bad\noutputs:\n  - name: big\n    format: jpeg\n    quality: 120\n");
  const auto outcome = RunPixfleet(
      {"run", source_.string(), "--recipe", recipe, "--out", out_.string()}, dir_.path().string());
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("bad.yaml:5"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("quality"), std::string::npos) << outcome.err;
  EXPECT_FALSE(fs::exists(out_ / ".pixfleet" / "results.db"));
}

TEST_F(RunE2eTest, OutputFolderMustNotBeTheSourceItself) {
  WriteFileForTest(source_ / "a.jpg", "x");
  const auto outcome =
      RunPixfleet({"run", source_.string(), "--recipe", Std3(), "--out", source_.string() + "/."},
                  dir_.path().string());
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("--out must not be the source folder"), std::string::npos)
      << outcome.err;
}

TEST_F(RunE2eTest, WorkerFinishesItsTaskOnSigtermAndExitsZero) {
  // A batch set up directly in the embedded stores, as `submit` will do for a fleet.
  ASSERT_TRUE(WriteSampleSet(source_, "demo").ok());
  const auto keys = ImageKeysUnder(source_);
  fs::create_directories(out_);
  const std::string queue_path = dir_.Join("queue.db");
  const std::string db_path = dir_.Join("results.db");
  Batch batch;
  batch.id = "b-sigterm";
  batch.source_url = "file://" + source_.string();
  batch.output_url = "file://" + out_.string();
  batch.recipe_yaml = ReadFileForTest(Std3());
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
                       "--concurrency", "2"},
                      dir_.path().string());
  auto results = SqliteResultStore::Open(db_path, RealClock::Instance());
  ASSERT_TRUE(results.ok());
  const auto deadline = std::chrono::steady_clock::now() + seconds(120);
  while ((*results)->ListResults(batch.id, std::nullopt)->size() < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  worker.Signal(SIGTERM);
  const auto outcome = worker.Wait();
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  // Nothing was abandoned mid-task: every task is either finished or still waiting, none leased.
  auto queue = SqliteTaskQueue::Open(queue_path, SqliteTaskQueueOptions{}, RealClock::Instance());
  ASSERT_TRUE(queue.ok());
  auto depth = (*queue)->Depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth->leased, 0);
  const auto rows = (*results)->ListResults(batch.id, std::nullopt);
  ASSERT_TRUE(rows.ok());
  EXPECT_GE(rows->size(), 2u);
  EXPECT_LT(rows->size(), keys.size());
  EXPECT_EQ(static_cast<size_t>(depth->ready) + rows->size(), keys.size());
}

TEST_F(RunE2eTest, SubmitThenWorkersThenStatus) {
  ASSERT_TRUE(WriteSampleSet(source_ / "good", "formats").ok());
  ASSERT_TRUE(WriteSampleSet(source_ / "broken", "broken").ok());
  const auto keys = ImageKeysUnder(source_);
  const std::string queue = "sqlite://" + dir_.Join("queue.db");
  const std::string db = "sqlite://" + dir_.Join("results.db");
  const std::vector<std::string> submit = {
      "submit", source_.string(), "--recipe",    Std3(),    "--queue", queue, "--db",
      db,       "--out",          out_.string(), "--batch", "e2e"};
  const auto submitted = RunPixfleet(submit, dir_.path().string());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_NE(submitted.out.find(std::to_string(keys.size()) + " tasks published"), std::string::npos)
      << submitted.out;
  // Submitting again duplicates nothing.
  const auto again = RunPixfleet(submit, dir_.path().string());
  EXPECT_NE(
      again.out.find("0 already finished, " + std::to_string(keys.size()) + " tasks published"),
      std::string::npos)
      << again.out;

  // Two worker processes drain the queue and exit.
  ChildProcess first(PixfleetBinary(), {"worker", "--queue", queue, "--db", db, "--exit-when-idle"},
                     dir_.path().string());
  ChildProcess second(PixfleetBinary(),
                      {"worker", "--queue", queue, "--db", db, "--exit-when-idle"},
                      dir_.path().string());
  EXPECT_EQ(first.Wait().exit_code, 0);
  EXPECT_EQ(second.Wait().exit_code, 0);

  const auto status =
      RunPixfleet({"status", "--db", db, "--queue", queue, "--failures"}, dir_.path().string());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto broken = ImageKeysUnder(source_ / "broken");
  const std::string done = std::to_string(keys.size());
  EXPECT_NE(status.out.find("\"e2e\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("done " + done + "/" + done + " (100.0%)"), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("failed " + std::to_string(broken.size())), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find(": ready 0  in flight 0  delayed 0  dead-letter " +
                            std::to_string(broken.size())),
            std::string::npos)
      << status.out;
  for (const std::string& key : broken) {
    EXPECT_NE(status.out.find("broken/" + key + ": "), std::string::npos) << key;
  }
  // Re-submitting a finished batch publishes nothing.
  const auto finished = RunPixfleet(submit, dir_.path().string());
  EXPECT_NE(finished.out.find(done + " already finished, 0 tasks published"), std::string::npos)
      << finished.out;
}

TEST_F(RunE2eTest, EveryCommandHasHelp) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--help"},
                                               {"run", "--help"},
                                               {"process", "--help"},
                                               {"worker", "--help"},
                                               {"submit", "--help"},
                                               {"status", "--help"}}) {
    const auto outcome = RunPixfleet(args, dir_.path().string());
    EXPECT_EQ(outcome.exit_code, 0) << args.front();
    EXPECT_NE(outcome.out.find("Usage"), std::string::npos) << outcome.out;
  }
}

}  // namespace
}  // namespace pixfleet::e2e
