#include "core/log.h"

#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "core/redact.h"

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

TEST(LogTest, JsonLinesEscapeWhatATerminalWouldObey) {
  const std::string line =
      FormatJsonLogLine("t", "info", 1, "", "", "a\x1b[2J\x7f\xc2\x9b\xe2\x80\xae.jpg");
  for (char c : line) {
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == '\x7f') << line;
  }
  EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos) << line;
  EXPECT_EQ(nlohmann::json::parse(line)["message"], "a\x1b[2J\x7f\xc2\x9b\xe2\x80\xae.jpg");
}

// What a logger with MakeLogFormatter(format) writes for `message`.
std::string LoggedLine(LogFormat format, const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(MakeLogFormatter(format));
  logger.info(message);
  return out.str();
}

TEST(LogTest, TextLinesShowControlsAndInvalidBytesAsEscapes) {
  const std::string line = LoggedLine(LogFormat::kText, "failed: evil\x1b]0;t\x07\nforged\xff.jpg");
  EXPECT_NE(line.find("failed: evil\\x1b]0;t\\x07\\nforged\\xff.jpg\n"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
}

TEST(LogTest, EveryLogLineIsScrubbedOfSecrets) {
  RegisterSecretsOf("host=db password=LogLineSecret1");
  for (LogFormat format : {LogFormat::kText, LogFormat::kJson}) {
    const std::string line =
        LoggedLine(format, "retrying amqp://u:UrlSecret2@h/v after LogLineSecret1 was refused");
    EXPECT_EQ(line.find("Secret"), std::string::npos) << line;
    EXPECT_NE(line.find("amqp://u:****@h/v after **** was refused"), std::string::npos) << line;
  }
}

TEST(LogTest, ThreadsLogScrubbedLinesWhileSecretsAreRegistered) {
  RegisterSecretsOf("postgresql://u:ThreadedSecret@h/db");
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("threads", sink);
  logger.set_formatter(MakeLogFormatter(LogFormat::kText));
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&logger] {
      for (int i = 0; i < 200; ++i) logger.info("refused: ThreadedSecret \x1b[2J");
    });
  }
  // Registration while the threads log: the registry is shared by every line.
  for (int i = 0; i < 50; ++i) RegisterSecretsOf("password=Other" + std::to_string(i));
  for (std::thread& thread : threads) thread.join();
  const std::string text = out.str();
  EXPECT_EQ(text.find("ThreadedSecret"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 800);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(LogTest, FatalLinesFollowTheLogFormat) {
  const std::string text = FormatFatalLine(LogFormat::kText, "status", "no batch named x\x1by");
  EXPECT_EQ(text, "pixfleet status: no batch named x\\x1by");
  const std::string json =
      FormatFatalLine(LogFormat::kJson, "status", "cannot connect to postgresql://u:FatalPw@h/db");
  EXPECT_EQ(json.find('\n'), std::string::npos);
  const auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["level"], "critical");
  EXPECT_TRUE(parsed.contains("time"));
  EXPECT_TRUE(parsed.contains("pid"));
  EXPECT_EQ(parsed["message"], "pixfleet status: cannot connect to postgresql://u:****@h/db");
  EXPECT_EQ(FormatFatalLine(LogFormat::kText, "", "--out is required"),
            "pixfleet: --out is required");
}

}  // namespace
}  // namespace pixfleet
