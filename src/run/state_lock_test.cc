#include "run/state_lock.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace pixfleet {
namespace {

TEST(StateLockTest, OnlyOneHolderAtATime) {
  TempDir dir;
  auto first = StateLock::Acquire(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = StateLock::Acquire(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), StatusCode::kAborted);
  EXPECT_NE(second.error().message().find("another pixfleet run"), std::string::npos);
  { StateLock released = std::move(*first); }
  EXPECT_TRUE(StateLock::Acquire(dir.path()).ok());
}

}  // namespace
}  // namespace pixfleet
