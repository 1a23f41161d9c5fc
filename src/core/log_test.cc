#include "core/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pixfleet {
namespace {

TEST(LogTest, JsonLinesEscapeEverythingAndCarryTheTask) {
  const std::string line = FormatJsonLogLine("2026-11-29T17:00:00.123Z", "warning", 42, "t1", "b1",
                                             "a \"quoted\" name\nwith\\slash");
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["level"], "warning");
  EXPECT_EQ(parsed["pid"], 42);
  EXPECT_EQ(parsed["task"], "t1");
  EXPECT_EQ(parsed["batch"], "b1");
  EXPECT_EQ(parsed["message"], "a \"quoted\" name\nwith\\slash");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogTest, LinesOutsideATaskHaveNoTaskFields) {
  const auto parsed = nlohmann::json::parse(FormatJsonLogLine("t", "info", 1, "", "", "hello"));
  EXPECT_FALSE(parsed.contains("task"));
  EXPECT_EQ(parsed["message"], "hello");
}

TEST(LogTest, InvalidUtf8IsReplacedNotThrown) {
  const std::string line = FormatJsonLogLine("t", "info", 1, "", "", "bad \xff byte");
  const auto parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << line;
}

}  // namespace
}  // namespace pixfleet
