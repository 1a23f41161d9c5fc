#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

namespace pixfleet {
namespace {

// A test starts with logging already set up by the test main, so that no two threads of a test
// can be the first to touch spdlog's registry.
TEST(GtestMainTest, LoggingIsSetUpBeforeAnyTestRuns) {
  ASSERT_NE(spdlog::default_logger_raw(), nullptr);
  EXPECT_EQ(spdlog::default_logger_raw()->name(), "pixfleet");
}

}  // namespace
}  // namespace pixfleet
