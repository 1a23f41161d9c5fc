#include "submit/input_selection.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "storage/local/local_object_store.h"
#include "storage/memory/in_memory_object_store.h"
#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

TEST(InputSelectionTest, RecognisesImageExtensionsInAnyCase) {
  for (const char* key : {"a.jpg", "a.JPG", "b/c.Jpeg", "x.png", "x.webp", "x.tif", "x.TIFF",
                          "x.gif", "x.heic", "x.HEIF", "x.avif"}) {
    EXPECT_TRUE(HasImageExtension(key)) << key;
  }
  for (const char* key : {"a.txt", "jpg", "a.jpg.bak", "dir.jpg/readme", "a.", "a.svg", "a.pdf"}) {
    EXPECT_FALSE(HasImageExtension(key)) << key;
  }
}

TEST(InputSelectionTest, ListsImagesInKeyOrderOutsideTheExcludedPrefix) {
  InMemoryObjectStore store;
  for (const char* key :
       {"b/2.png", "a.jpg", "notes.txt", "out/a/large.jpg", "b/1.JPG", "outer.png"}) {
    ASSERT_TRUE(store.Put(key, "x", "application/octet-stream").ok());
  }
  auto listing = ListInputs(store, "out/");
  ASSERT_TRUE(listing.ok());
  EXPECT_EQ(listing->keys, (std::vector<std::string>{"a.jpg", "b/1.JPG", "b/2.png", "outer.png"}));
  EXPECT_EQ(listing->skipped.Total(), 0);
  auto all = ListInputs(store, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->keys.size(), 5u);
}

// An OUT inside SOURCE, links leading out of the source and dangling ones: passed over, and said.
TEST(InputSelectionTest, ReportsWhatALocalSourcePassesOver) {
  namespace fs = std::filesystem;
  TempDir dir;
  const fs::path source = dir.path() / "src";
  WriteFileForTest(source / "a.jpg", "x");
  WriteFileForTest(source / "out1/a/thumb.jpg", "earlier output");
  WriteFileForTest(source / "out1/.pixfleet/results.db", "state");
  WriteFileForTest(source / "out2/b/thumb.jpg", "this run's output");
  WriteFileForTest(source / "out2/.pixfleet/results.db", "state");
  WriteFileForTest(dir.path() / "secret.jpg", "outside");
  fs::create_symlink(dir.path() / "secret.jpg", source / "escape.jpg");
  fs::create_symlink(source / "gone.jpg", source / "dangling.jpg");
  fs::create_symlink(source / "gone.txt", source / "dangling.txt");  // never an input anyway
  fs::create_symlink(source / "a.jpg", source / "inside.jpg");
  auto store = LocalObjectStore::Open(source);
  ASSERT_TRUE(store.ok()) << store.status().ToString();

  auto listing = ListInputs(**store, "out2/");
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(listing->keys, (std::vector<std::string>{"a.jpg", "inside.jpg"}));
  EXPECT_EQ(listing->skipped.Describe(),
            "passed over 3 entries of the source (see README, \"Inputs\"):\n"
            "  dangling symlink (its target is missing, or links loop): 1 (dangling.jpg)\n"
            "  symlink leading outside the folder: 1 (escape.jpg)\n"
            "  output folder of an earlier pixfleet run (it holds .pixfleet/): 1 (out1/)\n");
}

TEST(InputSelectionTest, SkipSummaryCountsEverythingButKeepsAFewExamples) {
  SkipSummary summary;
  for (int i = 0; i < 1000; ++i) summary.Add({"l" + std::to_string(i) + ".jpg", "dangling"});
  summary.Add({"bad\x1b[31m.jpg", "outside"});
  ASSERT_EQ(summary.Groups().size(), 2u);
  EXPECT_EQ(summary.Groups()[0].examples.size(), SkipSummary::kExamples);
  EXPECT_EQ(summary.Total(), 1001);
  EXPECT_EQ(summary.Describe(),
            "passed over 1001 entries of the source (see README, \"Inputs\"):\n"
            "  dangling: 1000 (l0.jpg, l1.jpg, l2.jpg, ...)\n"
            "  outside: 1 (bad\\x1b[31m.jpg)\n");
}

}  // namespace
}  // namespace pixfleet
