// End-to-end tests of what `pixfleet run` takes as inputs and where it writes, through the real
// binary: colliding output keys refused before any work, damaged images failing with their
// decoder's reason while harmless camera warnings pass, an earlier output folder inside the
// source not taken for inputs, symlinks in the source followed only inside it (and what was
// passed over said by `run` and `submit`), a symlinked folder inside OUT never written through,
// and recipe files that are not one recipe.
#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "results/sqlite/sqlite_result_store.h"
#include "testing/temp_dir.h"
#include "testing/test_images.h"
#include "tests/e2e/pixfleet_process.h"

namespace pixfleet::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kThumbRecipe = R"(name: thumbs
outputs:
  - name: thumb
    format: jpeg
    ops:
      - resize: {width: 64, height: 64}
)";

// Result rows of every batch in OUT/.pixfleet/results.db, by input key.
std::map<std::string, TaskResult> Rows(const fs::path& out) {
  std::map<std::string, TaskResult> rows;
  auto store =
      SqliteResultStore::Open((out / ".pixfleet" / "results.db").string(), RealClock::Instance());
  EXPECT_TRUE(store.ok());
  if (!store.ok()) return rows;
  auto batches = (*store)->ListBatches();
  EXPECT_TRUE(batches.ok());
  for (const Batch& batch : batches.ok() ? *batches : std::vector<Batch>()) {
    auto listed = (*store)->ListResults(batch.id, std::nullopt);
    EXPECT_TRUE(listed.ok());
    for (TaskResult& row : *listed) rows[row.input_key] = std::move(row);
  }
  return rows;
}

// Every regular file under `root`, relative, including hidden ones.
std::vector<std::string> FilesUnder(const fs::path& root) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), root).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class InputsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFileForTest(recipe_, kThumbRecipe);
    Result<std::string> jpeg = MakeTestImage(TestImageSpec{});
    ASSERT_TRUE(jpeg.ok()) << jpeg.error().ToString();
    jpeg_ = *jpeg;
  }

  ProcessOutcome Run(const fs::path& source, const fs::path& out,
                     const fs::path& recipe = fs::path()) {
    return RunPixfleet(
        {"run", source.string(), "--recipe", (recipe.empty() ? recipe_ : recipe).string(), "--out",
         out.string(), "--workers", "1"},
        dir_.path().string());
  }

  TempDir dir_;
  fs::path source_ = dir_.path() / "in";
  fs::path out_ = dir_.path() / "out";
  fs::path recipe_ = dir_.path() / "thumbs.yaml";
  std::string jpeg_;
};

TEST_F(InputsE2eTest, CollidingOutputKeysAreRefusedBeforeAnyWork) {
  WriteFileForTest(source_ / "a.jpg", jpeg_);
  WriteFileForTest(source_ / "sub/a.jpg", jpeg_);
  WriteFileForTest(source_ / "b.jpg", jpeg_);
  const fs::path flat = dir_.path() / "flat.yaml";
  WriteFileForTest(flat, std::string(kThumbRecipe) + "    key: \"{stem}.{ext}\"\n");

  const ProcessOutcome run = Run(source_, out_, flat);
  EXPECT_NE(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("output keys collide"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("\"a.jpg\" from a.jpg (output thumb) and sub/a.jpg (output thumb)"),
            std::string::npos)
      << run.err;
  // Nothing was processed: no output, no result row.
  for (const std::string& file : FilesUnder(out_)) {
    EXPECT_TRUE(file.starts_with(".pixfleet/")) << file;
  }
  EXPECT_TRUE(Rows(out_).empty());
}

TEST_F(InputsE2eTest, DamagedImagesFailWithTheirReasonAndHarmlessWarningsPass) {
  Result<std::string> liar = MakeBrokenImage(BrokenKind::kLyingJpeg);
  Result<std::string> padded = WithBytesBeforeJpegMarker(jpeg_, 0xDB, std::string(3, '\0'));
  TestImageSpec png_spec;
  png_spec.format = TestFormat::kPng;
  Result<std::string> png = MakeTestImage(png_spec);
  ASSERT_TRUE(liar.ok() && padded.ok() && png.ok());
  Result<std::string> bad_crc = WithPngChunkCrcBroken(*png, "IHDR");
  ASSERT_TRUE(bad_crc.ok());
  WriteFileForTest(source_ / "liar.jpg", *liar);
  WriteFileForTest(source_ / "camera.jpg", *padded);
  WriteFileForTest(source_ / "crc.png", *bad_crc);
  WriteFileForTest(source_ / "good.jpg", jpeg_);

  const ProcessOutcome run = Run(source_, out_);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;  // some inputs failed
  auto rows = Rows(out_);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows["good.jpg"].outcome, TaskOutcome::kSucceeded);
  EXPECT_EQ(rows["camera.jpg"].outcome, TaskOutcome::kSucceeded)
      << rows["camera.jpg"].error_message;
  EXPECT_EQ(rows["liar.jpg"].outcome, TaskOutcome::kFailed);
  EXPECT_EQ(rows["liar.jpg"].error_message,
            "liar.jpg: corrupt or truncated image: VipsJpeg: Corrupt JPEG data: premature end of "
            "data segment");
  EXPECT_FALSE(fs::exists(out_ / "liar/thumb.jpg"));
  EXPECT_EQ(rows["crc.png"].outcome, TaskOutcome::kFailed);
  EXPECT_EQ(rows["crc.png"].error_message, "crc.png: corrupt or truncated image: IHDR: CRC error");
}

TEST_F(InputsE2eTest, AnEarlierOutputFolderInsideTheSourceIsNotTakenForInputs) {
  WriteFileForTest(source_ / "a.jpg", jpeg_);
  WriteFileForTest(source_ / "trip/b.jpg", jpeg_);
  const ProcessOutcome first = Run(source_, source_ / "out1");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("2 images in"), std::string::npos) << first.err;

  const ProcessOutcome second = Run(source_, source_ / "out2");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("2 images in"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("output folder of an earlier pixfleet run (it holds .pixfleet/): 1 "
                            "(out1/)"),
            std::string::npos)
      << second.err;
  EXPECT_EQ(FilesUnder(source_ / "out2").size(), FilesUnder(source_ / "out1").size());
  EXPECT_FALSE(fs::exists(source_ / "out2/out1"));
}

TEST_F(InputsE2eTest, SymlinksInTheSourceAreFollowedOnlyInsideIt) {
  WriteFileForTest(source_ / "a.jpg", jpeg_);
  WriteFileForTest(dir_.path() / "private/secret.jpg", jpeg_);
  fs::create_symlink(dir_.path() / "private/secret.jpg", source_ / "escape.jpg");
  fs::create_symlink(source_ / "missing.jpg", source_ / "dangling.jpg");
  fs::create_symlink(source_ / "a.jpg", source_ / "alias.jpg");
  fs::create_directory_symlink(dir_.path() / "private", source_ / "private");

  const ProcessOutcome run = Run(source_, out_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("passed over 3 entries of the source"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("dangling symlink (its target is missing, or links loop): 1 "
                         "(dangling.jpg)"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("symlink leading outside the folder: 2 (escape.jpg, private/)"),
            std::string::npos)
      << run.err;
  auto rows = Rows(out_);
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows.contains("a.jpg"));
  EXPECT_TRUE(rows.contains("alias.jpg"));
}

TEST_F(InputsE2eTest, SubmitSaysWhatItPassedOverToo) {
  WriteFileForTest(source_ / "a.jpg", jpeg_);
  WriteFileForTest(source_ / "old-thumbs/a/thumb.jpg", jpeg_);
  fs::create_directories(source_ / "old-thumbs/.pixfleet");
  fs::create_symlink("/etc/hostname.jpg", source_ / "planted.jpg");
  const ProcessOutcome submit =
      RunPixfleet({"submit", source_.string(), "--recipe", recipe_.string(), "--queue",
                   "sqlite://" + dir_.Join("queue.db"), "--db",
                   "sqlite://" + dir_.Join("results.db"), "--out", out_.string()},
                  dir_.path().string());
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_NE(submit.out.find("1 inputs"), std::string::npos) << submit.out;
  EXPECT_NE(submit.out.find("passed over 2 entries of the source"), std::string::npos)
      << submit.out;
  EXPECT_NE(submit.out.find("(old-thumbs/)"), std::string::npos) << submit.out;
  EXPECT_NE(submit.out.find("(planted.jpg)"), std::string::npos) << submit.out;
}

TEST_F(InputsE2eTest, ASymlinkedFolderInsideOutIsNeverWrittenThrough) {
  WriteFileForTest(source_ / "a.jpg", jpeg_);
  WriteFileForTest(dir_.path() / "elsewhere/keep.txt", "untouched");
  fs::create_directories(out_);
  // The default key template writes a.jpg's output to OUT/a/thumb.jpg.
  fs::create_directory_symlink(dir_.path() / "elsewhere", out_ / "a");

  const ProcessOutcome run = Run(source_, out_);
  EXPECT_NE(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(FilesUnder(dir_.path() / "elsewhere"), std::vector<std::string>{"keep.txt"});
  // The reason reaches the user: on stderr if the run stops for it, or in the failure list.
  EXPECT_NE((run.out + run.err).find("is a symlink, and the output store never writes through"),
            std::string::npos)
      << run.out << run.err;
}

TEST_F(InputsE2eTest, ARecipeFileMustHoldOneRecipe) {
  WriteFileForTest(source_ / "a.jpg", jpeg_);
  const fs::path two = dir_.path() / "two.yaml";
  WriteFileForTest(two, std::string(kThumbRecipe) + "---\n" + kThumbRecipe);
  const ProcessOutcome run = Run(source_, out_, two);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("two.yaml:7: a recipe is a single YAML document, but a second one "
                         "starts here"),
            std::string::npos)
      << run.err;

  const fs::path dotted = dir_.path() / "dotted.yaml";
  WriteFileForTest(dotted, std::string(kThumbRecipe) + "    key: \".pixfleet/{path}.{ext}\"\n");
  const ProcessOutcome reserved = Run(source_, out_, dotted);
  EXPECT_EQ(reserved.exit_code, 2) << reserved.err;
  EXPECT_NE(reserved.err.find("must not have a segment starting with '.'"), std::string::npos)
      << reserved.err;
  EXPECT_FALSE(fs::exists(out_ / ".pixfleet/a.jpg"));
}

}  // namespace
}  // namespace pixfleet::e2e
