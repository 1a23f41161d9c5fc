#include "submit/input_selection.h"

#include <gtest/gtest.h>

#include "storage/memory/in_memory_object_store.h"

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
  auto keys = ListImageKeys(store, "out/");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, (std::vector<std::string>{"a.jpg", "b/1.JPG", "b/2.png", "outer.png"}));
  auto all = ListImageKeys(store, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);
}

}  // namespace
}  // namespace pixfleet
