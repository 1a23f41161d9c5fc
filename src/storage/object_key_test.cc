// ValidateObjectKey: which keys are accepted and what the rejection says.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/object_store.h"

namespace pixfleet {
namespace {

TEST(ObjectKeyTest, AcceptsRelativeSlashSeparatedKeys) {
  for (const std::string& key :
       std::vector<std::string>{"a", "a/b.jpg", "photos/2024/IMG_0001.JPG", ".hidden/x", "a..b",
                                "a/...", std::string(1024, 'k')}) {
    EXPECT_TRUE(ValidateObjectKey(key).ok()) << key;
  }
}

TEST(ObjectKeyTest, RejectsKeysThatCouldEscapeOrAreAmbiguous) {
  for (const std::string& key :
       std::vector<std::string>{"", "/abs", "../x", "a/../x", "..", "a/./b", ".", "a//b", "a/",
                                "a\\b", std::string("a\0b", 3), std::string(1025, 'k')}) {
    const Status status = ValidateObjectKey(key);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << key;
  }
}

TEST(ObjectKeyTest, MessageNamesTheKeyAndTheRule) {
  const Status status = ValidateObjectKey("a/../etc/passwd");
  EXPECT_NE(status.message().find("a/../etc/passwd"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find(".."), std::string::npos);
  EXPECT_NE(ValidateObjectKey("/etc").message().find("relative"), std::string::npos);
  EXPECT_NE(ValidateObjectKey("a\\b").message().find("backslash"), std::string::npos);
}

}  // namespace
}  // namespace pixfleet
