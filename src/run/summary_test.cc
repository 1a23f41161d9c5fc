#include "run/summary.h"

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TaskResult Failed(std::string key, StatusCode code, std::string message) {
  TaskResult row;
  row.input_key = std::move(key);
  row.outcome = TaskOutcome::kFailed;
  row.error_code = code;
  row.error_message = std::move(message);
  return row;
}

TEST(SummaryTest, GroupsFailuresByReasonAndListsEachInput) {
  RunSummary s;
  s.total = 10;
  s.succeeded = 7;
  s.skipped = 2;
  s.processed_now = 8;
  s.wall = std::chrono::seconds(4);
  s.cpu = std::chrono::seconds(7);
  s.failed = {Failed("a.jpg", StatusCode::kInvalidArgument, "a.jpg: corrupt or truncated image"),
              Failed("b.png", StatusCode::kInvalidArgument, "not an image"),
              Failed("c.png", StatusCode::kResourceExhausted, "c.png: image is 20000x20000")};
  const std::string text = FormatSummary(s);
  EXPECT_NE(text.find("inputs:     10 (2 finished by an earlier run, not redone)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("succeeded:  7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("failed:     3"), std::string::npos) << text;
  EXPECT_NE(text.find("2  unreadable or unsupported image"), std::string::npos) << text;
  EXPECT_NE(text.find("1  over a safety limit"), std::string::npos) << text;
  EXPECT_NE(text.find("2.0 images/s"), std::string::npos) << text;
  // A message that already names its input is not prefixed twice; one that does not is.
  EXPECT_NE(text.find("\n  a.jpg: corrupt or truncated image\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  b.png: not an image\n"), std::string::npos) << text;
}

TEST(SummaryTest, FailedInputsNeverPutAControlCharacterOnTheTerminal) {
  RunSummary s;
  s.total = 2;
  s.failed = {Failed("clear\x1b[2J\nforged.jpg", StatusCode::kInvalidArgument,
                     "clear\x1b[2J\nforged.jpg: not an image"),
              Failed("title\x1b]0;x\x07\xff.png", StatusCode::kInvalidArgument, "bad\rline")};
  const std::string text = FormatSummary(s);
  EXPECT_NE(text.find("\n  clear\\x1b[2J\\nforged.jpg: not an image\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  title\\x1b]0;x\\x07\\xff.png: bad\\rline\n"), std::string::npos) << text;
  for (char c : text) {
    EXPECT_TRUE(c == '\n' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)) << text;
  }
}

TEST(SummaryTest, MentionsUnfinishedWorkAndInterruption) {
  RunSummary s;
  s.total = 5;
  s.succeeded = 2;
  s.unfinished = 3;
  s.interrupted = true;
  const std::string text = FormatSummary(s);
  EXPECT_NE(text.find("interrupted"), std::string::npos);
  EXPECT_NE(text.find("unfinished: 3 (run the same command again"), std::string::npos);
}

TEST(SummaryTest, SaysARunThatHadToStopStopped) {
  RunSummary s;
  s.total = 37;
  s.succeeded = 10;
  s.unfinished = 27;
  s.stopped = true;
  const std::string text = FormatSummary(s);
  EXPECT_TRUE(text.starts_with("pixfleet run stopped\n")) << text;
  EXPECT_NE(text.find("unfinished: 27 (run the same command again"), std::string::npos) << text;
}

}  // namespace
}  // namespace pixfleet
