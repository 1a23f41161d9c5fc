#include "core/log.h"

#include <atomic>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include "core/redact.h"
#include "core/terminal_text.h"

namespace pixfleet {
namespace {

thread_local std::string t_task;
thread_local std::string t_batch;
std::atomic<LogFormat> g_format{LogFormat::kText};

// The message of a text line: scrubbed of secrets, then safe for the terminal.
class SafePayloadFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string text =
        TerminalText(ScrubForOutput(std::string_view(msg.payload.data(), msg.payload.size())));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SafePayloadFlag>();
  }
};

// Adds " task=… batch=…" to text lines of a thread inside a TaskLogScope.
class TaskFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (t_task.empty()) return;
    const std::string text = "task=" + t_task + " batch=" + t_batch + " ";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TaskFlag>();
  }
};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto seconds = std::chrono::system_clock::to_time_t(msg.time);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char time[40];
    const size_t length = std::strftime(time, sizeof(time), "%Y-%m-%dT%H:%M:%S", &utc);
    // One format call: gcc 12 at -O3 reports a false -Wrestrict on `"." + string + "Z"`.
    const std::string stamp = fmt::format("{}.{:03}Z", std::string_view(time, length), millis);
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string line = FormatJsonLogLine(
        stamp, std::string_view(level.data(), level.size()), static_cast<int>(getpid()), t_task,
        t_batch, ScrubForOutput(std::string_view(msg.payload.data(), msg.payload.size())));
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format) {
  if (format == LogFormat::kJson) return std::make_unique<JsonFormatter>();
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<TaskFlag>('*').add_flag<SafePayloadFlag>('&').set_pattern(
      "%Y-%m-%d %H:%M:%S.%e %^%l%$ [%P] %*%&");
  return formatter;
}

void InitLogging(LogFormat format, std::string_view level) {
  g_format = format;
  spdlog::drop("pixfleet");
  auto logger = spdlog::stderr_logger_mt("pixfleet");
  logger->set_formatter(MakeLogFormatter(format));
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(std::move(logger));
}

std::string FormatFatalLine(LogFormat format, std::string_view command, std::string_view message) {
  std::string text = "pixfleet";
  if (!command.empty()) text += " " + std::string(command);
  text += ": " + ScrubForOutput(message);
  if (format == LogFormat::kText) return TerminalText(text);
  // Through the log lines' own formatter, so that the shape is theirs.
  const spdlog::details::log_msg record(spdlog::source_loc{}, "pixfleet", spdlog::level::critical,
                                        text);
  spdlog::memory_buf_t line;
  JsonFormatter().format(record, line);
  return std::string(line.data(), line.size() - 1);  // without the newline
}

void PrintFatalLine(std::string_view command, std::string_view message) {
  std::cerr << FormatFatalLine(g_format, command, message) << std::endl;
}

LogFormat ParseLogFormat(std::string_view name) {
  return name == "json" ? LogFormat::kJson : LogFormat::kText;
}

TaskLogScope::TaskLogScope(std::string task_id, std::string batch_id)
    : previous_task_(std::exchange(t_task, std::move(task_id))),
      previous_batch_(std::exchange(t_batch, std::move(batch_id))) {}

TaskLogScope::~TaskLogScope() {
  t_task = std::move(previous_task_);
  t_batch = std::move(previous_batch_);
}

std::string FormatJsonLogLine(std::string_view time, std::string_view level, int pid,
                              std::string_view task, std::string_view batch,
                              std::string_view message) {
  nlohmann::ordered_json line;
  line["time"] = time;
  line["level"] = level;
  line["pid"] = pid;
  if (!task.empty()) {
    line["task"] = task;
    line["batch"] = batch;
  }
  line["message"] = message;
  // Replace invalid UTF-8 rather than throw: a file name in a message may be any bytes.
  return TerminalSafeJson(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace pixfleet
